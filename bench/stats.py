"""Indicators for 100 wards: `python -m bench.stats [--wards 100] [--db sqlite|postgres]`.

Seeds `--wards` wards (10 groups, 200 households each, one registered resident per household),
a month of life per ward (8 notices to every group chat with sent deliveries, half of the
households acknowledging each, 4 events with attendance, 20 questions, daily member samples)
and 3,000 scans and gaps, then times one `ward_stats` per ward for that month.
Figures only, never a pass/fail: see README "Indicators".
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.delivery_kit import database
from bot import migrate
from bot.db import create_engine, create_session_factory
from bot.services.directory.seed import seed_synthetic
from bot.services.stats import Period, ward_stats
from models import (
    Acknowledgement,
    Attendance,
    ChatMemberSample,
    Delivery,
    DeliveryStatus,
    Household,
    Notice,
    NoticeStatus,
    ProcedureScan,
    Resident,
    ResidentialGroup,
    SearchGap,
    TargetKind,
    Ticket,
    TicketCategory,
    Ward,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2026, 11, 1)
NOW = datetime(2026, 12, 1, 9, tzinfo=TZ)


async def _month(session: AsyncSession, ward_id: int, rnd: random.Random) -> None:
    groups = list((await session.execute(
        select(ResidentialGroup.id, ResidentialGroup.chat_id)
        .where(ResidentialGroup.ward_id == ward_id))).tuples())  # fmt: skip
    people = list((await session.execute(
        select(Household.id, Resident.telegram_id)
        .join(Resident, Resident.household_id == Household.id)
        .where(Household.ward_id == ward_id))).tuples())  # fmt: skip
    for i in range(8):
        queued = datetime(2026, 11, 2 + 3 * i, 8, tzinfo=TZ)
        event = queued + timedelta(days=rnd.choice([1, 2, 5])) if i % 2 else None
        notice_id = (await session.execute(insert(Notice).values(
            ward_id=ward_id, kind="event" if event else "notice", text="Thông báo",
            status=NoticeStatus.DONE, queued_at=queued, created_at=queued, event_at=event,
            audience={"kind": "ward"}).returning(Notice.id))).scalar_one()  # fmt: skip
        await session.execute(insert(Delivery), [
            {"notice_id": notice_id, "chat_id": chat, "target": TargetKind.GROUP, "group_id": gid,
             "status": DeliveryStatus.SENT, "sent_at": queued + timedelta(seconds=5 * k),
             "next_attempt_at": queued, "updated_at": queued}
            for k, (gid, chat) in enumerate(groups)])  # fmt: skip
        acks = [p for p in people if rnd.random() < 0.5]
        await session.execute(insert(Acknowledgement), [
            {"notice_id": notice_id, "household_id": hid, "telegram_id": tg, "chat_id": tg,
             "at": queued + timedelta(minutes=rnd.randrange(60 * 48))}
            for hid, tg in acks])  # fmt: skip
        if event:
            await session.execute(insert(Attendance), [
                {"notice_id": notice_id, "telegram_id": tg, "household_id": hid,
                 "at": queued + timedelta(hours=2)} for hid, tg in acks[::4]])  # fmt: skip
    await session.execute(insert(Ticket), [
        {"ward_id": ward_id, "resident_tg_id": people[i][1], "resident_name": "R",
         "category": TicketCategory.PROCEDURE, "summary": "?",
         "created_at": datetime(2026, 11, 1 + i, 9, tzinfo=TZ),
         "due_at": datetime(2026, 11, 1 + i, 13, tzinfo=TZ),
         "first_response_at": datetime(2026, 11, 1 + i, 9 + i % 6, tzinfo=TZ),
         "group_id": groups[i % len(groups)][0]} for i in range(20)])  # fmt: skip
    await session.execute(insert(ChatMemberSample), [
        {"group_id": gid, "day": START + timedelta(days=d), "members": 30 + d,
         "at": NOW} for gid, _ in groups for d in range(30)])  # fmt: skip


async def run(kind: str, wards: int) -> None:
    async with database(kind) as url:
        await migrate.upgrade(url)
        engine = create_engine(url)
        factory = create_session_factory(engine)
        rnd = random.Random(7)
        started = time.perf_counter()
        async with factory() as session:
            for w in range(wards):
                await seed_synthetic(session, groups=10, households=200, ward_name=f"Phường {w}")
            for ward_id in list(await session.scalars(select(Ward.id))):
                await _month(session, ward_id, rnd)
            await session.execute(insert(ProcedureScan), [
                {"code": f"1.00{i % 40}", "place": ("ubnd", "nvh", None)[i % 3],
                 "at": NOW - timedelta(minutes=13 * i)} for i in range(3000)])  # fmt: skip
            await session.execute(insert(SearchGap), [
                {"query": "q", "normalized": f"q{i % 50}", "source": "bot",
                 "at": NOW - timedelta(minutes=17 * i)} for i in range(3000)])  # fmt: skip
            await session.commit()
        if kind == "postgres":  # what autovacuum does after a bulk load, before we measure
            async with engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
                    "ANALYZE"
                )
        seeded = time.perf_counter() - started
        period = Period(START, START + timedelta(days=29), TZ)
        times = []
        async with factory() as session:
            for ward in list(await session.scalars(select(Ward).order_by(Ward.id))):
                t0 = time.perf_counter()
                s = await ward_stats(session, ward, period, NOW)
                times.append(time.perf_counter() - t0)
        await engine.dispose()
    assert s.notices == 8  # the figures are real, not an empty database
    ms = sorted(t * 1000 for t in times)
    print(f"{kind}: {wards} wards seeded in {seeded:.0f} s; one ward_stats per ward: "
          f"median {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, "
          f"all {wards} wards {sum(ms) / 1000:.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wards", type=int, default=100)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        asyncio.run(run(kind, args.wards))


if __name__ == "__main__":
    main()
