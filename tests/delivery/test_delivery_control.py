"""The control law against the strict sandbox: a 429 stops dispatch at once (requests in
flight are not followed by more), everything waits out the retry_after, the rate is lowered
once per episode and climbs back; several instances share all of it through Redis."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from broadcasts.control import BETA
from broadcasts.limiter import LocalGate
from broadcasts.redis_gate import RedisGate
from models import DeliveryStatus, Urgency
from sandbox import Sandbox
from tests.delivery_kit import deliver, notice, received, redis_or_skip, rows, ward

RETRY_AFTER = 2


async def test_a_429_stops_dispatch_until_retry_after_then_sending_resumes(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    sandbox.strict = True
    sandbox.latency_ms = 20
    ward_id = await ward(session, groups=2, households=40)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    chats = [d.chat_id for d in await rows(session, n.id)]
    # Telegram refuses the 11th recipient once, asking for two seconds of silence.
    rule = sandbox.fail("sendMessage", chat_id=chats[10], error="429", retry_after=RETRY_AFTER)
    sender = await deliver(settings, sandbox, session_factory, {n.id})

    refused = next(c for c in sandbox.calls if c.fault is rule)
    arrivals = [c.mono - refused.mono for c in sandbox.calls if c.method == "sendMessage"]
    # Requests already in flight land within a few round trips; after that, nothing is sent
    # until the wait is over (a request sent in the wait would lengthen Telegram's flood wait).
    assert not [t for t in arrivals if RETRY_AFTER / 2 < t < RETRY_AFTER]
    assert len([t for t in arrivals if t >= RETRY_AFTER]) > 0  # and then sending resumed
    assert sender.stats["429"] == 1 and sender.stats["slowdowns"] == 1
    assert sandbox.stats["429s"] == 1  # no further 429: the pause and the pace held
    assert set(received(sandbox).values()) == {1}
    assert all(d.status is DeliveryStatus.SENT for d in await rows(session, n.id))
    gate = sender.limiter.gate
    assert isinstance(gate, LocalGate)  # one process, no Redis: the local gate
    assert gate.aimd.rate < gate.ceiling  # lowered, and climbing back from the pause's end


async def test_instances_sharing_redis_pause_and_slow_down_together() -> None:
    redis = await redis_or_skip()
    bot_id = int.from_bytes(os.urandom(4), "big")  # keys of this test only
    first, second = RedisGate(redis, bot_id, 30.0), RedisGate(redis, bot_id, 30.0)
    try:
        assert await first.try_take(30.0) == 0
        await first.pause(RETRY_AFTER, 30.0)  # one instance got the 429...
        await first.pause(RETRY_AFTER, 30.0)  # ...and an answer to a request in flight
        wait = await second.try_take(30.0)  # the other stops too
        assert RETRY_AFTER - 0.5 < wait <= RETRY_AFTER
        rate = float(await redis.get(first.keys[2]) or 0)
        assert rate == pytest.approx(30.0 * BETA, rel=0.01)  # lowered once, for both
        await redis.set(first.keys[0], "0")  # the pause is over (without sleeping)
        await redis.set(first.keys[1], "0")
        await redis.set(first.keys[3], str(float((await redis.time())[0]) - 100))
        assert await second.try_take(30.0) == 0
        assert second.rate == pytest.approx(30.0)  # climbed back to the ceiling, not above
    finally:
        await redis.delete(*first.keys)
        await redis.aclose()
