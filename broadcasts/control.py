"""The rate control law: the configured rate is a ceiling, not a target.

Two bounds, the lower wins:

* **What latency allows.** Telegram counts its windows when a request *arrives*. Requests sent
  evenly arrive unevenly: if arrival delays vary by `spread` seconds, the sends of any
  `1 + spread` seconds can land in one second. So at most `ceiling / (1 + spread + slack)`
  per second never crosses a strict one-second window (`slack`: the catch-up the pacer allows
  after a late timer). `spread` is learned from the round trips the sender measures (the range
  of recent ones, less one outlier at each end), which also include the answer's way back, so
  the estimate errs on the safe side.
* **What Telegram says (AIMD).** A 429 when the gate is not already paused starts a congestion
  episode: the rate drops to `BETA` of what was being sent (once per episode: answers to
  requests already in flight do not lower it again), everything waits for the longest
  `retry_after` seen, and the rate then climbs back by `ALPHA` of the ceiling per second.
  Multiplicative decrease, additive increase: the rule that lets many senders share one limit
  without knowing it (TCP's), and it finds a real limit below the configured one.

After a pause the pacer starts from the pause's end with no credit: no burst after a pause.
"""

from __future__ import annotations

import math
from collections import deque

BETA = 0.75  # multiplicative decrease on a congestion episode
ALPHA = 0.03  # additive increase, share of the ceiling per second
FLOOR = 0.05  # never below this share of the ceiling
SLACK = 0.01  # seconds of catch-up after a late timer (the pacer's only burst)
SAMPLES = 256  # round trips kept for the spread estimate
FIRST = 16  # before this many round trips, assume the worst (spread = the slowest seen)


class Aimd:
    """Additive-increase, multiplicative-decrease state, with lazy (time-based) increase."""

    __slots__ = ("at", "ceiling", "rate")

    def __init__(self, ceiling: float, now: float) -> None:
        self.ceiling = ceiling
        self.rate = ceiling
        self.at = now

    def current(self, now: float) -> float:
        if now > self.at:
            self.rate = min(self.ceiling, self.rate + ALPHA * self.ceiling * (now - self.at))
            self.at = now
        return self.rate

    def decrease(self, now: float, sending: float, resume: float) -> None:
        """Congestion: drop to BETA of the rate really sent at (`sending`); climb again only
        from `resume` (the end of the pause) on."""
        rate = min(self.current(now), sending)
        self.rate = max(FLOOR * self.ceiling, rate * BETA)
        self.at = resume

    def hold(self, resume: float) -> None:
        """The pause grew longer: no climbing before it ends."""
        self.at = max(self.at, resume)


class Spread:
    """How much round trips vary (seconds), from the recent ones."""

    def __init__(self) -> None:
        self._samples: deque[float] = deque(maxlen=SAMPLES)
        self._count = 0
        self.value = 0.5  # nothing measured yet: assume a slow, jittery network
        self.slowest = 0.0

    def add(self, rtt: float) -> None:
        self._samples.append(rtt)
        self._count += 1
        if self._count < FIRST:
            self.slowest = max(self.slowest, rtt)
            self.value = self.slowest
        elif self._count % 8 == 0 or self._count == FIRST:
            ordered = sorted(self._samples)
            self.value = ordered[-2] - ordered[1]
            self.slowest = ordered[-2]


def latency_cap(ceiling: float, spread: float) -> float:
    """The highest rate whose sends never land more than `ceiling` in one second."""
    return ceiling / (1.0 + spread + SLACK)


def chat_interval(base: float, per_window: int, spread: float) -> float:
    """Seconds between two sends to one chat so that no window of `base * per_window` seconds
    receives more than `per_window` of them, however their arrivals shift."""
    return base + spread / per_window + 0.01


def inflight_for(rate: float, slowest: float) -> int:
    """Requests in flight needed to keep `rate` going at round trips of `slowest` seconds."""
    return max(4, min(1024, math.ceil(rate * max(slowest, 0.02) * 2) + 4))
