"""What the team does with a ticket: take, answer, escalate, close, mark spam; the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid
from bot.services.directory.roles import Principal
from bot.services.triage.tickets import OPEN, add_event, get
from models import (
    AskBlock,
    Direction,
    Role,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketRating,
    TicketStatus,
    rowcount,
    utcnow,
)

STAFF = (Role.TECH_TEAM, Role.WARD_OFFICIAL, Role.WARD_ADMIN)
OFFICIALS = (Role.WARD_OFFICIAL, Role.WARD_ADMIN)


class AlreadyTaken(Invalid):
    key = "ticket.taken_by"


@dataclass(frozen=True)
class Queue:
    new: list[Ticket]
    mine: list[Ticket]
    overdue: list[Ticket]


def ensure_staff(principal: Principal | None, ward_id: int) -> Principal:
    """The team of this ward (tech team, officials, administrators), checked on every press."""
    if principal is None or not principal.has(*STAFF, ward_id=ward_id):
        raise Forbidden("ticket.not_staff")
    return principal


def staff_wards(principal: Principal | None) -> set[int] | None:
    """Wards whose queue this person sees; None = every ward (superadmin)."""
    if principal is None:
        return set()
    if principal.superadmin:
        return None
    return {g.ward_id for g in principal.grants if g.role in STAFF}


async def _open_ticket_for(
    session: AsyncSession, ticket_id: int, principal: Principal | None
) -> tuple[Ticket, Principal]:
    """The ticket, if still open and the caller is on its ward's team."""
    ticket = await get(session, ticket_id)
    staff = ensure_staff(principal, ticket.ward_id)
    if ticket.status is TicketStatus.CLOSED:
        raise Invalid("ticket.closed", number=ticket_id)
    return ticket, staff


async def take(
    session: AsyncSession,
    ticket_id: int,
    principal: Principal | None,
    name: str,
    *,
    now: datetime | None = None,
) -> Ticket:
    """Claim a new ticket. One conditional UPDATE decides: exactly one of two presses wins."""
    now = now or utcnow()
    ticket = await get(session, ticket_id)
    staff = ensure_staff(principal, ticket.ward_id)
    won = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.NEW)
        .values(status=TicketStatus.TAKEN, assignee_id=staff.telegram_id, assignee_name=name)
        .execution_options(synchronize_session=False)
    )
    if rowcount(won) != 1:
        await session.rollback()
        ticket = await get(session, ticket_id)
        if ticket.status is TicketStatus.CLOSED:
            raise Invalid("ticket.closed", number=ticket_id)
        raise AlreadyTaken(number=ticket_id, by=ticket.assignee_name or "?")
    session.add(
        TicketEvent(
            ticket_id=ticket_id,
            actor_id=staff.telegram_id,
            from_status=TicketStatus.NEW,
            to_status=TicketStatus.TAKEN,
            at=now,
        )
    )
    await session.commit()
    return await get(session, ticket_id)


async def record_answer(
    session: AsyncSession,
    ticket_id: int,
    principal: Principal | None,
    name: str,
    text: str,
    photos: list[str],
    *,
    now: datetime | None = None,
) -> Ticket:
    """Store the team's answer; the first one stops the response-time clock. Commits."""
    now = now or utcnow()
    ticket, staff = await _open_ticket_for(session, ticket_id, principal)
    if not text.strip() and not photos:
        raise Invalid("answer.empty")
    if ticket.assignee_id is None:
        ticket.assignee_id, ticket.assignee_name = staff.telegram_id, name[:160]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            direction=Direction.OUT,
            author_id=staff.telegram_id,
            text=text.strip(),
            photos=photos,
            created_at=now,
        )
    )
    add_event(session, ticket, TicketStatus.ANSWERED, staff.telegram_id, now)
    await session.commit()
    return ticket


async def close(
    session: AsyncSession,
    ticket_id: int,
    principal: Principal | None,
    *,
    now: datetime | None = None,
) -> Ticket:
    now = now or utcnow()
    ticket, staff = await _open_ticket_for(session, ticket_id, principal)
    ticket.closed_at = now
    add_event(session, ticket, TicketStatus.CLOSED, staff.telegram_id, now)
    await session.commit()
    return ticket


async def mark_spam(
    session: AsyncSession,
    ticket_id: int,
    principal: Principal | None,
    block_hours: int,
    *,
    now: datetime | None = None,
) -> tuple[Ticket, datetime | None]:
    """Close without an answer and block the sender for `block_hours` (0: no block). Audited."""
    now = now or utcnow()
    ticket, staff = await _open_ticket_for(session, ticket_id, principal)
    ticket.closed_at, ticket.spam = now, True
    add_event(session, ticket, TicketStatus.CLOSED, staff.telegram_id, now, note="spam")
    until = now + timedelta(hours=block_hours) if block_hours else None
    if until is not None:
        session.add(
            AskBlock(
                telegram_id=ticket.resident_tg_id,
                until=until,
                ticket_id=ticket.id,
                created_by=staff.telegram_id,
            )
        )
    audit.record(
        session,
        "ticket.spam",
        actor_id=staff.telegram_id,
        target=f"ticket:{ticket.id}",
        blocked_hours=block_hours,
    )
    await session.commit()
    return ticket, until


async def escalate(
    session: AsyncSession,
    ticket_id: int,
    principal: Principal | None,
    *,
    now: datetime | None = None,
) -> Ticket:
    """A team member hands the ticket to the ward officials (noted in the history)."""
    now = now or utcnow()
    ticket, staff = await _open_ticket_for(session, ticket_id, principal)
    ticket.escalated_at = ticket.escalated_at or now
    add_event(session, ticket, ticket.status, staff.telegram_id, now, note="escalated")
    await session.commit()
    return ticket


async def note_system(session: AsyncSession, ticket: Ticket, note: str, now: datetime) -> None:
    """An action by the SLA job (reminded, escalated), kept in the history; commits."""
    add_event(session, ticket, ticket.status, None, now, note=note)
    await session.commit()


async def rate(session: AsyncSession, ticket_id: int, telegram_id: int, good: bool) -> Ticket:
    """The asker rates a closed ticket once; commits."""
    ticket = await get(session, ticket_id)
    if ticket.resident_tg_id != telegram_id:
        raise Forbidden("ticket.not_yours")
    if await session.scalar(select(TicketRating.id).where(TicketRating.ticket_id == ticket_id)):
        raise Invalid("rating.already")
    session.add(TicketRating(ticket_id=ticket_id, good=good))
    await session.commit()
    return ticket


async def queue(
    session: AsyncSession,
    principal: Principal | None,
    *,
    now: datetime | None = None,
    limit: int = 10,
) -> Queue:
    """New tickets (oldest first), the caller's open ones, and overdue ones without an answer."""
    now = now or utcnow()
    wards = staff_wards(principal)
    if wards is not None and not wards:
        raise Forbidden("ticket.not_staff")
    base = select(Ticket).where(Ticket.status.in_(OPEN))
    if wards is not None:
        base = base.where(Ticket.ward_id.in_(wards))
    me = principal.telegram_id if principal else 0

    async def rows(stmt: Select[tuple[Ticket]]) -> list[Ticket]:
        return list(await session.scalars(stmt.limit(limit)))

    return Queue(
        new=await rows(base.where(Ticket.status == TicketStatus.NEW).order_by(Ticket.id)),
        mine=await rows(base.where(Ticket.assignee_id == me).order_by(Ticket.id)),
        overdue=await rows(
            base.where(Ticket.first_response_at.is_(None), Ticket.due_at <= now).order_by(
                Ticket.due_at
            )
        ),
    )
