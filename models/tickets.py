"""Questions and triage: tickets, their messages and history, the staff inbox, FAQ, blocks."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow


class TicketStatus(enum.StrEnum):
    NEW = "new"
    TAKEN = "taken"
    ANSWERED = "answered"
    CLOSED = "closed"


class TicketCategory(enum.StrEnum):
    PROCEDURE = "procedure"
    COMPLAINT = "complaint"
    EMERGENCY = "emergency"
    OTHER = "other"


class Direction(enum.StrEnum):
    IN = "in"  # from the resident
    OUT = "out"  # from the team to the resident


class LinkSide(enum.StrEnum):
    STAFF = "staff"  # a message in the staff group (the card, a relayed follow-up)
    RESIDENT = "resident"  # a message the resident sees (private chat or their group thread)


class StaffChat(Base):
    """The Telegram group where a ward's digital-technology team receives questions."""

    __tablename__ = "staff_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_title: Mapped[str | None] = mapped_column(String(255))
    bound_by: Mapped[int] = mapped_column(BigInteger)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ticket(Base):
    """One question; its id is the number people see (#123)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_resident_status", "resident_tg_id", "status"),
        Index("ix_tickets_ward_status", "ward_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="SET NULL")
    )
    resident_tg_id: Mapped[int] = mapped_column(BigInteger)
    resident_name: Mapped[str] = mapped_column(String(160))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    origin_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # set when asked in a group
    origin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    category: Mapped[TicketCategory] = mapped_column(str_enum(TicketCategory))
    status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus), default=TicketStatus.NEW)
    procedure_code: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    assignee_name: Mapped[str | None] = mapped_column(String(160))
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the card
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id", cascade="all, delete-orphan"
    )


class TicketMessage(Base):
    """A message of the conversation: the question, follow-ups, answers."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    author_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # Telegram file_ids
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class TicketLink(Base):
    """A Telegram message that belongs to a ticket, so a reply to it continues that ticket."""

    __tablename__ = "ticket_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[LinkSide] = mapped_column(str_enum(LinkSide))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class TicketEvent(Base):
    """Status history: who changed what, when (note: escalated, spam, reopened, ...)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # None = the system (SLA job)
    from_status: Mapped[TicketStatus | None] = mapped_column(str_enum(TicketStatus))
    to_status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus))
    note: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketRating(Base):
    """The resident's verdict on a closed ticket."""

    __tablename__ = "ticket_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    good: Mapped[bool] = mapped_column(Boolean)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FaqEntry(Base):
    """A question and answer the team chose to reuse; offered before a similar ticket opens."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(String(400))  # folded words, space separated
    source_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL")
    )
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AskBlock(Base):
    """A sender who may not ask until `until` (set when a question is marked spam).

    When the person erases their data, `telegram_id` is cleared and the block stays keyed by
    `subject`, a salted one-way hash of the id (bot.services.directory.pseudonyms), so /forget
    does not lift it.
    """

    __tablename__ = "ask_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
