"""Every `loa` command offline, with no token and no username: one clear line, never a
traceback or a raw message key; exit code 2 for a configuration or network problem."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.services.directory.seed import SAMPLE_DIR

runner = CliRunner()
TOKEN = "123456:" + "A" * 35


@pytest.fixture
def offline(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No username, no token, and the Bot API on a local port where nothing listens; `loa run`
    gets a free web port of its own (two suites may run side by side)."""
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    monkeypatch.delenv("LOA_BOT_USERNAME")
    monkeypatch.setenv("LOA_TELEGRAM_API_URL", f"http://127.0.0.1:{ports[0]}")
    monkeypatch.setenv("LOA_WEB_PORT", str(ports[1]))
    return env


def _last_line(result: Result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "no output at all"  # a silent command leaves the person guessing
    return lines[-1]


def _clean(result: Result, code: int, args: object = None) -> str:
    assert result.output.strip(), f"{args}: no output at all"
    line = _last_line(result)
    assert result.exit_code == code, (args, result.output)
    assert not re.search(r"(error: |^)[a-z]+\.[a-z_]+( \(|$)", line), line  # a raw key
    return line


COMMANDS = [
    (["db", "upgrade"], 0),
    (["db", "current"], 0),
    (["seed", "--groups", "2", "--households", "4"], 0),
    (["directory", "import", str(SAMPLE_DIR / "groups.csv")], 0),
    (["directory", "export", "--out-dir", "out"], 0),
    (["directory", "qr", "--group", "Tổ 1", "--out", "t1.png"], 2),
    (["admin", "add", "42", "--role", "tech_team", "--ward", "Phường Thử Nghiệm"], 0),
    (["admin", "list"], 0),
    (["admin", "revoke", "42", "--ward", "Phường Thử Nghiệm"], 0),
    (
        [
            "broadcast",
            "send",
            "--audience",
            "ward",
            "--text",
            "Họp tổ",
            "--ward",
            "Phường Thử Nghiệm",
        ],
        0,
    ),
    (["broadcast", "send", "--audience", "ward", "--text", "x", "--wait", "--ward", "X"], 2),
    (["broadcast", "status", "999"], 1),
    (["broadcast", "cancel", "999"], 1),
    (["broadcast", "resume"], 2),
    (["procedures", "search", "khai sinh"], 0),
    (["procedures", "qr", "1.001193", "--out", "p.png"], 2),
    (["procedures", "qr", "1.001193", "--out", "p.png", "--web"], 0),
    (["procedures", "qr", "9.999", "--out", "p.png", "--web"], 1),
    (["procedures", "posters", "--out", "p.pdf"], 2),
    (["procedures", "gaps"], 0),
    (["procedures", "export", "--out-dir", "cat"], 0),
    (["report", "--month", "2026-11", "--ward", "Phường Thử Nghiệm", "--out", "r.pdf"], 0),
    (["report", "--month", "2026-11", "--out", "r.xlsx"], 2),  # two wards: name one
    (["run"], 2),
]


@pytest.mark.timeout(240)  # 24 commands, each opening and migrating the database
def test_every_command_offline_ends_with_one_clear_line(offline: Path) -> None:
    for args, code in COMMANDS:
        line = _clean(runner.invoke(app, args), code, args)
        assert line.strip(), args


def test_qr_without_username_names_the_setting(offline: Path) -> None:
    line = _clean(runner.invoke(app, ["procedures", "qr", "1.001193", "--out", "q.png"]), 2)
    assert "LOA_BOT_USERNAME" in line
    missing = _clean(runner.invoke(app, ["broadcast", "status", "1"]), 1)
    assert "1" in missing and "notice.not_found" not in missing


def test_token_but_bot_api_unreachable(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_BOT_TOKEN", TOKEN)
    runner.invoke(app, ["seed", "--groups", "2", "--households", "2"])
    qr = _clean(runner.invoke(app, ["directory", "qr", "--group", "Tổ 1", "--out", "t.png"]), 2)
    assert "LOA_BOT_USERNAME" in qr
    run = _clean(runner.invoke(app, ["run"]), 2)
    assert "LOA_TELEGRAM_API_URL" in run
    assert not (offline / "t.png").exists()


def test_export_of_a_fresh_database_writes_the_shipped_catalog(offline: Path) -> None:
    out = runner.invoke(app, ["procedures", "export", "--out-dir", str(offline / "cat")])
    assert out.exit_code == 0, out.output
    assert "wrote 57 files" in out.output
    assert (offline / "cat" / "ho_tich" / "1.001193.yaml").exists()
