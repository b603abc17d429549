"""Consultations: a question put to the households of some groups, one vote per household.

A household's vote is one row (`consult_votes`, unique per consultation and household): a
second vote replaces the first by a compare-and-swap on its `mark`. The counts per option live in
`consult_tallies`, changed in the same transaction. In a secret ballot the vote row keeps no
option: `option` is NULL and `mark` is a keyed hash (HMAC with the server's privacy key) of
(consultation, household, option), which only the bot, holding the key, can test against the
few options to take a changed vote off its old count; nobody reading the tables can tell which
household chose what (see README "Consultations").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), unique=True
    )  # the notice that carries the question and its option buttons
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    group_ids: Mapped[list[int]] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    quorum_pct: Mapped[int] = mapped_column(SmallInteger, default=50, server_default="50")
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="SET NULL")
    )


class ConsultVote(Base):
    """A household's current vote (one row per household); `option` is NULL in secret ballots."""

    __tablename__ = "consult_votes"
    __table_args__ = (UniqueConstraint("consultation_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    option: Mapped[int | None] = mapped_column(SmallInteger)
    mark: Mapped[str] = mapped_column(String(64))
    voter_id: Mapped[int] = mapped_column(BigInteger)  # who pressed, or the leader for paper
    paper: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultTally(Base):
    """The count of one option: no timestamps, so a change cannot be matched to a vote row."""

    __tablename__ = "consult_tallies"
    __table_args__ = (UniqueConstraint("consultation_id", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    option: Mapped[int] = mapped_column(SmallInteger)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Checkin(Base):
    """A safety check-in: "is your household safe?", asked of the households of some groups."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), unique=True
    )  # the notice that carries the question and the three buttons
    title: Mapped[str] = mapped_column(Text)
    labels: Mapped[list[str]] = mapped_column(JSON)  # the three buttons, in the ward's language
    group_ids: Mapped[list[int]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinAnswer(Base):
    """A household's current answer (one row per household); a need is taken and closed here."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("checkin_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))  # an_toan | can_ho_tro | khong_co_nha
    need: Mapped[str | None] = mapped_column(String(16))  # y_te | so_tan | luong_thuc | khac
    place: Mapped[str | None] = mapped_column(Text)  # a typed address or "lat,lon"
    by_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    answered_by: Mapped[int] = mapped_column(BigInteger)  # who pressed, or the leader who phoned
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
