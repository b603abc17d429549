"""The guides service on both databases: import, search, gaps, scans, links, export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid, NotFound
from bot.services.procedures import core as procedures
from bot.services.procedures.catalog import load_catalog
from bot.services.procedures.guide_lookup import suggest_guides
from bot.services.procedures.guides import Guide
from models import Procedure, ProcedureScan, SearchGap


async def test_import_is_whole_and_idempotent(
    session: AsyncSession, shipped_guides: list[Guide]
) -> None:
    first = await procedures.import_guides(session, shipped_guides)
    assert (first.created, first.updated, first.removed) == (len(shipped_guides), 0, 0)
    again = await procedures.import_guides(session, shipped_guides)
    assert not again.changed and again.unchanged == len(shipped_guides)
    edited = dataclasses.replace(shipped_guides[0], summary_vi="Tóm tắt mới.")
    report = await procedures.import_guides(session, [edited, *shipped_guides[2:]])
    assert (report.created, report.updated, report.removed) == (0, 1, 1)
    guide = await procedures.get_guide(session, edited.code)
    assert guide.summary_vi == "Tóm tắt mới."
    assert guide == edited  # every field survives the database round trip
    with pytest.raises(NotFound):
        await procedures.get_guide(session, shipped_guides[1].code)


async def test_ensure_catalog_imports_only_into_an_empty_table(session: AsyncSession) -> None:
    assert await procedures.ensure_catalog(session) >= 40
    assert await procedures.ensure_catalog(session) == 0


async def test_guides_by_code_and_field(session: AsyncSession, catalog: list[Guide]) -> None:
    assert (await procedures.get_guide(session, "1_001193")).code == "1.001193"
    with pytest.raises(NotFound) as exc:
        await procedures.get_guide(session, "9.999999")
    assert exc.value.key == "guide.not_found"
    fields = dict(await procedures.field_counts(session))
    assert fields["ho_tich"] == 16 and sum(fields.values()) == len(catalog)
    assert all(g.field == "cu_tru" for g in await procedures.guides_in_field(session, "cu_tru"))
    with pytest.raises(NotFound):
        await procedures.guides_in_field(session, "nope")


async def test_search_records_only_gaps(session: AsyncSession, catalog: list[Guide]) -> None:
    good = await procedures.search(session, "làm giấy khai sinh cho con")
    assert good.good and good.hits[0].guide.code == "1.001193"
    for q, who in (("giá vàng hôm nay", "a"), ("Giá vàng hôm nay", "b"), ("lịch cắt điện", "a")):
        assert not (await procedures.search(session, q, source="web", subject=who * 32)).good
    await procedures.search(session, "giá vàng", record=False)
    assert await session.scalar(select(func.count()).select_from(SearchGap)) == 3
    gaps = await procedures.top_gaps(session)
    assert gaps[0].count == 2 and gaps[0].query.lower() == "giá vàng hôm nay"
    assert gaps[1].count == 1


@pytest.mark.parametrize(
    ("text", "key"), [("   ", "guide.query_empty"), ("x" * 201, "guide.query_too_long")]
)
async def test_empty_and_long_queries(
    session: AsyncSession, catalog: list[Guide], text: str, key: str
) -> None:
    with pytest.raises(Invalid) as exc:
        await procedures.search(session, text)
    assert exc.value.key == key


async def test_index_follows_imports(session: AsyncSession, catalog: list[Guide]) -> None:
    before = await procedures.get_index(session)
    assert await procedures.get_index(session) is before  # cached while nothing changed
    await procedures.import_guides(session, catalog[:10])
    after = await procedures.get_index(session)
    assert after is not before and len(after) == 10


async def test_scans_with_places(session: AsyncSession, catalog: list[Guide]) -> None:
    await procedures.record_scan(session, "1_001193", "counter")
    await procedures.record_scan(session, "1.001193", "counter")
    await procedures.record_scan(session, "1.004222", None)
    with pytest.raises(NotFound):
        await procedures.record_scan(session, "1.999999", "counter")
    with pytest.raises(Invalid):
        await procedures.record_scan(session, "1.001193", "Nhà văn hóa")
    counts = await procedures.scan_counts(session)
    assert counts[0] == procedures.ScanCount("counter", "1.001193", 2)
    assert await session.scalar(select(func.count()).select_from(ProcedureScan)) == 3


def test_links_fit_telegram() -> None:
    payload = procedures.start_payload("1.001193", "to_13_board")
    assert payload == "p-1_001193-to_13_board" and len(payload) <= 64
    assert procedures.parse_payload(payload) == ("1_001193", "to_13_board")
    assert procedures.parse_payload("p-1_001193") == ("1_001193", None)
    assert procedures.bot_link("loa_bot", "1.001193") == "https://t.me/loa_bot?start=p-1_001193"
    assert procedures.web_link("https://loa.vn/", "1.001193") == "https://loa.vn/p/1.001193"
    with pytest.raises(Invalid):
        procedures.start_payload("1.001193", "x" * 40)


async def test_export_round_trip(
    session: AsyncSession, catalog: list[Guide], tmp_path: Path
) -> None:
    files = await procedures.export_files(session)
    assert len(files) == len(catalog)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert sorted(load_catalog(tmp_path), key=lambda g: g.code) == sorted(
        catalog, key=lambda g: g.code
    )
    report = await procedures.import_catalog(session, tmp_path)
    assert not report.changed
    assert await session.scalar(select(func.count()).select_from(Procedure)) == len(catalog)


async def test_suggest_guides_for_the_questions_feature(
    session: AsyncSession, catalog: list[Guide]
) -> None:
    hints = await suggest_guides(session, "tôi muốn nhập hộ khẩu cho vợ", language="en")
    assert hints[0].code == "1.004222" and hints[0].title == "Permanent residence registration"
    assert hints[0].field == "cu_tru" and 0 < hints[0].score <= 1
    assert await suggest_guides(session, "giá vàng hôm nay") == []
    assert await suggest_guides(session, "  ") == []
    assert await session.scalar(select(func.count()).select_from(SearchGap)) == 0
