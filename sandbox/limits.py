"""Telegram flood limits, enforced with GCRA arithmetic (no timers, no sleeps).

The exact rule (per bot token; only *successful* calls consume capacity):

* Limited methods: every ``send*`` method except ``sendChatAction``, ``copyMessage(s)``,
  ``forwardMessage(s)`` and every ``edit*`` method.  ``deleteMessage``, ``answer*``,
  ``pin*``, getters, ``getUpdates`` and webhook methods are never limited.
* Each limit is a GCRA bucket with emission interval ``T`` and burst ``B``.  A call at
  time ``t`` is allowed iff ``t >= TAT - ((B - 1) * T + 0.05)`` where ``TAT`` is the bucket's
  theoretical arrival time (``t`` for a fresh bucket); when the call succeeds
  ``TAT = max(TAT, t) + T``.  The 50 ms slack absorbs clock/scheduling jitter so a perfectly
  paced client is never refused.
* Global bucket: ``T = 1 / global_rate`` (default 30/s), ``B = max(1, global_rate // 10)``
  (3 at the default rate).
* Private chat (positive chat id): ``T = 1 s``, ``B = 1`` - one message per second.
* Group or supergroup (negative chat id): ``T = 3 s``, ``B = 3`` - 20 messages per minute
  with a burst of three.
* A call must pass the global bucket and its chat bucket.  A media group counts as one call.
* On refusal the reply is ``429 Too Many Requests: retry after N`` with
  ``N = max(1, ceil(seconds until the call would be allowed))``.
"""

from __future__ import annotations

import math

__all__ = ["LIMITED_EXTRA", "FloodLimiter", "is_limited"]

SLACK = 0.05
PRIVATE_INTERVAL, PRIVATE_BURST = 1.0, 1
GROUP_INTERVAL, GROUP_BURST = 3.0, 3

LIMITED_EXTRA = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def is_limited(method: str) -> bool:
    """Whether ``method`` (canonical spelling) counts against the flood limits."""
    if method.startswith("send"):
        return method != "sendChatAction"
    return method.startswith("edit") or method in LIMITED_EXTRA


class FloodLimiter:
    """Global + per-chat GCRA buckets keyed by bot token."""

    def __init__(self, global_rate: float = 30.0, enabled: bool = True) -> None:
        self.enabled = enabled
        self._tat: dict[tuple[str, int | str | None], float] = {}
        self.global_rate = global_rate

    @property
    def global_rate(self) -> float:
        """Allowed limited calls per second across all chats of one token."""
        return self._global_rate

    @global_rate.setter
    def global_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("global_rate must be positive")
        self._global_rate = float(rate)
        self._global_interval = 1.0 / rate
        burst = max(1, int(rate // 10))
        self._global_tolerance = (burst - 1) * self._global_interval + SLACK

    def reset(self) -> None:
        """Forget all buckets (every chat starts fresh)."""
        self._tat.clear()

    @staticmethod
    def _chat_rule(chat_id: int) -> tuple[float, float]:
        if chat_id > 0:
            return PRIVATE_INTERVAL, (PRIVATE_BURST - 1) * PRIVATE_INTERVAL + SLACK
        return GROUP_INTERVAL, (GROUP_BURST - 1) * GROUP_INTERVAL + SLACK

    def wait_time(self, token: str, chat_id: int | None, now: float) -> float:
        """Seconds until a limited call to ``chat_id`` would be allowed (0 = allowed now)."""
        if not self.enabled:
            return 0.0
        tat = self._tat
        wait = tat.get((token, None), now) - self._global_tolerance - now
        if chat_id is not None:
            _, tolerance = self._chat_rule(chat_id)
            wait = max(wait, tat.get((token, chat_id), now) - tolerance - now)
        return wait if wait > 0 else 0.0

    def commit(self, token: str, chat_id: int | None, now: float) -> None:
        """Consume one unit of capacity for a successful limited call."""
        if not self.enabled:
            return
        tat = self._tat
        key: tuple[str, int | str | None] = (token, None)
        tat[key] = max(tat.get(key, now), now) + self._global_interval
        if chat_id is not None:
            interval, _ = self._chat_rule(chat_id)
            key = (token, chat_id)
            tat[key] = max(tat.get(key, now), now) + interval

    @staticmethod
    def retry_after(wait: float) -> int:
        """``retry_after`` value Telegram would report for a wait of ``wait`` seconds."""
        return max(1, math.ceil(wait))
