"""The sample ward with three weeks of life: chats bound to most groups, residents (some who
joined before the period), notices and events, deliveries that went well and badly,
acknowledgements early and late, attendance, questions with ratings, scans, gaps, lookups
(the ward's and others), and daily chat member counts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.seed import seed_sample
from broadcasts import audience, outbox
from models import (
    Acknowledgement,
    Attendance,
    ChatMemberSample,
    ChatStatus,
    Delivery,
    DeliveryStatus,
    Household,
    Lookup,
    Notice,
    Procedure,
    ProcedureScan,
    Resident,
    ResidentialGroup,
    SearchGap,
    Ticket,
    TicketCategory,
    TicketRating,
    Ward,
)
from models.clock import ManualClock
from models.engagement import Checkin, CheckinAnswer, Consultation, ConsultVote
from models.engagement_reports import StreetReport
from tests.conftest import HCM

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 24)
EVENT_LEADS = {12: timedelta(days=2), 19: timedelta(days=5, hours=3)}  # notice day → lead


def at(day: int, hour: int = 8, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=HCM)


async def build(session: AsyncSession, clock: ManualClock) -> None:
    rnd = random.Random(7)
    await seed_sample(session)
    ward = (await session.scalars(select(Ward))).one()
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    for i, g in enumerate(groups[:-2]):  # the last two groups have no chat yet
        g.chat_id, g.chat_status = -100_500 - i, ChatStatus.ACTIVE
    for i, g in enumerate(groups[:3]):  # member counts sampled for three groups
        for day, members in ((at(30, 9, 10), 20), (at(1, 9), 30 + i), (at(10, 9), 33 + i),
                             (at(24, 8), 35 + 2 * i)):  # fmt: skip
            session.add(ChatMemberSample(group_id=g.id, day=day.date(), members=members, at=day))
    households = list(await session.scalars(select(Household).order_by(Household.id)))
    for i, h in enumerate(households):
        if rnd.random() < 0.6:
            consent = rnd.choice([at(2), at(15, 8, 10), at(20)]) if rnd.random() < 0.9 else None
            session.add(Resident(telegram_id=900_000 + i, display_name=f"R{i}",
                                 household_id=h.id, consent_at=consent,
                                 private_notices=rnd.random() < 0.3))  # fmt: skip
    await session.commit()
    for mday in (20, 5, 12, 19, 23):  # 20 October is before the period
        clock.set(at(mday) if mday != 20 else at(20, 8, 10))
        n, _ = await outbox.enqueue(
            session, ward_id=ward.id, text=f"Thông báo ngày {mday}", audience=audience.spec("ward")
        )
        assert n.queued_at is not None
        if mday in EVENT_LEADS:
            await session.execute(update(Notice).where(Notice.id == n.id).values(
                kind="event", event_at=n.queued_at + EVENT_LEADS[mday]))  # fmt: skip
        for d in await session.scalars(select(Delivery).where(Delivery.notice_id == n.id)):
            fate = rnd.random()
            if fate < 0.8:
                d.status = DeliveryStatus.SENT
                d.sent_at = n.queued_at + timedelta(seconds=rnd.choice([2, 20, 90, 600]))
            elif fate < 0.88:
                d.status, d.last_error = DeliveryStatus.FAILED, "Forbidden: bot was blocked"
            elif fate < 0.93:
                d.status, d.last_error = DeliveryStatus.FAILED, "Bad Request: chat not found"
            else:
                d.status = DeliveryStatus.UNKNOWN
    await session.commit()
    notices = list(await session.scalars(select(Notice).order_by(Notice.id)))
    registered = list(await session.scalars(
        select(Resident).where(Resident.consent_at.is_not(None))))  # fmt: skip
    for n in notices:
        assert n.queued_at is not None
        for r in registered:
            if rnd.random() < 0.5:
                delay = timedelta(hours=rnd.choice([1, 5, 23, 30, 50]), minutes=rnd.randrange(60))
                session.add(Acknowledgement(notice_id=n.id, household_id=r.household_id,
                                            telegram_id=r.telegram_id, chat_id=r.telegram_id,
                                            at=n.queued_at + delay))  # fmt: skip
            if n.event_at is not None and rnd.random() < 0.3:
                session.add(Attendance(notice_id=n.id, telegram_id=r.telegram_id,
                                       household_id=r.household_id,
                                       at=n.queued_at + timedelta(hours=3)))  # fmt: skip
        await session.commit()
    categories = list(TicketCategory)
    for i in range(9):
        asked = at(3 + 2 * i, 9 + i % 3)
        answered = asked + timedelta(minutes=rnd.choice([5, 30, 90, 600])) if i % 4 else None
        ticket = Ticket(ward_id=ward.id, resident_tg_id=900_000 + i, resident_name="R",
                        category=categories[i % len(categories)], summary="?",
                        created_at=asked, due_at=asked + timedelta(hours=4),
                        first_response_at=answered, spam=(i == 5),
                        group_id=groups[i % 3].id if i % 2 else None)  # fmt: skip
        session.add(ticket)
        await session.flush()
        if answered is not None and i % 3:
            session.add(TicketRating(ticket_id=ticket.id, good=i % 3 == 1,
                                     rated_at=answered + timedelta(hours=1)))  # fmt: skip
    for i in range(12):
        moment = at(2 + i, 7 + i % 5) if i else at(25, 8, 10)  # the first is before the period
        session.add(
            ProcedureScan(
                code=("1.001193", "2.000986", "1.003003")[i % 3],
                place=(None, "ubnd", "nvh")[i % 3 if i < 9 else 1],
                at=moment,
            )
        )
        if i % 2:
            query = ("dang ky xe", "cap so do")[i % 4 // 2]
            session.add(SearchGap(query=query, normalized=query, source="bot",
                                  at=moment + timedelta(hours=1)))  # fmt: skip
    session.add(Procedure(code="2.000986", field="ho_tich", title_vi="Đăng ký kết hôn",
                          title_en="Marriage", summary_vi="", summary_en="", where_vi="",
                          where_en="", portal_url="https://dichvucong.gov.vn"))  # fmt: skip
    sources = ("search", "inline", "qr", "card", "web")
    for i in range(40):  # the ward's, one with no ward, a few before and after the period
        moment = at(1 + i % 26, 6 + i % 15) if i % 9 else at(28, 20, 10)
        session.add(Lookup(at=moment, ward_id=None if i % 7 == 3 else ward.id,
                           code=None if i % 5 == 4 else ("1.001193", "2.000986", "1.003003",
                                                         "1.000656")[i % 4 if i < 30 else 1],
                           source=sources[i % 5 if i % 11 else 0]))  # fmt: skip
    await session.commit()
    await _engagement(session, ward.id, groups)
    clock.set(at(24, 9))


async def _engagement(session: AsyncSession, ward_id: int, groups: list[ResidentialGroup]) -> None:
    """Consultations (one before the period, one nobody voted in), check-ins (one every
    household answered, one with a household missing) and street reports (resolved or not,
    one received before the period, one resolved after it)."""
    homes: dict[int, list[Household]] = {}
    for g in groups[:3]:
        rows = select(Household).where(Household.group_id == g.id).order_by(Household.id)
        homes[g.id] = list(await session.scalars(rows))

    async def carrier() -> int:
        n = Notice(ward_id=ward_id, text="?")  # a draft: never queued, so never counted
        session.add(n)
        await session.flush()
        return n.id

    for day, month, gs, step in ((6, 11, groups[:2], 2), (25, 10, groups[:1], 1),
                                 (20, 11, groups[2:3], 0)):  # fmt: skip
        c = Consultation(ward_id=ward_id, notice_id=await carrier(), question="?",
                         options=["A", "B"], group_ids=[g.id for g in gs],
                         opens_at=at(day, 8, month), closes_at=at(day, 20, month),
                         created_by=1, created_at=at(day, 7, month))  # fmt: skip
        session.add(c)
        await session.flush()
        voters = [h for g in gs for h in homes[g.id]][::step] if step else []
        for i, h in enumerate(voters):
            session.add(ConsultVote(consultation_id=c.id, household_id=h.id, option=i % 2,
                                    mark="m", voter_id=1, paper=i == 0,
                                    at=at(day, 9 + i % 5, month)))  # fmt: skip
    for day, g, missing in ((8, groups[0], 0), (15, groups[1], 1)):
        k = Checkin(ward_id=ward_id, notice_id=await carrier(), title="?",
                    labels=["a", "b", "c"], group_ids=[g.id], created_by=1,
                    created_at=at(day, 6))  # fmt: skip
        session.add(k)
        await session.flush()
        for i, h in enumerate(homes[g.id][missing:]):
            session.add(CheckinAnswer(checkin_id=k.id, household_id=h.id,
                                      status=("an_toan", "can_ho_tro")[i % 2], answered_by=1,
                                      at=at(day, 6) + timedelta(minutes=7 + 13 * i)))  # fmt: skip
    for i, (received, waited) in enumerate(((at(3), 90), (at(7, 10), 600), (at(12, 14), 45),
                                             (at(18), None), (at(23, 20), 60 * 30),
                                             (at(28, 8, 10), 30))):  # fmt: skip
        resolved = received + timedelta(minutes=waited) if waited is not None else None
        session.add(StreetReport(ward_id=ward_id, reporter_tg_id=900_000 + i,
                                 category="drainage", photos=[], text="?",
                                 status="resolved" if resolved else "received",
                                 created_at=received, resolved_at=resolved))  # fmt: skip
    await session.commit()
