"""Acknowledgements: a household pressed "Đã nhận" under a notice (one per household)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("notice_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)  # who pressed, for their /mydata
    chat_id: Mapped[int] = mapped_column(BigInteger)  # where: the group chat or a private chat
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
