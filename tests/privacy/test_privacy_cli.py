"""`loa privacy purge` and `loa privacy record` as a ward's IT officer runs them."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()


def test_purge_runs_now(env: Path) -> None:
    result = runner.invoke(app, ["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged: 0 questions" in result.output


def test_record_markdown_and_pdf(env: Path) -> None:
    assert runner.invoke(app, ["seed", "--sample"]).exit_code == 0
    md = runner.invoke(app, ["privacy", "record"])
    assert md.exit_code == 0, md.output
    for part in (
        "Ủy ban nhân dân Phường Sông Cầu",
        "91/2025/QH15",
        "356/2025/NĐ-CP",
        "| Loại dữ liệu | Gồm | Mục đích |",
        "Câu hỏi",
        "12 tháng",
        "người đăng ký: ",
    ):
        assert part in md.output, part
    english = runner.invoke(app, ["privacy", "record", "--lang", "en"])
    assert "Data controller" in english.output
    pdf = runner.invoke(app, ["privacy", "record", "--format", "pdf", "--out", "record.pdf"])
    assert pdf.exit_code == 0, pdf.output
    text = "".join(p.extract_text() for p in PdfReader(env / "record.pdf").pages)
    assert "Hồ sơ xử lý dữ liệu cá nhân" in text and "Chống lạm dụng" in text
    assert runner.invoke(app, ["privacy", "record", "--format", "pdf"]).exit_code != 0
