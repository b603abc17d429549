"""Questions as tickets: opening one, abuse limits, the resident's follow-ups, lookups.

Staff actions (take, answer, close, spam, ...) live in `ticket_actions`; both write every status
change to `ticket_events` with who and when.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.config import Settings
from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.pseudonyms import pseudonym
from bot.services.triage.sla import WorkingTime
from models import (
    AbuseMark,
    AskBlock,
    Direction,
    Household,
    LinkSide,
    Resident,
    ResidentialGroup,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketLink,
    TicketMessage,
    TicketStatus,
    Ward,
    utcnow,
)

MAX_TEXT = 3500  # leaves room for the card's header within Telegram's 4096
OPEN = (TicketStatus.NEW, TicketStatus.TAKEN, TicketStatus.ANSWERED)


@dataclass(frozen=True)
class Policy:
    """The triage settings as plain values."""

    first_response_hours: float
    working: WorkingTime
    max_open: int
    max_messages_per_hour: int
    max_photos: int
    reopen_days: int
    spam_block_hours: int
    key: bytes = b""  # the pseudonym salt: limits outlive /forget (bot.services.directory.erasure)

    @classmethod
    def from_settings(cls, s: Settings) -> Policy:
        return cls(
            s.triage_first_response_hours,
            WorkingTime.of(s.working_windows, s.working_days, s.holidays, s.tz),
            s.triage_max_open,
            s.triage_max_messages_per_hour,
            s.triage_max_photos,
            s.triage_reopen_days,
            s.triage_spam_block_hours,
            s.privacy_key,
        )


@dataclass(frozen=True)
class Asker:
    """Who asks, from where: a private chat, or a message in a residential group chat."""

    telegram_id: int
    name: str
    language: str
    ward_id: int
    group_id: int | None = None
    origin_chat_id: int | None = None
    origin_message_id: int | None = None


@dataclass(frozen=True)
class FollowUp:
    ticket: Ticket
    reopened: bool


async def asker_in_private(session: AsyncSession, resident: Resident | None) -> Asker:
    """A registered resident asking in private chat; the ward comes from their household."""
    if resident is None or resident.consent_at is None:
        raise Invalid("ask.need_start")
    household = resident.household
    if household is not None:
        ward_id, group_id = household.ward_id, household.group_id
    else:
        wards = list(await session.scalars(select(Ward.id).limit(2)))
        if len(wards) != 1:
            raise Invalid("ask.need_group")
        ward_id, group_id = wards[0], None
    return Asker(resident.telegram_id, resident.display_name, resident.language, ward_id, group_id)


async def check_can_ask(
    session: AsyncSession, telegram_id: int, policy: Policy, now: datetime, *, new: bool = True
) -> None:
    """Blocked senders, too many open questions, too many messages in the last hour.

    A person who erased their data is still counted through the marks left under their
    pseudonym: a question of the last day counts as open, a message of the last hour as sent.
    """
    subject = pseudonym(policy.key, telegram_id)
    until = await session.scalar(
        select(func.max(AskBlock.until)).where(
            (AskBlock.telegram_id == telegram_id) | (AskBlock.subject == subject)
        )
    )
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=now.tzinfo)
    if until is not None and until > now:
        raise Invalid("ask.blocked", until=until.astimezone(policy.working.tz).strftime(_FMT))
    if new:
        open_count = await session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.resident_tg_id == telegram_id, Ticket.status.in_(OPEN)
            )
        )
        open_count = (open_count or 0) + await _marks(
            session, subject, "question", now - timedelta(days=1)
        )
        if open_count >= policy.max_open:
            raise Invalid("ask.too_many_open", limit=policy.max_open)
    recent = await session.scalar(
        select(func.count(TicketMessage.id)).where(
            TicketMessage.author_id == telegram_id,
            TicketMessage.direction == Direction.IN,
            TicketMessage.created_at > now - timedelta(hours=1),
        )
    )
    recent = (recent or 0) + await _marks(session, subject, "message", now - timedelta(hours=1))
    if recent >= policy.max_messages_per_hour:
        raise Invalid("ask.too_many_messages", limit=policy.max_messages_per_hour)


async def _marks(session: AsyncSession, subject: str, kind: str, since: datetime) -> int:
    found = await session.scalar(
        select(func.count(AbuseMark.id)).where(
            AbuseMark.subject == subject, AbuseMark.kind == kind, AbuseMark.at > since
        )
    )
    return found or 0


_FMT = "%H:%M %d/%m/%Y"


# Characters that show nothing: format controls (zero-width space, joiners, marks, BOM),
# separators, and the blank letters that pass for text (Hangul fillers, the blank Braille cell).
_BLANK_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    return all(
        unicodedata.category(ch) in _BLANK_CATEGORIES or ch in _BLANK_LETTERS for ch in text
    )


def clean_text(text: str | None) -> str:
    """The question as written, trimmed; "" when nothing in it is visible.

    Over MAX_TEXT it is refused with its length rather than cut: one question is one card the
    staff can read and answer as a whole, and the person still has the text to shorten.
    """
    text = (text or "").strip()
    if is_blank(text):
        return ""
    if len(text) > MAX_TEXT:
        raise Invalid("ask.too_long", length=len(text), limit=MAX_TEXT)
    return text


async def open_ticket(
    session: AsyncSession,
    asker: Asker,
    text: str,
    photos: list[str],
    category: TicketCategory,
    policy: Policy,
    *,
    procedure_code: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket after the limits allow it; the deadline counts working time. Commits."""
    now = now or utcnow()
    text = clean_text(text)
    if not text:
        raise Invalid("ask.empty")
    await check_can_ask(session, asker.telegram_id, policy, now)
    ticket = Ticket(
        ward_id=asker.ward_id,
        group_id=asker.group_id,
        resident_tg_id=asker.telegram_id,
        resident_name=asker.name[:160],
        language=asker.language,
        origin_chat_id=asker.origin_chat_id,
        origin_message_id=asker.origin_message_id,
        category=category,
        status=TicketStatus.NEW,
        procedure_code=procedure_code,
        summary=" ".join(text.split())[:200],
        created_at=now,
        due_at=policy.working.add(now, policy.first_response_hours),
    )
    session.add(ticket)
    await session.flush()
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction=Direction.IN,
            author_id=asker.telegram_id,
            text=text,
            photos=photos[: policy.max_photos],
            created_at=now,
        )
    )
    session.add(
        TicketEvent(
            ticket_id=ticket.id, actor_id=asker.telegram_id, to_status=TicketStatus.NEW, at=now
        )
    )
    await session.commit()
    return ticket


