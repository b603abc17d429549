"""Indicators' own records: each ward's targets, daily group-chat member counts, and the
digests and alerts already sent (so none is sent twice)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.notices import Notice
from models.tickets import Ticket


class WardTarget(Base):
    """One target a ward's administrators set (keys: bot.services.stats.targets.DEFAULTS);
    a key without a row takes its default."""

    __tablename__ = "ward_targets"
    __table_args__ = (UniqueConstraint("ward_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMemberSample(Base):
    """Members of a group's chat (getChatMemberCount, bot included), once a local day."""

    __tablename__ = "chat_member_samples"
    __table_args__ = (UniqueConstraint("group_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("residential_groups.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    members: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatsMessage(Base):
    """A digest or alert that went out. (ward, kind, key) is unique, so two runs cannot both
    send it: `key` is the week's Monday for a digest; for an alert, the group and the day the
    condition began ("g12:2026-11-30"; a new key only after it cleared)."""

    __tablename__ = "stats_messages"
    __table_args__ = (UniqueConstraint("ward_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))  # digest | reach | silent
    key: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the condition ended


# Indicators read notices and questions by ward and time: these keep it to index ranges.
Index("ix_notices_ward_queued", Notice.ward_id, Notice.queued_at)
Index("ix_tickets_ward_created", Ticket.ward_id, Ticket.created_at)
