"""What must outlive a person's erasure, keyed by a pseudonym instead of their Telegram id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class AbuseMark(Base):
    """A question or message of a person who used /forget, so the limits still count it.

    `subject` is a salted one-way hash of the Telegram id (bot.services.directory.pseudonyms);
    the rows are written at erasure and purged once older than any limit's window
    (bot.services.directory.retention).
    """

    __tablename__ = "abuse_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # question | message
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
