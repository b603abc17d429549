"""The lease heartbeat: a live sender keeps the rows it holds, a dead one loses them fast.

Rows are claimed with a short lease (`broadcast_lease_seconds`, 10 s by default). While the
sender runs, it renews the lease of every row it still holds every third of a lease, so no row
is given up mid-broadcast however long it waits for its turn; when the process dies, the
renewals stop and another sender (or the restarted one) claims the rows once the lease ends.
Duplicates stay bounded by the requests in flight at the crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts import store
from broadcasts.store import Job

logger = logging.getLogger(__name__)


async def keep_leases(
    factory: async_sessionmaker[AsyncSession],
    claim_id: str,
    lease: timedelta,
    held: Callable[[], Iterable[Job]],
    halt: asyncio.Event,
) -> None:
    """Renew the leases of the rows `held()` until `halt` is set."""
    every = lease.total_seconds() / 3
    while not halt.is_set():
        try:
            await asyncio.wait_for(halt.wait(), every)
            return
        except TimeoutError:
            pass
        try:
            renewed_at, until = await store.renew(factory, claim_id, lease)
        except Exception:
            logger.exception("lease renewal failed")
            continue
        for job in held():  # only rows whose lease still held when it was renewed
            if job.lease_until > renewed_at:
                job.lease_until = until
