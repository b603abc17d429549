"""/forget: erase a person from every table (Law 91/2025/QH15, right to erasure).

What must stay for the ward's record (a household's "Đã nhận", an event's head count, that a
notice reached N chats, the audit trail) stays without anything that points back to the person.
What must stay to stop abuse (spam blocks, the question limits) stays under a pseudonym.
tests/privacy/test_erasure.py dumps every table afterwards; a new table must be classified there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.directory.pseudonyms import pseudonym
from models import (
    AbuseMark,
    Acknowledgement,
    AskBlock,
    Attendance,
    AuditEntry,
    CheckinAnswer,
    ConsultVote,
    Delivery,
    Direction,
    FsmRecord,
    Household,
    LinkSide,
    Resident,
    SearchGap,
    StreetReport,
    StreetReportEvent,
    Ticket,
    TicketLink,
    TicketMessage,
    utcnow,
)


async def holds_anything(session: AsyncSession, telegram_id: int, key: bytes) -> bool:
    """Whether Loa keeps anything naming this person: a profile, or (never registered) a
    question asked in a group chat, an event they said they would attend, or a search
    nobody could answer (its words, under their pseudonym)."""
    for query in (
        select(Resident.id).where(Resident.telegram_id == telegram_id),
        select(Ticket.id).where(Ticket.resident_tg_id == telegram_id),
        select(Attendance.id).where(Attendance.telegram_id == telegram_id),
        select(StreetReport.id).where(StreetReport.reporter_tg_id == telegram_id),
        select(SearchGap.id).where(SearchGap.subject == pseudonym(key, telegram_id)),
    ):
        if await session.scalar(query.limit(1)) is not None:
            return True
    return False


async def staff_copies(session: AsyncSession, telegram_id: int) -> list[tuple[int, int]]:
    """(chat, message) of the team's copies of the person's questions in Telegram (the cards
    and relayed follow-ups in the staff group): rows go with /forget, so read them first."""
    asked = select(Ticket.id).where(Ticket.resident_tg_id == telegram_id)
    cards = await session.execute(
        select(Ticket.staff_chat_id, Ticket.staff_message_id).where(
            Ticket.resident_tg_id == telegram_id, Ticket.staff_message_id.is_not(None)
        )
    )
    links = await session.execute(
        select(TicketLink.chat_id, TicketLink.message_id).where(
            TicketLink.ticket_id.in_(asked), TicketLink.side == LinkSide.STAFF
        )
    )
    rows: list[tuple[int | None, int | None]] = [*cards.tuples(), *links.tuples()]
    return list(dict.fromkeys((c, m) for c, m in rows if c and m))


async def forget(
    session: AsyncSession, telegram_id: int, key: bytes, *, now: datetime | None = None
) -> bool:
    """Erase the person; False when Loa held nothing about them. Commits."""
    now = now or utcnow()
    if not await holds_anything(session, telegram_id, key):
        return False
    subject = pseudonym(key, telegram_id)
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))
    household_id = resident.household_id if resident else None
    if resident is not None:
        await session.delete(resident)
        await session.flush()
    await _keep_limits(session, telegram_id, subject, now)
    # Their questions go (messages, links, history and ratings cascade); an FAQ entry the team
    # wrote from one keeps its own words and loses the link.
    await session.execute(delete(Ticket).where(Ticket.resident_tg_id == telegram_id))
    # "Đã nhận" keeps counting for the household, "Tôi sẽ tham gia" for the head count; a
    # delivery row keeps its status for the notice's figures. None keeps who or which chat.
    await session.execute(
        update(Acknowledgement)
        .where(Acknowledgement.telegram_id == telegram_id)
        .values(telegram_id=0)
    )
    await session.execute(
        update(Acknowledgement).where(Acknowledgement.chat_id == telegram_id).values(chat_id=0)
    )
    # The unique (notice, person) and (notice, chat) keys need distinct stand-ins: -row id.
    await session.execute(
        update(Attendance)
        .where(Attendance.telegram_id == telegram_id)
        .values(telegram_id=-Attendance.id)
    )
    # A household's vote keeps counting, without who pressed (a leader's paper entry is theirs).
    await session.execute(
        update(ConsultVote).where(ConsultVote.voter_id == telegram_id).values(voter_id=0)
    )
    # A household's check-in answer stays (it is the household's), without who pressed or the
    # location the person sent; a leader's entry by phone is the leader's.
    await session.execute(
        update(CheckinAnswer)
        .where(CheckinAnswer.answered_by == telegram_id, CheckinAnswer.by_phone.is_(False))
        .values(answered_by=0, place=None)
    )
    # A street report stays on the ward's public list, anonymous; a team member's name on a
    # status change goes the same way.
    await session.execute(
        update(StreetReport)
        .where(StreetReport.reporter_tg_id == telegram_id)
        .values(reporter_tg_id=None)
    )
    await session.execute(
        update(StreetReportEvent)
        .where(StreetReportEvent.actor_id == telegram_id)
        .values(actor_id=None)
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == telegram_id)
        .values(chat_id=-Delivery.id, resident_id=None, message_ids=[])
    )
    # Conversation drafts (a question being written, an address being typed) in any chat.
    await session.execute(
        delete(FsmRecord).where(
            FsmRecord.key.like(f"%:{telegram_id}:%") | FsmRecord.key.like(f"%:{telegram_id}")
        )
    )
    await _drop_typed_address(session, household_id)
    # Searches nobody could answer: anonymous, but ours to find by the pseudonym, so they go.
    await session.execute(delete(SearchGap).where(SearchGap.subject == subject))
    for entry in await session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == telegram_id)
    ):
        entry.actor_id = None
        entry.actor_kind = "forgotten"
    audit.record(session, "resident.forgotten", actor_id=None, actor_kind="system")
    await session.commit()
    return True


async def _keep_limits(
    session: AsyncSession, telegram_id: int, subject: str, now: datetime
) -> None:
    """Spam blocks and the recent questions and messages, re-keyed to the pseudonym."""
    await session.execute(
        update(AskBlock)
        .where(AskBlock.telegram_id == telegram_id)
        .values(telegram_id=None, subject=subject)
    )
    asked = await session.scalars(
        select(Ticket.created_at).where(
            Ticket.resident_tg_id == telegram_id, Ticket.created_at > now - timedelta(days=1)
        )
    )
    session.add_all(AbuseMark(subject=subject, kind="question", at=at) for at in asked)
    written = await session.scalars(
        select(TicketMessage.created_at).where(
            TicketMessage.author_id == telegram_id,
            TicketMessage.direction == Direction.IN,
            TicketMessage.created_at > now - timedelta(hours=1),
        )
    )
    session.add_all(AbuseMark(subject=subject, kind="message", at=at) for at in written)


async def _drop_typed_address(session: AsyncSession, household_id: int | None) -> None:
    """An address the person typed (not on the ward's list) goes when nobody else lives there."""
    if household_id is None:
        return
    listed = await session.scalar(select(Household.listed).where(Household.id == household_id))
    others = await session.scalar(
        select(func.count(Resident.id)).where(Resident.household_id == household_id)
    )
    if listed is False and not others:
        await session.execute(delete(Household).where(Household.id == household_id))
