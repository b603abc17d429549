"""One-time sign-in links to the dashboard: a random token for the person, only its hash kept.

A token works once and for a few minutes. Who may sign in is not decided here: the dashboard
reloads the person's roles on every request, so a link of someone revoked since opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import Principal
from models import DashLoginToken, Role, rowcount


def may_request_link(principal: Principal) -> bool:
    """Officials and group leaders (what each sees is decided per request by the dashboard)."""
    return principal.superadmin or principal.has(
        Role.WARD_ADMIN, Role.WARD_OFFICIAL, Role.GROUP_LEADER
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession, telegram_id: int, now: datetime, ttl: timedelta
) -> str:
    """A new single-use token for `telegram_id`; expired ones are swept. Commits."""
    await session.execute(delete(DashLoginToken).where(DashLoginToken.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        DashLoginToken(
            token_hash=token_hash(token), telegram_id=telegram_id,
            created_at=now, expires_at=now + ttl,
        )
    )  # fmt: skip
    await session.commit()
    return token


async def redeem_token(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The Telegram id the token was issued to, or None (unknown, used or expired). The
    update is conditional, so two requests racing with one token cannot both win. Commits."""
    digest = token_hash(token)
    result = await session.execute(
        update(DashLoginToken)
        .where(
            DashLoginToken.token_hash == digest,
            DashLoginToken.used_at.is_(None),
            DashLoginToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if rowcount(result) != 1:
        await session.rollback()
        return None
    telegram_id = await session.scalar(
        select(DashLoginToken.telegram_id).where(DashLoginToken.token_hash == digest)
    )
    await session.commit()
    return telegram_id
