"""Notices and their outbox: one delivery row per target chat, each with its own status."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def priority(self) -> int:
        """Lane: lower goes first (0 is kept for replies to people)."""
        return {Urgency.EMERGENCY: 1, Urgency.URGENT: 2, Urgency.NORMAL: 3}[self]


class NoticeStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    QUEUED = "queued"  # deliveries exist; sent when due
    DONE = "done"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request was sent but no answer came: maybe delivered
    SKIPPED = "skipped"  # not sent on purpose: expired, opted out, unreachable before sending
    CANCELLED = "cancelled"


class DeliveryOp(enum.StrEnum):
    SEND = "send"
    EDIT = "edit"  # an update: edit the delivered copy to the notice's current version
    CANCEL = "cancel"  # a cancel: mark the delivered copy "ĐÃ HỦY" (or delete it)


class TargetKind(enum.StrEnum):
    GROUP = "group"
    RESIDENT = "resident"
    LEADER = "leader"
    TECH = "tech"
    OFFICIAL = "official"


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="notice")
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, 16), default=Urgency.NORMAL)
    status: Mapped[NoticeStatus] = mapped_column(
        str_enum(NoticeStatus, 16), default=NoticeStatus.DRAFT
    )
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    media_type: Mapped[str | None] = mapped_column(String(16))  # photo | document
    media_name: Mapped[str | None] = mapped_column(String(255))
    media_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pin: Mapped[bool] = mapped_column(default=False)
    cancel_mode: Mapped[str] = mapped_column(String(8), default="mark")  # mark | delete
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    # Who speaks, named in the header: "Ủy ban nhân dân Phường Sông Cầu", "Tổ trưởng Tổ 13"
    issuer: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Announcements (composed in Telegram): approval, events, reminders.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )  # a reminder's original notice: its buttons count for the parent
    event: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # place, eligible, bring
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_stage: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    remind_after_hours: Mapped[int | None] = mapped_column(SmallInteger)  # None: no reminder
    remind_stage: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    break_glass: Mapped[bool] = mapped_column(default=False, server_default=false())
    review_messages: Mapped[list[list[int]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )  # [chat_id, message_id] of each approval card, edited once decided
    # Control: every review round (submission, correction) gets its own cards; a card of an
    # older round decides nothing. A correction of an approved notice waits in pending_text.
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    author_name: Mapped[str | None] = mapped_column(String(160))
    decided_name: Mapped[str | None] = mapped_column(String(160))  # who approved/rejected/...
    cancelled_by: Mapped[int | None] = mapped_column(BigInteger)
    pending_text: Mapped[str | None] = mapped_column(Text)
    pending_by: Mapped[int | None] = mapped_column(BigInteger)
    pending_name: Mapped[str | None] = mapped_column(String(160))


class Attendance(Base):
    """ "Tôi sẽ tham gia" under an event notice: one per person."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("notice_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeTemplate(Base):
    """A template officials added (the shipped ones live in data/templates.yaml)."""

    __tablename__ = "notice_templates"
    __table_args__ = (UniqueConstraint("ward_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="notice")
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "chat_id"),
        Index("ix_deliveries_due", "status", "priority", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[TargetKind] = mapped_column(str_enum(TargetKind, 16))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="SET NULL")
    )
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL")
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 16), default=DeliveryStatus.PENDING
    )
    op: Mapped[DeliveryOp] = mapped_column(str_enum(DeliveryOp, 16), default=DeliveryOp.SEND)
    priority: Mapped[int] = mapped_column(SmallInteger, default=3)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    version_sent: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
