"""Guides say who checked them and when; unchecked or long-unchecked ones say so plainly."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from bot.services.procedures.catalog import DEFAULT_CATALOG
from bot.services.procedures.guides import Guide
from bot.services.procedures.labels import source_lines, verification_line
from bot.texts import Catalog
from models import utcnow

runner = CliRunner()
ROLE = "Công chức tư pháp - hộ tịch"


def _vi(key: str) -> str:
    return Catalog().text(key, "vi")


def test_states_and_what_residents_read(shipped_guides: list[Guide]) -> None:
    today = utcnow().date()
    guide = next(g for g in shipped_guides if g.code == "1.001193")
    assert guide.verification(today) == "unverified"  # nobody has checked the shipped catalog
    assert verification_line(_vi, guide, today) == (
        "⚠️ Chưa được cán bộ xác minh — hãy hỏi tại Trung tâm Phục vụ hành chính công "
        "trước khi đi nộp."
    )
    fresh = dataclasses.replace(guide, verified_on=today - timedelta(days=10), verified_by=ROLE)
    assert fresh.verification(today) == "current"
    assert f"({ROLE})" in verification_line(_vi, fresh, today)
    old = dataclasses.replace(fresh, verified_on=today - timedelta(days=181))
    assert old.verification(today) == "stale"
    assert "đã hơn 6 tháng" in verification_line(_vi, old, today)
    assert "Lệ phí: Luật Hộ tịch 2014, Điều 11 khoản 1 (miễn lệ phí)" in "\n".join(
        source_lines(_vi, guide)
    )


def _verify(path: Path, days_ago: int) -> None:
    day = (utcnow().date() - timedelta(days=days_ago)).isoformat()
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "verified_on: null\nverified_by: null", f'verified_on: "{day}"\nverified_by: "{ROLE}"'
    )
    path.write_text(text, encoding="utf-8")


def test_cli_lists_stale_then_unchecked_guides(env: Path) -> None:
    copy = env / "catalog"
    shutil.copytree(DEFAULT_CATALOG, copy)
    _verify(copy / "ho_tich" / "1.001193.yaml", 200)  # checked, but over 180 days ago
    _verify(copy / "ho_tich" / "1.000894.yaml", 30)  # checked recently: not listed
    assert runner.invoke(app, ["procedures", "import", str(copy)]).exit_code == 0
    result = runner.invoke(app, ["procedures", "stale"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("stale\t") and "\t1.001193\t" in lines[0] and ROLE in lines[0]
    assert not any("\t1.000894\t" in line for line in lines)
    assert sum(line.startswith("unverified\t") for line in lines) == 55
    assert "1 stale, 55 never checked" in result.output
