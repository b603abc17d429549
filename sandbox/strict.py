"""Strict flood limits: harsher than Telegram, so a sender that passes here passes there.

Telegram does not document its limiter precisely. This one assumes the worst of each rule:

* every window is a *sliding* window counted when the request **arrives** (after the simulated
  network delay, which the server draws with ±30 % jitter), so requests sent evenly but
  delayed unevenly bunch together and cross the window;
* global: at most ``global_rate`` limited calls in any one second, no burst allowance;
* private chat: at most one message in any one second; group: at most 20 in any 60 seconds;
* a refused call starts a flood wait (per token for the global window, per chat for a chat
  window): ``retry_after`` is the time until the window frees, at least one second, and
  every limited call that arrives during a flood wait is refused and **lengthens** it by
  ``penalty`` seconds (Telegram documents that ignoring ``retry_after`` makes it longer);
* optional 429 storms: for ``storm_seconds`` at a time every limited call is refused.

Only calls that pass consume capacity. Times are the server's monotonic clock; nothing here
sleeps.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["StrictLimiter"]

GROUP_WINDOW, GROUP_MAX = 60.0, 20
PRIVATE_WINDOW, PRIVATE_MAX = 1.0, 1
MAX_WAIT = 60.0  # a flood wait never grows beyond this


class StrictLimiter:
    """Sliding windows at arrival, lengthening flood waits, optional storms."""

    def __init__(self, global_rate: float = 30.0, *, penalty: float = 1.0) -> None:
        self.global_rate = global_rate
        self.penalty = penalty
        self._windows: dict[tuple[str, int | None], deque[float]] = {}
        self._flood: dict[tuple[str, int | None], float] = {}
        self.storm_until = 0.0

    @property
    def global_rate(self) -> float:
        return self._global_max

    @global_rate.setter
    def global_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("global_rate must be positive")
        self._global_max = float(rate)

    def reset(self) -> None:
        self._windows.clear()
        self._flood.clear()
        self.storm_until = 0.0

    def storm(self, now: float, seconds: float) -> None:
        """Refuse every limited call for ``seconds`` from ``now``."""
        self.storm_until = max(self.storm_until, now + seconds)

    def _rule(self, chat_id: int | None) -> tuple[float, int]:
        if chat_id is None:
            return 1.0, max(1, int(self._global_max))
        return (PRIVATE_WINDOW, PRIVATE_MAX) if chat_id > 0 else (GROUP_WINDOW, GROUP_MAX)

    def _window_wait(self, key: tuple[str, int | None], now: float) -> float:
        length, most = self._rule(key[1])
        window = self._windows.get(key)
        if not window:
            return 0.0
        while window and window[0] <= now - length:
            window.popleft()
        return window[0] + length - now if len(window) >= most else 0.0

    def _refuse(self, key: tuple[str, int | None], now: float, wait: float) -> float:
        """Record a refusal for ``key`` and return the flood wait it now has."""
        until = self._flood.get(key, 0.0)
        if until > now:  # sent during a flood wait: it gets longer
            until = min(now + MAX_WAIT, until + self.penalty)
        else:
            until = now + max(1.0, wait)
        self._flood[key] = until
        return until - now

    def wait_time(self, token: str, chat_id: int | None, now: float) -> float:
        """0 when a limited call arriving at ``now`` may pass; else the flood wait it starts or
        lengthens (so call this once per arriving request)."""
        if self.storm_until > now:
            return self.storm_until - now
        keys: list[tuple[str, int | None]] = [(token, None)]
        if chat_id is not None:
            keys.append((token, chat_id))
        worst = 0.0
        for key in keys:
            flooded = self._flood.get(key, 0.0) > now
            wait = self._window_wait(key, now)
            if flooded or wait > 0:
                worst = max(worst, self._refuse(key, now, wait))
        return worst

    def commit(self, token: str, chat_id: int | None, now: float) -> None:
        """A limited call passed: it takes its place in the windows."""
        self._windows.setdefault((token, None), deque()).append(now)
        if chat_id is not None:
            self._windows.setdefault((token, chat_id), deque()).append(now)
        if len(self._windows) > 200_000:  # forget chats with nothing left in their window
            self._windows = {
                k: w for k, w in self._windows.items() if w and w[-1] > now - GROUP_WINDOW
            }

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
