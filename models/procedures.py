"""The procedure catalog, searches nobody could answer, and QR code scans by place."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Procedure(Base):
    """One guide of the catalog (data/procedures/<field>/<code>.yaml), imported whole."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # national code, 1.001193
    field: Mapped[str] = mapped_column(String(32), index=True)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    summary_vi: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    cases: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    where_vi: Mapped[str] = mapped_column(Text)
    where_en: Mapped[str] = mapped_column(Text)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    portal_url: Mapped[str] = mapped_column(String(500))
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified_on: Mapped[date | None] = mapped_column(Date)  # None: no official checked it
    verified_by: Mapped[str | None] = mapped_column(String(120))  # a role, never a name
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="in_force")
    replaced_by: Mapped[str | None] = mapped_column(String(16))
    check_at_counter_vi: Mapped[str | None] = mapped_column(Text)
    check_at_counter_en: Mapped[str | None] = mapped_column(Text)
    # indexed: every search checks max(updated_at) to see whether the catalog changed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchGap(Base):
    """A search with no good answer: what people look for that the catalog lacks.

    Only the text typed is kept (capped), never who typed it: `subject` is a salted one-way
    hash of the Telegram id or web address, used only to limit and deduplicate what one source
    can add (bot.services.procedures.gaps).
    """

    __tablename__ = "procedure_search_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    query: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200), index=True)  # grouped in /gaps
    source: Mapped[str] = mapped_column(String(16))  # bot, web
    best_code: Mapped[str | None] = mapped_column(String(16))
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    subject: Mapped[str | None] = mapped_column(String(64), index=True)


class ProcedureScan(Base):
    """A guide opened from a QR code or deep link; `place` is the tag printed in the code."""

    __tablename__ = "procedure_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    place: Mapped[str | None] = mapped_column(String(32))


class Lookup(Base):
    """A guide shown or searched for, in Telegram or on the web pages: when, where from, and
    in which ward (the person's registered household, else the group chat's ward, else none).
    No person: no Telegram id, no text typed. `code` is None for a search with no answer."""

    __tablename__ = "lookups"
    __table_args__ = (Index("ix_lookups_ward_id_at", "ward_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # search, inline, qr, card, web
