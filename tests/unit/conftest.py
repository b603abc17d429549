"""Set-up shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment for `loa ...`: its own SQLite file, a bot username, no token."""
    for key in ("LOA_BOT_TOKEN", "LOA_ADMIN_IDS", "LOA_WEBHOOK_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LOA_BOT_USERNAME", "loa_phuong_bot")
    monkeypatch.chdir(tmp_path)
    return tmp_path
