"""The GCRA bucket (broadcasts.limiter.Gcra) on a fake clock: a burst, then a steady rate, never
more than `rate · t + burst` in any span of t seconds; and the limiter's per-chat buckets next to
its one global gate (private chats 1/s, groups 20/min, each chat on its own)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcasts.control import chat_interval
from broadcasts.limiter import (
    GROUP_INTERVAL,
    GROUP_MAX,
    PRIVATE_INTERVAL,
    PRIVATE_MAX,
    Gcra,
    Limiter,
    LocalGate,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def granted(bucket: Gcra, times: list[float]) -> list[float]:
    """The moments among `times` at which the bucket lets a request through."""
    out = []
    for t in times:
        if bucket.wait(t) == 0:
            bucket.take(t)
            out.append(t)
    return out


def test_one_at_a_time_without_burst() -> None:
    bucket = Gcra(10.0)
    assert bucket.wait(5.0) == 0
    bucket.take(5.0)
    assert bucket.wait(5.0) == pytest.approx(0.1)
    assert bucket.wait(5.05) == pytest.approx(0.05)
    assert bucket.wait(5.1) == 0


def test_a_burst_then_the_steady_rate() -> None:
    bucket = Gcra(10.0, burst=5)
    assert len(granted(bucket, [5.0] * 20)) == 5  # five at once, not six
    assert bucket.wait(5.0) == pytest.approx(0.1)
    ticks = [5.0 + i / 1000 for i in range(1, 10_001)]  # asked every millisecond for 10 s
    assert len(granted(bucket, ticks)) == 100  # then 10 per second, evenly


def test_idling_earns_no_more_than_the_burst() -> None:
    bucket = Gcra(2.0, burst=3)
    granted(bucket, [0.0])
    assert len(granted(bucket, [3600.0] * 10)) == 3


def test_a_burst_below_one_is_one() -> None:
    bucket = Gcra(4.0, burst=0)
    assert len(granted(bucket, [1.0, 1.0, 1.0])) == 1


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(min_value=0.2, max_value=50),
    burst=st.integers(min_value=1, max_value=20),
    gaps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=300),
)
def test_never_more_than_rate_times_span_plus_burst(
    rate: float, burst: int, gaps: list[float]
) -> None:
    times, t = [], 0.0
    for gap in gaps:
        t += gap
        times.append(t)
    got = granted(Gcra(rate, burst), times)
    for i, start in enumerate(got):
        for j in range(i, len(got)):
            span = got[j] - start
            assert j - i + 1 <= rate * span + burst + 1e-6


async def test_per_chat_pacing_private_and_group_each_chat_on_its_own() -> None:
    clock = Clock()
    limiter = Limiter(LocalGate(30.0, clock), clock)
    spread = limiter.spread.value  # nothing measured yet: the cautious default
    person, group, other = 200_000_001, -1_001_234_567_890, 200_000_002
    assert limiter.chat_wait(person) == 0  # never sent to: no wait
    limiter.chat_take(person)
    limiter.chat_take(group)
    private_gap = chat_interval(PRIVATE_INTERVAL, PRIVATE_MAX, spread)
    group_gap = chat_interval(GROUP_INTERVAL, GROUP_MAX, spread)
    assert limiter.chat_wait(person) == pytest.approx(private_gap)  # about 1 per second
    assert limiter.chat_wait(group) == pytest.approx(group_gap)  # about 20 per minute
    assert private_gap > PRIVATE_INTERVAL and group_gap > GROUP_INTERVAL  # margins, not less
    assert limiter.chat_wait(other) == 0  # one chat's pace holds no other chat back
    clock.now += private_gap
    assert limiter.chat_wait(person) == 0 and limiter.chat_wait(group) > 0


async def test_the_global_gate_paces_all_chats_together_whatever_their_own_pace() -> None:
    clock = Clock()
    limiter = Limiter(LocalGate(30.0, clock), clock)
    sent, chat = 0, 0
    end = clock.now + 2.0
    while clock.now < end:  # a different chat each time: only the global gate can hold back
        if await limiter._try_take() == 0:
            chat += 1
            assert limiter.chat_wait(chat) == 0
            limiter.chat_take(chat)
            sent += 1
        clock.now += 0.001
    cap = limiter.cap  # 30/s lowered for the (assumed) latency jitter
    assert cap < 30.0
    assert cap * 2 - 2 <= sent <= cap * 2 + 2
