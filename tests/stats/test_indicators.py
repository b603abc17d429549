"""`loa stats --json` on the sample ward equals the same figures computed here from raw rows."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli import app
from bot.services.seed import SAMPLE_WARD, seed_sample
from broadcasts import audience, outbox
from models import (
    Acknowledgement,
    ChatStatus,
    Delivery,
    Household,
    Notice,
    Resident,
    ResidentialGroup,
    TargetKind,
    Ticket,
    TicketCategory,
    Ward,
)
from models.clock import ManualClock
from tests.conftest import HCM

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 24)


def at(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=HCM)


def _queued(n: Notice) -> datetime:
    """When the notice was queued: every notice these tests count was."""
    assert n.queued_at is not None
    return n.queued_at


async def _world(session: AsyncSession, clock: ManualClock) -> None:
    """The sample ward with chats bound to most groups, residents in some households, notices
    over three weeks (one before the period), acknowledgements early and late, questions."""
    rnd = random.Random(7)
    await seed_sample(session)
    ward = (await session.scalars(select(Ward))).one()
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    for i, g in enumerate(groups[:-2]):  # the last two groups have no chat yet
        g.chat_id, g.chat_status = -100_500 - i, ChatStatus.ACTIVE
    households = list(await session.scalars(select(Household).order_by(Household.id)))
    for i, h in enumerate(households):
        if rnd.random() < 0.6:
            consent = at(2) if rnd.random() < 0.9 else None  # a few never consented
            session.add(Resident(telegram_id=900_000 + i, display_name=f"R{i}",
                                 household_id=h.id, consent_at=consent))  # fmt: skip
    await session.commit()
    for day in (20, 5, 12, 19, 23):  # 20 October is before the period
        clock.set(at(day) if day != 20 else datetime(2026, 10, 20, 8, tzinfo=HCM))
        n, _ = await outbox.enqueue(
            session, ward_id=ward.id, text=f"Thông báo ngày {day}", audience=audience.spec("ward")
        )
        await session.execute(update(Delivery).where(Delivery.notice_id == n.id)
                              .values(status="sent", sent_at=n.queued_at))  # fmt: skip
    await session.commit()
    notices = list(await session.scalars(select(Notice).order_by(Notice.id)))
    registered = list(await session.scalars(
        select(Resident).where(Resident.consent_at.is_not(None))))  # fmt: skip
    for n in notices:
        for r in registered:
            if rnd.random() < 0.5:
                delay = timedelta(hours=rnd.choice([1, 5, 23, 30, 50]))
                session.add(Acknowledgement(notice_id=n.id, household_id=r.household_id,
                                            telegram_id=r.telegram_id, chat_id=r.telegram_id,
                                            at=_queued(n) + delay))  # fmt: skip
        await session.commit()
    for i in range(9):
        asked = at(3 + 2 * i, 9)
        answered = asked + timedelta(minutes=rnd.choice([5, 30, 90, 240])) if i % 4 else None
        session.add(Ticket(ward_id=ward.id, resident_tg_id=900_000 + i, resident_name="R",
                           category=TicketCategory.OTHER, summary="?", created_at=asked,
                           due_at=asked + timedelta(hours=8), first_response_at=answered,
                           spam=(i == 5)))  # fmt: skip
    await session.commit()
    clock.set(at(24, 9))


async def _expected(session: AsyncSession) -> dict[str, object]:
    """The indicators, computed from every row in Python, by the README's definitions."""
    since, until = at(1, 0), at(24, 9)
    groups = list(await session.scalars(select(ResidentialGroup).order_by(
        ResidentialGroup.sort_key, ResidentialGroup.id)))  # fmt: skip
    households = list(await session.scalars(select(Household)))
    residents = list(await session.scalars(select(Resident)))
    notices = [n for n in await session.scalars(select(Notice))
               if n.parent_id is None and n.queued_at is not None]  # fmt: skip
    deliveries = list(await session.scalars(select(Delivery)))
    acks = list(await session.scalars(select(Acknowledgement)))
    tickets = list(await session.scalars(select(Ticket)))
    group_of = {h.id: h.group_id for h in households}
    joined = {r.household_id for r in residents if r.consent_at and r.household_id}
    period = [n for n in notices if since <= _queued(n) < until]
    in_chat = {(d.notice_id, d.group_id) for d in deliveries if d.target is TargetKind.GROUP}

    def days(last: datetime | None) -> int | None:
        return None if last is None else (LAST - last.astimezone(HCM).date()).days

    out_groups, expected_total, acked_total = [], 0, 0
    for g in groups:
        known = sum(1 for h in households if h.group_id == g.id)
        reg = sum(1 for hid in joined if group_of[hid] == g.id)
        posted = [n for n in period if (n.id, g.id) in in_chat]
        acked = len({(a.notice_id, a.household_id) for a in acks for n in posted
                     if a.notice_id == n.id and group_of[a.household_id] == g.id
                     and a.at - _queued(n) <= timedelta(hours=24)})  # fmt: skip
        expected_total += reg * len(posted)
        acked_total += acked
        last = max((_queued(n) for n in notices if (n.id, g.id) in in_chat), default=None)
        out_groups.append({
            "name": g.name, "households_known": known, "households_registered": reg,
            "reach": round(reg / known, 4) if known else None,
            "days_since_last_notice": days(last),
            "ack_rate": round(acked / (reg * len(posted)), 4) if reg * len(posted) else None,
            "notices": len(posted),
        })  # fmt: skip
    asked = [t for t in tickets if not t.spam and since <= t.created_at < until]
    waits = [(t.first_response_at - t.created_at).total_seconds() / 60
             for t in asked if t.first_response_at]  # fmt: skip
    return {
        "ward": SAMPLE_WARD, "from": FIRST.isoformat(), "to": LAST.isoformat(),
        "households_known": len(households), "households_registered": len(joined),
        "reach": round(len(joined) / len(households), 4), "notices": len(period),
        "days_since_last_notice": days(max(_queued(n) for n in notices)),
        "ack_rate": round(acked_total / expected_total, 4), "questions": len(asked),
        "first_response_median_minutes": round(statistics.median(waits), 1),
        "groups": out_groups,
    }  # fmt: skip


async def test_stats_json_equals_figures_from_the_raw_rows(
    session: AsyncSession, db_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _world(session, clock)
    expected = await _expected(session)
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)
    args = ["stats", "--json", "--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got == expected
    # the figures mean something: some groups without chats, some late acknowledgements
    assert 0 < got["reach"] < 1 and 0 < got["ack_rate"] < 1 and got["notices"] == 4
    assert any(g["days_since_last_notice"] is None for g in got["groups"])

    table = await asyncio.to_thread(CliRunner().invoke, app, args[:1] + args[2:])
    assert table.exit_code == 0 and "Hộ đã đăng ký Loa" in table.stdout


async def test_stats_refuses_bad_dates_in_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)
    for args, needle in ((["--from", "1/11/2026"], "NĂM-THÁNG-NGÀY"),
                         (["--from", "2026-11-10", "--to", "2026-11-01"], "--from")):  # fmt: skip
        result = await asyncio.to_thread(CliRunner().invoke, app, ["stats", *args])
        assert result.exit_code == 2 and needle in result.output
        assert "Traceback" not in result.output
