"""The sandbox's strict limiter: sliding windows at arrival, lengthening flood waits, storms."""

from __future__ import annotations

import random

import pytest

from sandbox import Sandbox
from sandbox.strict import StrictLimiter

GROUP, USER = -1001, 5


def _offer(limiter: StrictLimiter, chat: int | None, now: float) -> float:
    wait = limiter.wait_time("t", chat, now)
    if wait == 0:
        limiter.commit("t", chat, now)
    return wait


def test_global_window_is_sliding_and_has_no_burst() -> None:
    limiter = StrictLimiter(global_rate=30.0)
    for i in range(30):  # 30 in the first 0.29 s pass: the window is per second, not a pace
        assert _offer(limiter, None, 100.0 + i / 100) == 0
    assert _offer(limiter, None, 100.5) == pytest.approx(1.0)  # refused: a flood wait starts
    limiter.reset()
    for i in range(60):  # perfectly paced at 30/s: never refused
        assert _offer(limiter, None, 200.0 + i / 30) == 0
    # Evenly sent but unevenly delivered: two arrivals bunch, and the 31st is in one second.
    limiter.reset()
    arrivals = [300.0 + i / 30 for i in range(30)] + [300.0 + 29 / 30 + 0.03]
    assert [_offer(limiter, None, t) for t in arrivals].count(0) == 30


def test_flood_wait_lengthens_when_ignored() -> None:
    limiter = StrictLimiter(global_rate=2.0, penalty=1.0)
    assert _offer(limiter, None, 10.0) == 0 and _offer(limiter, None, 10.1) == 0
    first = _offer(limiter, None, 10.2)
    assert first == pytest.approx(1.0)  # the window frees at 11.0, but at least 1 s
    # The client keeps sending: each call in the wait is refused and the wait grows.
    assert _offer(limiter, None, 10.5) == pytest.approx(1.7)
    assert _offer(limiter, None, 10.6) == pytest.approx(2.6)
    assert _offer(limiter, None, 12.0) > 0  # would have passed had it obeyed the first wait
    assert _offer(limiter, None, 14.3) == 0  # after the (lengthened) wait, it passes
    assert StrictLimiter.retry_after(1.7) == 2


def test_private_and_group_windows() -> None:
    limiter = StrictLimiter(global_rate=1000.0)
    assert _offer(limiter, USER, 0.0) == 0
    assert _offer(limiter, USER, 0.99) > 0  # one per second in a private chat
    assert _offer(limiter, USER, 3.0) == 0
    for i in range(20):  # 20 a minute in a group, however they are spread
        assert _offer(limiter, GROUP, 10.0 + i) == 0
    assert _offer(limiter, GROUP, 60.0) > 0
    assert _offer(limiter, GROUP, 140.0) == 0  # window and flood wait both over


def test_storm_refuses_everything_for_its_length() -> None:
    limiter = StrictLimiter(global_rate=30.0)
    limiter.storm(50.0, 3.0)
    assert _offer(limiter, None, 51.0) == pytest.approx(2.0)
    assert _offer(limiter, None, 53.0) == 0


def test_jittered_arrivals_at_the_full_rate_cross_the_window() -> None:
    """Why the strict mode exists: a sender pacing exactly at the limit is refused once
    latency varies, and one paced at limit / (1 + 0.6 * latency) never is."""
    rng = random.Random(1)

    def refused(rate: float, latency: float) -> int:
        limiter = StrictLimiter(global_rate=30.0, penalty=0.0)
        arrivals = sorted(i / rate + latency * rng.uniform(0.7, 1.3) for i in range(600))
        return sum(_offer(limiter, None, t) > 0 for t in arrivals)

    assert refused(30.0, 0.15) > 0
    assert refused(30.0 / (1 + 0.6 * 0.15) * 0.995, 0.15) == 0


async def test_sandbox_strict_mode_is_a_switch() -> None:
    async with Sandbox(strict=True, global_rate=3.0) as sb:
        for chat in (1, 2, 3):
            status, _ = await sb.call_api("sendMessage", {"chat_id": chat, "text": "x"}, "t")
            assert status == 200
        status, body = await sb.call_api("sendMessage", {"chat_id": 4, "text": "x"}, "t")
        assert status == 429 and body["parameters"]["retry_after"] >= 1
        assert sb.stats["429s"] == 1
        sb.strict = False  # the lenient limiter is still there for functional tests
        sb.limits = False
        status, _ = await sb.call_api("sendMessage", {"chat_id": 4, "text": "x"}, "t")
        assert status == 200
