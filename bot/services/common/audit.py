"""Writing to the audit log. Callers pass ids and codes, never names or addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEntry


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
