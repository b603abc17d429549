"""SIGKILL a real sender at random moments; restart; nothing lost, duplicates bounded.

And two senders on one database never send the same row, sharing one rate limit.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from broadcasts.limiter import Limiter
from broadcasts.redis_gate import RedisGate
from models import Delivery, DeliveryStatus, Urgency
from sandbox import Sandbox
from tests import clocked
from tests.delivery_kit import notice, received, redis_or_skip, sender_for, ward
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parents[2]
MAX_INFLIGHT = 34  # the sender's bound at 30 messages/s before it has measured a round trip


def _env(settings: Settings, sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(
        LOA_BOT_TOKEN=TOKEN,
        LOA_DATABASE_URL=settings.database_url,
        LOA_TELEGRAM_API_URL=sandbox.base_url,
        LOA_BROADCAST_RATE="30",
        LOA_BROADCAST_LEASE_SECONDS="2",
    )
    return env


async def _resume(settings: Settings, sandbox: Sandbox, kill_after: int | None) -> int | None:
    """Run `loa broadcast resume`; SIGKILL it once the sandbox got `kill_after` more messages.

    Returns how many requests were in flight (received, not yet answered) at the kill.
    """
    before = sum(received(sandbox).values())
    proc = await asyncio.create_subprocess_exec(
        *clocked.argv("broadcast", "resume"),
        cwd=ROOT,
        env=_env(settings, sandbox),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        if kill_after is None:
            assert await asyncio.wait_for(proc.wait(), 120) == 0
            return None
        await sandbox.wait_for(
            "sendMessage", lambda c: c.result is not None, count=before + kill_after, timeout=60
        )
        inflight = sandbox.stats["inflight"]
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        return inflight
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.timeout(240)  # several real processes are started and killed
async def test_sigkill_at_random_points_loses_nothing(
    session: AsyncSession, settings: Settings, sandbox: Sandbox
) -> None:
    sandbox.limits = True
    sandbox.latency_ms = 40
    ward_id = await ward(session, groups=4, households=56)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    targets = set(
        await session.scalars(select(Delivery.chat_id).where(Delivery.notice_id == n.id))
    )
    rng = random.Random(int(os.environ.get("LOA_CRASH_SEED", "13")))
    kills = [await _resume(settings, sandbox, rng.randint(1, 15)) for _ in range(3)]
    await _resume(settings, sandbox, None)

    got = received(sandbox)
    assert set(got) == targets  # nothing lost, nothing sent elsewhere
    duplicates = sum(c - 1 for c in got.values())
    print(f"kills={len(kills)} in-flight at kills={kills} duplicates={duplicates}")
    assert duplicates <= len(kills) * MAX_INFLIGHT
    statuses = Counter(
        await session.scalars(
            select(Delivery.status)
            .where(Delivery.notice_id == n.id)
            .execution_options(populate_existing=True)
        )
    )
    assert statuses == {DeliveryStatus.SENT: len(targets)}


async def test_two_senders_never_send_the_same_row_and_share_the_limit(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    sandbox.strict = True  # windows counted at arrival, jittered latency
    sandbox.latency_ms = 20
    redis = await redis_or_skip()
    bot_id = int.from_bytes(os.urandom(4), "big")  # a fresh shared limiter: keys of this test only
    ward_id = await ward(session, groups=4, households=50)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    senders = [await sender_for(settings, sandbox, session_factory, batch=8) for _ in range(2)]
    for s in senders:  # one limit for the bot, shared through Redis
        s.limiter = Limiter(RedisGate(redis, bot_id, settings.broadcast_rate))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(s.run(stop)) for s in senders]
    try:
        total = len(
            set(await session.scalars(select(Delivery.chat_id).where(Delivery.notice_id == n.id)))
        )
        await sandbox.wait_for(
            "sendMessage", lambda c: c.result is not None, count=total, timeout=60
        )
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for s in senders:
            await s.api.close()
        await redis.aclose()
    got = received(sandbox)
    assert len(got) == total and set(got.values()) == {1}
    assert all(s.stats["sent"] > 0 for s in senders)  # both really worked
    assert sandbox.stats["429s"] == 0  # the shared limiter held the global rate


async def test_heartbeat_keeps_a_short_lease_for_a_long_broadcast(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    """A 1-second lease on a broadcast that takes several seconds: the live sender renews it,
    so a second sender started meanwhile finds nothing to take, and nothing is sent twice."""
    sandbox.strict = True
    sandbox.latency_ms = 20
    ward_id = await ward(session, groups=1, households=24)
    await notice(session, ward_id, urgency=Urgency.URGENT)
    slow = settings.model_copy(update={"broadcast_rate": 5.0})  # 25 chats: about 5 s
    first = await sender_for(slow, sandbox, session_factory, lease_seconds=1.0, batch=100)
    second = await sender_for(slow, sandbox, session_factory, lease_seconds=1.0)
    stop = asyncio.Event()
    running = [asyncio.create_task(first.run(stop))]
    try:
        await sandbox.wait_for("sendMessage", lambda c: c.result is not None, count=5,
                               timeout=30)  # fmt: skip
        running.append(asyncio.create_task(second.run(stop)))  # leases of 1 s are long gone
        await sandbox.wait_for("sendMessage", lambda c: c.result is not None, count=25,
                               timeout=60)  # fmt: skip
    finally:
        stop.set()
        await asyncio.gather(*running)
        for s in (first, second):
            await s.api.close()
    assert set(received(sandbox).values()) == {1}
    assert first.stats["lease_dropped"] == 0 and second.stats["claimed"] == 0
    assert first.stats["sent"] == 25


async def test_stop_lets_a_claim_in_flight_finish_and_gives_its_rows_back(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stop that lands while the claimer waits on the database must not cancel the query
    (that drops the connection mid-transaction); the claimed rows are released, not lost."""
    from broadcasts import store

    ward_id = await ward(session, groups=2, households=4)
    n = await notice(session, ward_id, "Họp tổ", Urgency.NORMAL)
    real_claim = store.claim
    outcome: list[str | int] = []

    async def slow_claim(*args: Any, **kwargs: Any) -> list[store.Job]:
        jobs = await real_claim(*args, **kwargs)
        try:
            await asyncio.sleep(0.5)  # a slow database answer, while the stop arrives
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append(len(jobs))
        return jobs

    monkeypatch.setattr(store, "claim", slow_claim)
    sender = await sender_for(settings, sandbox, session_factory)
    stop = asyncio.Event()
    try:
        running = asyncio.create_task(sender.run(stop))
        await asyncio.sleep(0.2)  # the claim is under way
        stop.set()
        await asyncio.wait_for(running, 20)
    finally:
        await sender.api.close()
    assert outcome and outcome[0] not in ("cancelled", 0)
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.notice_id == n.id)
        .execution_options(populate_existing=True)
    )
    assert all(r.claim is None and r.status is DeliveryStatus.PENDING for r in rows)
