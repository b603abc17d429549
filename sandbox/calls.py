"""The call log: every API call the sandbox answered, plus awaitable waiters on it."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

__all__ = ["Call", "CallLog"]


@dataclass(slots=True, eq=False)
class Call:
    """One recorded API call (successful or refused).

    ``messages`` holds the messages a send*/copy/forward call created; ``result`` is what
    the bot received (``None`` for refused calls, see ``error``).
    """

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    mono: float
    unix: float
    seq: int = 0
    token: str = ""
    result: Any = None
    error: ApiError | None = None
    messages: list[dict[str, Any]] | None = None
    delivered_but_unanswered: bool = False
    fault: Any = None

    @property
    def ok(self) -> bool:
        """True when the call was answered with ``ok: true``."""
        return self.error is None

    @property
    def error_code(self) -> int | None:
        """HTTP error code of a refused call."""
        return None if self.error is None else self.error.code

    def __str__(self) -> str:
        outcome = "ok" if self.error is None else f"{self.error.code} {self.error.description}"
        text = self.params.get("text") or self.params.get("caption") or ""
        snippet = f" {str(text)[:40]!r}" if text else ""
        return f"#{self.seq} {self.method}(chat={self.chat_id}){snippet} -> {outcome}"


@dataclass(slots=True, eq=False)
class _Waiter:
    predicate: Callable[[Call], bool] | None
    count: int
    matched: list[Call]
    future: asyncio.Future[list[Call]]


class CallLog:
    """Recorded calls with O(1) recording and per-method waiters."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._by_method: defaultdict[str, list[Call]] = defaultdict(list)
        self._waiters: defaultdict[str, list[_Waiter]] = defaultdict(list)
        self.stats: dict[str, Any] = {
            "requests": 0,
            "ok": 0,
            "errors_by_code": {},
            "429s": 0,
            "inflight": 0,
            "max_inflight": 0,
            "uploads": 0,
            "file_id_resends": 0,
        }

    def clear_calls(self) -> None:
        """Forget every recorded call (e.g. between benchmark phases); waiters stay."""
        self.calls = []
        self._by_method.clear()

    def reset_stats(self) -> None:
        """Zero the request counters in :attr:`stats`."""
        inflight = self.stats["inflight"]
        for key, value in self.stats.items():
            self.stats[key] = {} if isinstance(value, dict) else 0
        self.stats["inflight"] = inflight

    def record(self, call: Call) -> None:
        """Append a call to the log and wake the waiters watching its method."""
        call.seq = len(self.calls)
        self.calls.append(call)
        key = call.method.lower()
        self._by_method[key].append(call)
        if call.error is None:
            waiters = self._waiters.get(key)
            if waiters:
                self._notify(waiters, call)

    @staticmethod
    def _notify(waiters: list[_Waiter], call: Call) -> None:
        for waiter in list(waiters):
            if waiter.future.done():
                waiters.remove(waiter)
                continue
            try:
                matches = waiter.predicate is None or waiter.predicate(call)
            except Exception as exc:  # a broken predicate fails its waiter, not the request
                waiter.future.set_exception(exc)
                waiters.remove(waiter)
                continue
            if matches:
                waiter.matched.append(call)
                if len(waiter.matched) >= waiter.count:
                    waiter.future.set_result(waiter.matched)
                    waiters.remove(waiter)

    def calls_for(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls (successful or not) filtered by method and/or chat id."""
        calls = self.calls if method is None else self._by_method.get(method.lower(), [])
        if chat_id is None:
            return list(calls)
        return [call for call in calls if call.chat_id == chat_id]

    def count(self, method: str, *, ok_only: bool = True) -> int:
        """How many calls of ``method`` were recorded (only successful ones by default)."""
        calls = self._by_method.get(method.lower(), [])
        if not ok_only:
            return len(calls)
        return sum(1 for call in calls if call.error is None)

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages created by successful send*/copy/forward calls, in order, as sent."""
        sent: list[dict[str, Any]] = []
        for call in self.calls:
            if call.messages and call.error is None:
                if chat_id is None or call.messages[0]["chat"]["id"] == chat_id:
                    sent.extend(call.messages)
        return sent

    def last_call(self, method: str | None = None) -> Call | None:
        """The most recent call (of ``method`` if given)."""
        calls = self.calls if method is None else self._by_method.get(method.lower())
        return calls[-1] if calls else None

    def describe_recent(self, limit: int = 15) -> str:
        """A readable listing of the latest calls (used in timeout messages)."""
        recent = self.calls[-limit:]
        if not recent:
            return "  (no calls recorded)"
        return "\n".join(f"  {call}" for call in recent)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> list[Call]:
        """Wait until ``count`` successful ``method`` calls matching ``predicate`` exist.

        Calls already recorded count too, unless they are older than ``since`` (an index
        into :attr:`calls`, e.g. ``len(sandbox.calls)`` taken before the action).
        Returns the first ``count`` matching calls; raises :class:`TimeoutError` listing the
        recent calls otherwise.
        """
        key = method.lower()
        matched = [
            call
            for call in self._by_method.get(key, [])
            if call.error is None and call.seq >= since and (predicate is None or predicate(call))
        ]
        if len(matched) >= count:
            return matched[:count]
        future: asyncio.Future[list[Call]] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, count, matched, future)
        self._waiters[key].append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"timed out after {timeout:g}s waiting for {count} successful {method} call(s)"
                f" (matched {len(waiter.matched)}); recent calls:\n{self.describe_recent()}"
            ) from None
        finally:
            if waiter in self._waiters[key]:
                self._waiters[key].remove(waiter)
