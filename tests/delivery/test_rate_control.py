"""The sender's control law on a fake clock: the rate is a ceiling, a 429 episode lowers it
once and stops everything for the longest retry_after, the rate climbs back, no burst."""

from __future__ import annotations

import pytest

from broadcasts.control import ALPHA, BETA, Spread, chat_interval, inflight_for, latency_cap
from broadcasts.limiter import Limiter, LocalGate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _sends_within(gate: LocalGate, clock: Clock, seconds: float, cap: float) -> int:
    """How many slots the gate grants in `seconds`, asked every millisecond."""
    sent, end = 0, clock.now + seconds
    while clock.now < end:
        if await gate.try_take(cap) == 0:
            sent += 1
        clock.now += 0.001
    return sent


async def test_paced_at_the_ceiling_without_bursts() -> None:
    clock = Clock()
    gate = LocalGate(30.0, clock)
    clock.now += 100  # idle for long: no credit piles up
    assert await _sends_within(gate, clock, 0.1, 30.0) <= 4  # 0.1 s at 30/s, plus one slot
    assert 29 <= await _sends_within(gate, clock, 1.0, 30.0) <= 31
    assert 19 <= await _sends_within(gate, clock, 1.0, 20.0) <= 21  # a lower cap wins


async def test_a_429_episode_pauses_for_the_longest_wait_and_lowers_the_rate_once() -> None:
    clock = Clock()
    gate = LocalGate(30.0, clock)
    limiter = Limiter(gate, clock)
    limiter.spread.value = 0.0
    assert await _sends_within(gate, clock, 1.0, limiter.cap) >= 29
    assert await limiter.pause(1.0) is True  # a new episode
    clock.now += 0.05
    assert await limiter.pause(3.0) is False  # an answer to a request already in flight
    assert gate.aimd.rate == pytest.approx(BETA * gate.rate, rel=0.05)  # lowered once only
    assert await limiter._try_take() == pytest.approx(3.0)  # the longest wait seen
    assert await _sends_within(gate, clock, 2.9, limiter.cap) == 0
    clock.now += 0.1
    # After the pause: paced at the lowered rate from the first slot (no burst), climbing.
    first = await _sends_within(gate, clock, 1.0, limiter.cap)
    assert BETA * 30 - 1 <= first <= BETA * 30 + ALPHA * 30 + 1
    clock.now += 10
    assert await _sends_within(gate, clock, 1.0, limiter.cap) >= 29  # recovered


def test_latency_jitter_caps_the_rate_and_sizes_the_window() -> None:
    spread = Spread()
    assert spread.value == 0.5  # nothing measured: assume a jittery network
    for i in range(300):  # round trips of 150 ms ± 30 %
        spread.add(0.105 + 0.09 * ((i * 37) % 100) / 100)
    assert spread.value == pytest.approx(0.09, abs=0.005)
    assert latency_cap(30.0, spread.value) == pytest.approx(30 / 1.1, rel=0.01)
    assert chat_interval(1.0, 1, spread.value) > 1.09  # one a second in a private chat
    assert chat_interval(3.0, 20, spread.value) * 19 > 57  # 20 a minute in a group
    assert inflight_for(30.0, 0.195) == 16 and inflight_for(1000.0, 0.03) == 64
