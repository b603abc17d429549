"""How long Loa keeps personal data, and the purge that enforces it (`loa privacy purge`).

Defaults (README "Privacy"): a question's text and photos 12 months after it was asked (long
enough for a follow-up, a complaint about the answer, a yearly report); the private chat of a
delivery 90 days (after that nobody corrects or recalls a notice); search and scan logs 180
days (the /gaps and /scans reports look at 30). What stays afterwards keeps no person: the
ticket's category, times and status, a delivery's status, nothing of a search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from models import (
    AbuseMark,
    AskBlock,
    Delivery,
    Direction,
    FsmRecord,
    ProcedureScan,
    SearchGap,
    TargetKind,
    Ticket,
    TicketLink,
    TicketMessage,
    TicketStatus,
    rowcount,
    utcnow,
)

MARK_DAYS = 2  # the longest window a limit looks back on is one day
DRAFT_DAYS = 30  # a conversation left half-way (a question draft, a typed address)


@dataclass(frozen=True)
class Periods:
    question_days: int
    delivery_days: int
    search_days: int

    @classmethod
    def from_settings(cls, s: Settings) -> Periods:
        return cls(s.retention_question_days, s.retention_delivery_days, s.retention_search_days)

    def question_until(self, asked_at: datetime) -> datetime:
        return asked_at + timedelta(days=self.question_days)


@dataclass(frozen=True)
class PurgeReport:
    questions: int
    deliveries: int
    searches: int
    scans: int
    drafts: int

    @property
    def total(self) -> int:
        return self.questions + self.deliveries + self.searches + self.scans + self.drafts


async def purge(
    session: AsyncSession, periods: Periods, *, now: datetime | None = None
) -> PurgeReport:
    """Erase or strip what is older than its period; audited when anything went. Commits."""
    now = now or utcnow()
    old = select(Ticket.id).where(
        Ticket.status == TicketStatus.CLOSED,
        Ticket.created_at < now - timedelta(days=periods.question_days),
        Ticket.resident_tg_id != 0,
    )
    ids = list(await session.scalars(old))
    if ids:
        await session.execute(
            update(TicketMessage)
            .where(TicketMessage.ticket_id.in_(ids))
            .values(text="", photos=[])
        )
        await session.execute(
            update(TicketMessage)
            .where(TicketMessage.ticket_id.in_(ids), TicketMessage.direction == Direction.IN)
            .values(author_id=0)
        )
        await session.execute(delete(TicketLink).where(TicketLink.ticket_id.in_(ids)))
        await session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(
                resident_tg_id=0,
                resident_name="",
                summary="",
                origin_chat_id=None,
                origin_message_id=None,
            )
        )
    deliveries = await session.execute(
        update(Delivery)
        .where(
            Delivery.target == TargetKind.RESIDENT,
            Delivery.chat_id > 0,
            Delivery.updated_at < now - timedelta(days=periods.delivery_days),
        )
        .values(chat_id=-Delivery.id, resident_id=None, message_ids=[])
    )
    search_cut = now - timedelta(days=periods.search_days)
    searches = await session.execute(delete(SearchGap).where(SearchGap.at < search_cut))
    scans = await session.execute(delete(ProcedureScan).where(ProcedureScan.at < search_cut))
    drafts = await session.execute(
        delete(FsmRecord).where(FsmRecord.updated_at < now - timedelta(days=DRAFT_DAYS))
    )
    await session.execute(delete(AbuseMark).where(AbuseMark.at < now - timedelta(days=MARK_DAYS)))
    await session.execute(delete(AskBlock).where(AskBlock.until < now))
    report = PurgeReport(
        len(ids),
        rowcount(deliveries),
        rowcount(searches),
        rowcount(scans),
        rowcount(drafts),
    )
    if report.total:
        audit.record(
            session,
            "privacy.purged",
            actor_id=None,
            actor_kind="system",
            questions=report.questions,
            deliveries=report.deliveries,
            searches=report.searches,
            scans=report.scans,
            drafts=report.drafts,
        )
    await session.commit()
    return report
