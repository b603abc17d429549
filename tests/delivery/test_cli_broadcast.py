"""`loa broadcast` as an IT officer scripts it: enqueue, status, cancel, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()


def test_send_status_cancel(env: Path) -> None:
    assert runner.invoke(app, ["seed", "--groups", "3", "--households", "6"]).exit_code == 0
    sent = runner.invoke(
        app,
        [
            "broadcast",
            "send",
            "--audience",
            'groups:"Tổ 1, Tổ 2"',
            "--urgency",
            "urgent",
            "--text",
            "Mất nước chiều nay",
            "--json",
        ],
    )
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.output.strip().splitlines()[-1])
    assert result["recipients"] == 2 + 4 and result["pending"] == 6  # 2 groups + 4 residents
    assert {"id", "sent", "failed", "unknown", "seconds"} <= set(result)
    status = json.loads(
        runner.invoke(app, ["broadcast", "status", str(result["id"]), "--json"]).output
    )
    assert status["status"] == "queued"
    cancelled = runner.invoke(app, ["broadcast", "cancel", str(result["id"])])
    assert cancelled.exit_code == 0 and "6 pending copies stopped" in cancelled.output
    again = runner.invoke(app, ["broadcast", "cancel", str(result["id"])])
    assert again.exit_code == 1 and "Thông báo này đã bị hủy." in again.output


def test_bad_input_is_refused_clearly(env: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["seed", "--groups", "2", "--households", "2"])
    cases = [
        (["--audience", "everyone", "--text", "x"], "--audience must be"),
        (["--audience", "ward"], "exactly one of --text or --file"),
        (["--audience", "ward", "--text", "x", "--urgency", "huge"], "--urgency must be"),
        (["--audience", "ward", "--text", "x", "--at", "tomorrow"], "ISO time"),
        (["--audience", "groups:Tổ 99", "--text", "x"], "Không tìm thấy tổ dân phố «Tổ 99»."),
        (["--audience", "ward", "--text", "   "], "Thông báo chưa có nội dung."),
        (
            [
                "--audience",
                "ward",
                "--text",
                "x",
                "--at",
                "2030-01-02T08:00",
                "--expires",
                "2030-01-01T08:00",
            ],
            "Thời hạn hết hiệu lực phải sau thời điểm gửi.",
        ),
        (
            ["--audience", "ward", "--text", "x", "--photo", str(tmp_path / "none.jpg")],
            "no such file",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["broadcast", "send", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    status = runner.invoke(app, ["broadcast", "status", "999"])
    assert status.exit_code == 1 and "Không tìm thấy thông báo số 999." in status.output
