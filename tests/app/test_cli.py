"""The CLI as an IT officer uses it: exit codes and messages, real database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.services.directory.seed import SAMPLE_DIR

runner = CliRunner()


def test_import_export_reimport(env: Path) -> None:
    g, h = str(SAMPLE_DIR / "groups.csv"), str(SAMPLE_DIR / "households.csv")
    first = runner.invoke(app, ["directory", "import", g, h])
    assert first.exit_code == 0, first.output
    assert "16 groups created" in first.output
    again = runner.invoke(app, ["directory", "import", g, h])
    assert "nothing changed" in again.output
    out = runner.invoke(app, ["directory", "export", "--out-dir", str(env / "out")])
    assert out.exit_code == 0
    assert (env / "out" / "households.csv").read_text(encoding="utf-8") == Path(h).read_text(
        encoding="utf-8"
    )


def test_bad_import_rejected_whole(env: Path) -> None:
    rows = list(csv.reader((SAMPLE_DIR / "households.csv").open(encoding="utf-8")))
    rows[17][1] = "Tổ 31"
    bad = env / "households.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = runner.invoke(app, ["directory", "import", str(SAMPLE_DIR / "groups.csv"), str(bad)])
    assert result.exit_code == 1
    assert 'households.csv:18: unknown group "Tổ 31"' in result.output
    assert "nothing was written" in result.output
    runner.invoke(app, ["directory", "export", "--out-dir", str(env / "o")])
    assert (env / "o" / "groups.csv").read_text(encoding="utf-8").count("\n") == 1  # header only


def test_seed_admin_and_qr(env: Path) -> None:
    assert (
        "3 groups, 30 households"
        in runner.invoke(app, ["seed", "--groups", "3", "--households", "30"]).output
    )
    assert "already exists" in runner.invoke(app, ["seed", "--groups", "3"]).output
    ok = runner.invoke(app, ["admin", "add", "42", "--role", "group_leader", "--group", "Tổ 2"])
    assert ok.exit_code == 0 and "granted" in ok.output
    bad = runner.invoke(app, ["admin", "add", "42", "--role", "mayor"])
    assert bad.exit_code == 1 and "--role must be one of" in bad.output
    no_group = runner.invoke(app, ["admin", "add", "43", "--role", "group_leader"])
    assert no_group.exit_code == 1 and "Tổ trưởng cần ghi rõ tổ" in no_group.output
    listed = runner.invoke(app, ["admin", "list"])
    assert "42\tgroup_leader\tPhường Thử Nghiệm\tTổ 2" in listed.output
    qr = runner.invoke(app, ["directory", "qr", "--group", "tổ 2", "--out", str(env / "t2.png")])
    assert qr.exit_code == 0, qr.output
    assert "https://t.me/loa_phuong_bot?start=join-" in qr.output
    assert (env / "t2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = runner.invoke(app, ["directory", "qr", "--group", "Tổ 2", "--out", str(env / "t2.svg")])
    assert svg.exit_code == 0 and (env / "t2.svg").read_text().lstrip().startswith("<?xml")


def test_db_current_and_config_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(app, ["db", "current"]).output
    monkeypatch.setenv("LOA_TIMEZONE", "Mars/Olympus")
    bad = runner.invoke(app, ["db", "current"])
    assert bad.exit_code == 2 and "LOA_TIMEZONE" in bad.output
