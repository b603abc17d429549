"""Triage services with fixed data: working time, categories, FAQ matching, the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.procedures.guide_lookup import GuideHint
from bot.services.triage import faq
from bot.services.triage import stats as triage_stats
from bot.services.triage.routing import categorise
from bot.services.triage.sla import WorkingTime
from bot.services.triage.stats import percentile
from models import FaqEntry, Ticket, TicketCategory, TicketRating, TicketStatus, Ward

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = WorkingTime.of(
    [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))],
    [1, 2, 3, 4, 5],
    [date(2026, 9, 2)],  # National Day, a Wednesday
    VN,
)


def vn(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (vn(2026, 9, 1, 8, 0), 2, vn(2026, 9, 1, 10, 0)),  # inside the morning
        (vn(2026, 9, 1, 10, 30), 4, vn(2026, 9, 1, 16, 30)),  # over the lunch break
        (vn(2026, 9, 1, 12, 0), 1, vn(2026, 9, 1, 14, 30)),  # asked at lunch
        (vn(2026, 9, 1, 16, 0), 4, vn(2026, 9, 3, 10, 30)),  # holiday on the 2nd is skipped
        (vn(2026, 9, 4, 20, 0), 4, vn(2026, 9, 7, 11, 30)),  # Friday evening → Monday
        (vn(2026, 9, 5, 9, 0), 0.5, vn(2026, 9, 7, 8, 0)),  # Saturday
    ],
)
def test_deadline_counts_working_time(start: datetime, hours: float, due: datetime) -> None:
    assert OFFICE.add(start.astimezone(UTC), hours) == due.astimezone(UTC)


def test_categories_from_keywords_and_guides() -> None:
    hint = GuideHint(code="1.001193", title="Đăng ký khai sinh", score=0.9, field="ho_tich")
    assert categorise("Cháy chợ rồi!", None) == (TicketCategory.EMERGENCY, None)
    assert categorise("can cap cuu gap", None)[0] is TicketCategory.EMERGENCY
    assert categorise("Tôi muốn phản ánh tiếng ồn quán karaoke", None)[0] is (
        TicketCategory.COMPLAINT
    )
    assert categorise("Làm thủ tục gì để tách hộ?", None) == (TicketCategory.PROCEDURE, None)
    assert categorise("Con tôi mới sinh", hint) == (TicketCategory.PROCEDURE, "1.001193")
    assert categorise("Chạy bộ ở đâu?", None)[0] is TicketCategory.OTHER  # "chạy" ≠ "cháy"
    weak = GuideHint(code="1.0", title="x", score=0.2, field="x")
    assert categorise("Hỏi linh tinh", weak) == (TicketCategory.OTHER, None)


async def _ward(session: AsyncSession) -> Ward:
    ward = Ward(name="Phường Thử")
    session.add(ward)
    await session.commit()
    return ward


async def test_faq_matches_similar_questions_only(session: AsyncSession) -> None:
    ward = await _ward(session)
    session.add(
        FaqEntry(
            ward_id=ward.id,
            question="Làm giấy khai sinh cho con cần gì?",
            answer="Mang giấy chứng sinh và CCCD của bố mẹ.",
            keywords=" ".join(sorted(faq.words("Làm giấy khai sinh cho con cần gì?"))),
            created_by=1,
        )
    )
    await session.commit()
    hit = await faq.match(session, ward.id, "Khai sinh cho con tôi thì cần giấy tờ gì vậy?")
    assert hit is not None and "chứng sinh" in hit.answer
    assert await faq.match(session, ward.id, "Đăng ký tạm trú ở đâu?") is None
    assert await faq.match(session, ward.id + 1, "khai sinh cho con cần giấy gì") is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(x) for x in range(1, 11)], 90) == 9.0
    assert percentile([float(x) for x in range(1, 11)], 50) == 5.0


async def test_stats_from_fixed_tickets(session: AsyncSession) -> None:
    ward = await _ward(session)
    now = vn(2026, 9, 17, 12)  # Thursday
    base = vn(2026, 9, 14, 8)  # Monday of this week

    def make(n: int, created: datetime, minutes: int | None, cat: TicketCategory) -> Ticket:
        return Ticket(
            id=n,
            ward_id=ward.id,
            resident_tg_id=1000 + n,
            resident_name=f"R{n}",
            category=cat,
            status=TicketStatus.ANSWERED if minutes is not None else TicketStatus.NEW,
            summary="q",
            created_at=created,
            due_at=created + timedelta(hours=4),
            first_response_at=None if minutes is None else created + timedelta(minutes=minutes),
        )

    rows = [
        make(1, base, 30, TicketCategory.PROCEDURE),
        make(2, base + timedelta(hours=1), 90, TicketCategory.PROCEDURE),
        make(3, base + timedelta(days=1), 300, TicketCategory.COMPLAINT),  # late
        make(4, base - timedelta(days=7), 60, TicketCategory.PROCEDURE),  # last week
        make(5, now - timedelta(hours=1), None, TicketCategory.OTHER),  # not yet due
        make(6, base - timedelta(days=6), None, TicketCategory.EMERGENCY),  # overdue
        make(7, base - timedelta(days=40), 10, TicketCategory.OTHER),  # out of range
    ]
    spam = make(8, base, 5, TicketCategory.OTHER)
    spam.spam = True
    session.add_all([*rows, spam])
    await session.flush()
    session.add_all([TicketRating(ticket_id=1, good=True), TicketRating(ticket_id=3, good=False)])
    await session.commit()

    s = await triage_stats.compute(session, {ward.id}, now=now, weeks=2, tz=VN)
    assert s.weeks == [(date(2026, 9, 7), 2), (date(2026, 9, 14), 4)]
    assert s.total == 6
    assert s.median_minutes == 75.0  # of 30, 60, 90, 300
    assert s.p90_minutes == 300.0
    assert s.measured == 5 and s.within_target == pytest.approx(3 / 5)
    assert (s.good, s.not_good) == (1, 1)
    assert s.categories[0] == (TicketCategory.PROCEDURE, 3)
    none = await triage_stats.compute(session, {ward.id + 1}, now=now, weeks=2, tz=VN)
    assert none.total == 0 and none.median_minutes is None and none.within_target is None