async def get(session: AsyncSession, ticket_id: int) -> Ticket:
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None:
        raise NotFound("ticket.not_found", number=ticket_id)
    return ticket


async def first_message(session: AsyncSession, ticket_id: int) -> TicketMessage:
    found = await session.scalar(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(TicketMessage.id)
    )
    if found is None:
        raise NotFound("ticket.not_found", number=ticket_id)
    return found


async def link(
    session: AsyncSession, ticket_id: int, side: LinkSide, chat_id: int, message_id: int
) -> None:
    """Remember that this Telegram message belongs to the ticket (replies continue it)."""
    session.add(TicketLink(ticket_id=ticket_id, side=side, chat_id=chat_id, message_id=message_id))
    await session.commit()


async def by_link(
    session: AsyncSession, side: LinkSide, chat_id: int, message_id: int
) -> Ticket | None:
    return await session.scalar(
        select(Ticket)
        .join(TicketLink, TicketLink.ticket_id == Ticket.id)
        .where(
            TicketLink.side == side,
            TicketLink.chat_id == chat_id,
            TicketLink.message_id == message_id,
        )
        .execution_options(populate_existing=True)
    )


def add_event(
    session: AsyncSession,
    ticket: Ticket,
    to: TicketStatus,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    """Change the status (or note an action that keeps it), with who and when."""
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            actor_id=actor_id,
            from_status=ticket.status,
            to_status=to,
            note=note,
            at=now,
        )
    )
    ticket.status = to


async def add_follow_up(
    session: AsyncSession,
    ticket_id: int,
    telegram_id: int,
    text: str,
    photos: list[str],
    policy: Policy,
    *,
    now: datetime | None = None,
) -> FollowUp:
    """The resident writes again on the same ticket; a recently closed one reopens. Commits."""
    now = now or utcnow()
    ticket = await get(session, ticket_id)
    if ticket.resident_tg_id != telegram_id:
        raise Invalid("ticket.not_yours")
    text = clean_text(text)
    if not text and not photos:
        raise Invalid("ask.empty")
    if ticket.status is TicketStatus.CLOSED:
        if ticket.spam:
            raise Invalid("ticket.closed", number=ticket.id)
        closed_at = ticket.closed_at or now
        if now - closed_at > timedelta(days=policy.reopen_days):
            raise Invalid("ticket.closed_long_ago", number=ticket.id, days=policy.reopen_days)
    await check_can_ask(session, telegram_id, policy, now, new=False)
    reopened = ticket.status is TicketStatus.CLOSED
    if reopened:
        ticket.closed_at = None
        target = TicketStatus.TAKEN if ticket.assignee_id else TicketStatus.NEW
        add_event(session, ticket, target, telegram_id, now, note="reopened")
    elif ticket.status is TicketStatus.ANSWERED:
        add_event(session, ticket, TicketStatus.TAKEN, telegram_id, now, note="follow_up")
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction=Direction.IN,
            author_id=telegram_id,
            text=text,
            photos=photos[: policy.max_photos],
            created_at=now,
        )
    )
    await session.commit()
    return FollowUp(ticket, reopened)


@dataclass(frozen=True)
class CardInfo:
    """What the staff card shows besides the ticket row: the question, photos, where from."""

    text: str
    photos: int
    group: str | None
    address: str | None


async def card_info(session: AsyncSession, ticket: Ticket) -> CardInfo:
    first = await first_message(session, ticket.id)
    resident = await session.scalar(
        select(Resident)
        .where(Resident.telegram_id == ticket.resident_tg_id)
        .options(selectinload(Resident.household).selectinload(Household.group))
    )
    group: str | None
    address: str | None
    if resident is not None and resident.household is not None:
        group, address = resident.household.group.name, resident.household.address
    else:
        found = await session.get(ResidentialGroup, ticket.group_id) if ticket.group_id else None
        group, address = (found.name if found else None), None
    return CardInfo(first.text, len(first.photos or []), group, address)


async def set_card(session: AsyncSession, ticket: Ticket, chat_id: int, message_id: int) -> None:
    """Remember the staff card (edited on every change; replies to it answer). Commits."""
    ticket.staff_chat_id, ticket.staff_message_id = chat_id, message_id
    await link(session, ticket.id, LinkSide.STAFF, chat_id, message_id)


async def my_tickets(session: AsyncSession, telegram_id: int, limit: int = 10) -> list[Ticket]:
    return list(
        await session.scalars(
            select(Ticket)
            .where(Ticket.resident_tg_id == telegram_id)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
    )
