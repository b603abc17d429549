"""Rate limiting with GCRA: one global gate, per-chat pacing, and priority lanes.

GCRA (generic cell rate algorithm) keeps one number per bucket, the theoretical arrival time
(TAT). A request at `now` may go when `now >= TAT - tolerance`; taking it moves TAT to
`max(TAT, now) + interval`. No sleeps between sends: a caller waits exactly until its slot.

Lanes: 0 = replies to people (handlers), 1 = emergency, 2 = urgent, 3 = normal. One gatekeeper
hands out global slots strictly in lane order, so a 100,000-chat broadcast never starves a reply.
Telegram's 429 pauses the whole gate for `retry_after`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

REPLY_LANE = 0
PRIVATE_INTERVAL = 1.0  # Telegram: 1 message per second per private chat
GROUP_INTERVAL = 3.0  # Telegram: 20 messages per minute per group


class Gcra:
    """One GCRA bucket: `rate` per second with a burst of `burst`."""

    __slots__ = ("interval", "tat", "tolerance")

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (max(1, burst) - 1) * self.interval
        self.tat = 0.0

    def wait(self, now: float) -> float:
        return max(0.0, self.tat - self.tolerance - now)

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.interval


class GlobalGate(Protocol):
    """Where global slots come from: this process, or Redis shared by several instances."""

    async def try_take(self) -> float:
        """Take a slot and return 0, or return seconds to wait (nothing taken)."""
        ...

    async def pause(self, seconds: float) -> None: ...


def global_burst(rate: float) -> int:
    """Slots that may go back to back. Two at least: a timer that fires a little late would
    otherwise lose its slot for good (GCRA restarts from now); more at high rates, because the
    event loop cannot sleep for fractions of a millisecond. The long-run rate is unchanged."""
    return max(2, int(rate // 50))


class LocalGate:
    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.bucket = Gcra(rate, global_burst(rate))
        self.clock = clock
        self.paused_until = 0.0

    async def try_take(self) -> float:
        now = self.clock()
        wait = max(self.paused_until - now, self.bucket.wait(now))
        if wait > 0:
            return wait
        self.bucket.take(now)
        return 0.0

    async def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)


class Limiter:
    """Global slots by lane, plus per-chat pacing (checked by the caller before acquiring)."""

    def __init__(self, gate: GlobalGate, clock: Callable[[], float] = time.monotonic) -> None:
        self.gate = gate
        self.clock = clock
        self._chats: dict[int, Gcra] = {}
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._keeper: asyncio.Task[None] | None = None

    async def acquire(self, lane: int) -> None:
        """Wait for a global slot; lower lanes first, first come first served within a lane."""
        if not self._waiters and await self.gate.try_take() == 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (lane, next(self._seq), fut))
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep())
        await fut

    async def _keep(self) -> None:
        while self._waiters:
            _lane, _seq, fut = self._waiters[0]
            if fut.done():  # the waiter was cancelled
                heapq.heappop(self._waiters)
                continue
            wait = await self.gate.try_take()
            if wait == 0:
                heapq.heappop(self._waiters)
                fut.set_result(None)
                continue
            # Sleep until the slot; a new waiter cannot be served earlier than the head.
            await asyncio.sleep(wait)

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        await self.gate.pause(seconds)

    def chat_wait(self, chat_id: int) -> float:
        bucket = self._chats.get(chat_id)
        return bucket.wait(self.clock()) if bucket else 0.0

    def chat_take(self, chat_id: int) -> None:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            interval = PRIVATE_INTERVAL if chat_id > 0 else GROUP_INTERVAL
            bucket = self._chats[chat_id] = Gcra(1.0 / interval)
        bucket.take(self.clock())
        if len(self._chats) > 200_000:  # forget chats whose slot is long past
            now = self.clock()
            self._chats = {c: b for c, b in self._chats.items() if b.tat > now}
