"""The audit log: who did what, when. It never stores a resident's personal data.

Callers of `record` pass ids and codes, never names or addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # Telegram id; None = CLI/system
    actor_kind: Mapped[str] = mapped_column(String(16), default="telegram")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(160))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None,
    target: str | None = None,
    actor_kind: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session; it commits with the caller's transaction."""
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        actor_kind=actor_kind or ("telegram" if actor_id is not None else "cli"),
        target=target,
        details=details,
    )
    session.add(entry)
    return entry
