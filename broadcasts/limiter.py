"""Rate limiting: one global gate under the control law, per-chat pacing, and priority lanes.

The gate paces sends evenly (GCRA: one number per bucket, the theoretical arrival time) at the
rate the control law allows (`broadcasts.control`): the configured rate is a ceiling, lowered by
what the measured latency jitter allows and by Telegram's 429s (AIMD). No sleeps between sends:
a caller waits exactly until its slot.

Lanes: 0 = replies to people (handlers), 1 = emergency, 2 = urgent, 3 = normal. One gatekeeper
hands out global slots strictly in lane order, so a 100,000-chat broadcast never starves a reply.
A 429 stops every lane at once, until the longest `retry_after` seen has passed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

from broadcasts.control import (
    SLACK,
    Aimd,
    Spread,
    chat_interval,
    inflight_for,
    latency_cap,
)

REPLY_LANE = 0
PRIVATE_INTERVAL, PRIVATE_MAX = 1.0, 1  # Telegram: 1 message per second per private chat
GROUP_INTERVAL, GROUP_MAX = 3.0, 20  # Telegram: 20 messages per minute per group


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

    ceiling: float
    rate: float  # the rate granted at the last take (for sizing the requests in flight)

    async def try_take(self, cap: float) -> float:
        """Take a slot at no more than `cap`/s and return 0, or return seconds to wait."""
        ...

    async def pause(self, seconds: float, cap: float) -> None:
        """Telegram said 429: wait `seconds`; a new episode lowers the rate."""
        ...


class LocalGate:
    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.ceiling = self.rate = rate
        self.aimd = Aimd(rate, clock())
        self.tat = 0.0
        self.paused_until = 0.0

    async def try_take(self, cap: float) -> float:
        now = self.clock()
        if self.paused_until > now:
            return self.paused_until - now
        self.rate = min(self.aimd.current(now), cap)
        if now < self.tat:
            return self.tat - now
        # A timer that fired late may catch up by SLACK, never more (no burst after idling).
        self.tat = max(self.tat, now - SLACK) + 1.0 / self.rate
        return 0.0

    async def pause(self, seconds: float, cap: float) -> None:
        now = self.clock()
        new = self.paused_until <= now  # answers to requests already in flight are not
        self.paused_until = max(self.paused_until, now + seconds)
        if new:
            self.aimd.decrease(now, min(self.rate, cap), self.paused_until)
        self.aimd.hold(self.paused_until)
        self.tat = max(self.tat, self.paused_until)  # resume paced, from the pause's end


class Limiter:
    """Global slots by lane, plus per-chat pacing (checked by the caller before acquiring)."""

    def __init__(self, gate: GlobalGate, clock: Callable[[], float] = time.monotonic) -> None:
        self.gate = gate
        self.clock = clock
        self.spread = Spread()
        self.paused_until = 0.0  # local copy of the pause: dispatch stops without a round trip
        self._chats: dict[int, Gcra] = {}
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._keeper: asyncio.Task[None] | None = None

    async def acquire(self, lane: int) -> None:
        """Wait for a global slot; lower lanes first, first come first served within a lane."""
        if not self._waiters and await self._try_take() == 0:
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
            wait = await self._try_take()
            if wait == 0:
                heapq.heappop(self._waiters)
                fut.set_result(None)
                continue
            # Sleep until the slot; a new waiter cannot be served earlier than the head.
            await asyncio.sleep(wait)

    async def _try_take(self) -> float:
        paused = self.paused_until - self.clock()
        return paused if paused > 0 else await self.gate.try_take(self.cap)

    @property
    def cap(self) -> float:
        """The rate the measured latency jitter allows."""
        return latency_cap(self.gate.ceiling, self.spread.value)

    def observe(self, rtt: float) -> None:
        """A request was answered after `rtt` seconds."""
        self.spread.add(rtt)

    def inflight(self) -> int:
        """How many requests may be in flight: the current rate times the round trip."""
        return inflight_for(min(self.gate.rate, self.cap), self.spread.slowest or 0.5)

    async def pause(self, seconds: float) -> bool:
        """Telegram said 429: nobody sends for `seconds` (from now: nothing more is started
        while this waits for Redis), and the rate goes down. True if this 429 started a new
        congestion episode (not an answer to a request sent before the pause)."""
        now = self.clock()
        new = self.paused_until <= now
        self.paused_until = max(self.paused_until, now + seconds)
        await self.gate.pause(seconds, self.cap)
        return new

    def chat_wait(self, chat_id: int) -> float:
        bucket = self._chats.get(chat_id)
        return bucket.wait(self.clock()) if bucket else 0.0

    def chat_take(self, chat_id: int) -> None:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            rule = (PRIVATE_INTERVAL, PRIVATE_MAX) if chat_id > 0 else (GROUP_INTERVAL, GROUP_MAX)
            interval = chat_interval(*rule, self.spread.value)
            bucket = self._chats[chat_id] = Gcra(1.0 / interval)
        bucket.take(self.clock())
        if len(self._chats) > 200_000:  # forget chats whose slot is long past
            now = self.clock()
            self._chats = {c: b for c, b in self._chats.items() if b.tat > now}
