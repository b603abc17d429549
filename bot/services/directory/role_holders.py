"""Who holds a role at all, known without a query: almost every update comes from someone who
holds none (a resident pressing "Đã nhận", a stranger looking up a procedure), and asking the
database about their roles on each one was a round trip per update.

The set of telegram ids that hold any grant is read at most every REFRESH_SECONDS. It is only
ever used to skip the role query for ids *not* in it, so:
- a revocation takes effect at once: a holder's roles are always read from the database;
- a role granted by this process takes effect at once: every grant it writes (an ORM insert)
  marks the id as one to ask about;
- a role granted by another process (`loa admin add`, another instance) takes effect within
  REFRESH_SECONDS; until then that person is treated as holding none (refused, never more).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import Principal, load_principal
from models import RoleGrant

REFRESH_SECONDS = 5.0
_GRANTED: set[int] = set()  # granted a role by this process: always asked about


@event.listens_for(RoleGrant, "after_insert")
def _granted(mapper: Any, connection: Any, target: RoleGrant) -> None:
    _GRANTED.add(target.telegram_id)


class RoleHolders:
    """`principal()` as `load_principal` gives it, with no query for people holding no role."""

    def __init__(self, admin_ids: Iterable[int], refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.admin_ids = frozenset(admin_ids)
        self.refresh_seconds = refresh_seconds
        self._holders: frozenset[int] = frozenset()
        self._read_at = -float("inf")
        self._lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    async def principal(self, session: AsyncSession, telegram_id: int) -> Principal:
        if (
            telegram_id in self.admin_ids
            or telegram_id in _GRANTED
            or telegram_id in await self._current(session)
        ):
            return await load_principal(session, telegram_id, self.admin_ids)
        return Principal(telegram_id)

    async def _current(self, session: AsyncSession) -> frozenset[int]:
        if time.monotonic() - self._read_at < self.refresh_seconds:
            return self._holders
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        async with self._lock[1]:  # one read for a burst of updates
            if time.monotonic() - self._read_at >= self.refresh_seconds:
                started = time.monotonic()  # a grant committed during the read: next time
                ids = await session.scalars(select(RoleGrant.telegram_id).distinct())
                self._holders, self._read_at = frozenset(ids), started
        return self._holders
