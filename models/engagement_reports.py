"""Street reports: a resident's photo of a blocked drain or a dark lamp, with its public status.

The status follows Open311 (received → acknowledged → in_progress → resolved → closed); each
change is one `street_report_events` row with the public note shown on the web page. The
reporter's Telegram id is the only thing naming a person: /forget sets it to NULL and the
report stays, anonymous.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class StreetReport(Base):
    __tablename__ = "street_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    reporter_tg_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    category: Mapped[str] = mapped_column(String(16))
    photos: Mapped[list[str]] = mapped_column(JSON)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StreetReportEvent(Base):
    """One status change (or a note on the same status), with its public note."""

    __tablename__ = "street_report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("street_reports.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(255))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # a team member; NULL once forgotten
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
