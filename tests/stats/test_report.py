"""`loa report` on the sample ward: the XLSX and the PDF are written, open, and carry the
month's figures (checked against `loa stats --json` and rows counted here); bad input ends in
one clear line and exit code 2."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.services.directory.seed import SAMPLE_WARD
from models import Acknowledgement, Delivery, Household, Notice, Resident, TargetKind
from models.clock import ManualClock
from tests.stats.world import build as _world


@pytest.fixture
async def world(
    session: AsyncSession, db_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indicators' sample world, and the CLI pointed at its database."""
    await _world(session, clock)
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)


def _written(folder: Path) -> list[Path]:
    return [*folder.glob("r.*"), *folder.glob(".r.*")]


async def _cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def _expected_notices(session: AsyncSession) -> dict[int, tuple[int, int]]:
    """Per notice of November: registered households of the groups whose chat got it, and
    those of them that acknowledged within 24 hours."""
    households = {h.id: h.group_id for h in await session.scalars(select(Household))}
    joined = {r.household_id for r in await session.scalars(select(Resident))
              if r.consent_at and r.household_id}  # fmt: skip
    out = {}
    for n in await session.scalars(select(Notice)):
        if n.queued_at is None or n.queued_at.month != 11:  # drafts carrying consultations
            continue
        reached = {d.group_id for d in await session.scalars(
            select(Delivery).where(Delivery.notice_id == n.id))
            if d.target is TargetKind.GROUP and d.sent_at is not None}  # fmt: skip
        mine = {h for h in joined if households[h] in reached}
        acked = {a.household_id for a in await session.scalars(
            select(Acknowledgement).where(Acknowledgement.notice_id == n.id))
            if a.household_id in mine and a.at - n.queued_at <= timedelta(hours=24)}  # fmt: skip
        out[n.id] = (len(mine), len(acked))
    return out


async def test_xlsx_report_carries_the_month_figures(
    session: AsyncSession, world: None, tmp_path: Path
) -> None:
    stats = await _cli("stats", "--json", "--from", "2026-11-01", "--to", "2026-11-30")
    want = json.loads(stats.stdout)
    out = tmp_path / "bao-cao.xlsx"
    result = await _cli("report", "--month", "2026-11", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "Phường Sông Cầu" in result.output

    wb = load_workbook(out)
    assert wb.sheetnames == ["Tổng quan", "Theo tổ", "Thông báo", "Câu hỏi", "Biểu đồ"]
    cover = wb["Tổng quan"]
    cells = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, cover.max_row + 1)}
    assert cover["A1"].value == f"Báo cáo tháng 11/2026 — {SAMPLE_WARD}"
    assert cells["Đơn vị"] == SAMPLE_WARD and cells["Tháng"] == "11/2026"
    assert cells["Lập lúc"] == "09:00 24/11/2026"
    note = cells["Lưu ý"]  # the month still runs on the test clock
    assert isinstance(note, str) and "chưa kết thúc" in note
    assert cells["Số hộ trong danh bạ"] == want["households_known"]
    assert cells["Số hộ đã đăng ký Loa"] == want["households_registered"]
    assert cells["Tỉ lệ hộ đăng ký"] == want["reach"]
    assert cells["Số thông báo đã gửi"] == want["notices"] == 4
    assert cells["Tỉ lệ hộ bấm «Đã nhận» trong 24 giờ"] == want["ack_rate"]
    assert cells["Số câu hỏi của người dân"] == want["questions"]
    assert (
        cells["Thời gian trả lời đầu tiên, trung vị (phút)"]
        == (want["first_response_median_minutes"])
    )

    groups = wb["Theo tổ"]
    rows = list(groups.iter_rows(min_row=3, values_only=True))
    got = [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in rows if r[0]]
    assert got == [
        (g["name"], g["households_known"], g["households_registered"], g["reach"],
         g["days_since_last_notice"], g["ack_rate"])
        for g in want["groups"]
    ]  # fmt: skip

    expected = await _expected_notices(session)
    lines = [r for r in wb["Thông báo"].iter_rows(min_row=3, values_only=True)
             if isinstance(r[0], int)]  # fmt: skip
    assert [r[0] for r in lines] == sorted(expected)
    for r in lines:
        assert isinstance(r[0], int) and isinstance(r[2], str)
        households, acked = expected[r[0]]
        assert (r[5], r[6]) == (households, acked)
        assert r[7] == (round(acked / households, 4) if households else None)
        assert r[2].startswith("Thông báo ngày")
    assert any(isinstance(r[7], float) and 0 < r[7] < 1 for r in lines)
    assert len(wb["Biểu đồ"]._images) == 2  # type: ignore[attr-defined]  # openpyxl's stubs leave out the private list of a sheet's pictures


async def test_pdf_report_is_a_vietnamese_a4_document(world: None, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.pdf"
    result = await _cli("report", "--month", "2026-11", "--ward", SAMPLE_WARD, "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # DejaVu embedded
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 5  # cover and figures, groups, notices, questions, charts
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = "\n".join(page.extract_text() for page in reader.pages)
    for part in (f"Báo cáo tháng 11/2026 — {SAMPLE_WARD}", "Các chỉ số chính của tháng",
                 "Tỉ lệ hộ đăng ký", "Tổ 1", "Thông báo ngày 5", "Thông báo trong tháng",
                 "Câu hỏi của người dân"):  # fmt: skip
        assert part in text, part
    assert "Thông báo ngày 20" not in text  # October's notice stays in October
    assert len(reader.pages[4].images) == 2  # the two charts


async def test_a_past_month_is_complete(world: None, tmp_path: Path) -> None:
    out = tmp_path / "thang10.xlsx"
    assert (await _cli("report", "--month", "2026-10", "--out", str(out))).exit_code == 0
    cover = load_workbook(out)["Tổng quan"]
    labels = [cover.cell(r, 1).value for r in range(1, cover.max_row + 1)]
    assert "Lưu ý" not in labels
    notices = [r for r in load_workbook(out)["Thông báo"].iter_rows(min_row=3, values_only=True)
               if isinstance(r[0], int)]  # fmt: skip
    assert [r[2] for r in notices] == ["Thông báo ngày 20"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--month", "2026-13"], "NĂM-THÁNG"),
        (["--month", "11/2026"], "NĂM-THÁNG"),
        (["--month", "2027-01"], "chưa bắt đầu"),
        (["--month", "2026-11", "--ward", "Phường Không Có"], "Phường Không Có"),
        (["--month", "2026-11", "--out", "r.csv"], ".xlsx"),
        (["--month", "2026-11", "--out", "/khong/co/thu/muc/r.pdf"], "không được phép ghi"),
        (["--month", "2026-11", "--out", "thu-muc.pdf"], "không được phép ghi"),  # a folder
    ],
)
async def test_bad_input_is_one_clear_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], needle: str
) -> None:
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thu-muc.pdf").mkdir()
    if "--out" not in args:
        args = [*args, "--out", "r.xlsx"]
    result = await _cli("report", *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.output
    assert "Traceback" not in result.output and "report." not in result.output
    assert _written(tmp_path) == []
