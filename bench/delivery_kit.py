"""Pieces of the delivery benchmark: a sandbox process, a database, a ward, the senders."""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import os
import resource
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from sqlalchemy import func, select

from bot import migrate
from bot.config import load_settings
from bot.db import create_engine, create_session_factory
from bot.delivery import create_delivery
from bot.services.directory.seed import seed_synthetic
from broadcasts import audience, outbox
from broadcasts.client import ApiError, BotApi
from broadcasts.limiter import Gcra, Limiter
from broadcasts.runner import run_until_done
from broadcasts.sender import Sender
from models import Delivery, DeliveryStatus, Resident, Urgency, Ward

TOKEN = "123456789:BENCH-token-for-the-sandbox-only_x"
PG = os.environ.get("LOA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def sandbox(latency_ms: int, rate: float, *extra: str) -> AsyncIterator[str]:
    """A strict sandbox (see sandbox.strict) in its own process."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(port),
        "--latency-ms",
        str(latency_ms),
        "--global-rate",
        str(rate),
        "--quiet",
        "--strict",
        *extra,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await proc.wait()


@contextlib.asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return
    name = f"loa_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield f"postgresql+asyncpg://{PG.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    finally:
        conn = await asyncpg.connect(PG)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def prepare(url: str, recipients: int) -> tuple[float, int]:
    """A ward whose urgent notice reaches `recipients` chats; returns (enqueue seconds, id)."""
    await migrate.upgrade(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    groups = max(1, recipients // 250)
    async with factory() as session:
        await seed_synthetic(
            session, groups=groups, households=recipients - groups, ward_name="Phường Bench"
        )
        ward_id = (await session.scalars(select(Ward.id))).one()
        start = time.perf_counter()
        notice, _ = await outbox.enqueue(
            session,
            ward_id=ward_id,
            text="Khám sàng lọc tiểu đường",
            audience=audience.spec("ward"),
            urgency=Urgency.URGENT,
        )
        took = time.perf_counter() - start
    await engine.dispose()
    return took, notice.id


class PreviousGate:
    """The global gate as it was before adaptive control, for comparison: the configured rate
    with a burst of two (more at high rates), a 429 pauses it, nothing is learned."""

    def __init__(self, rate: float) -> None:
        self.ceiling = self.rate = rate
        self.bucket = Gcra(rate, max(2, int(rate // 50)))
        self.paused_until = 0.0

    async def try_take(self, cap: float) -> float:
        now = time.monotonic()
        wait = max(self.paused_until - now, self.bucket.wait(now))
        if wait > 0:
            return wait
        self.bucket.take(now)
        return 0.0

    async def pause(self, seconds: float, cap: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def previous_design(sender: Sender, rate: float) -> None:
    """Turn a sender back into the previous design: fixed rate, fixed requests in flight."""
    sender.limiter = Limiter(PreviousGate(rate))
    sender.limiter.spread.value = 0.0  # per-chat pacing at exactly 1 s / 3 s, as it was
    sender.api.observe = None
    sender.max_inflight = max(8, min(256, int(rate * 0.4) + 8))


class LoopStalls:
    """How late the event loop runs timers: the pacer catches up at most `SLACK` after a late
    wake-up, so time the loop spends stalled beyond that is sending time lost."""

    def __init__(self, slack: float = 0.01) -> None:
        self.slack, self.lost, self.worst = slack, 0.0, 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            due = time.perf_counter() + 0.002
            await asyncio.sleep(0.002)
            late = time.perf_counter() - due
            self.worst = max(self.worst, late)
            self.lost += max(0.0, late - self.slack)

    def __enter__(self) -> LoopStalls:
        self._task = asyncio.create_task(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def loa_run(
    url: str,
    api: str,
    rate: float,
    notice_id: int,
    stop_after: float | None = None,
    *,
    previous: bool = False,
) -> dict[str, float]:
    settings = load_settings(
        _env_file=None,
        database_url=url,
        bot_token=TOKEN,
        telegram_api_url=api,
        broadcast_rate=rate,
    )
    engine = create_engine(url)
    factory = create_session_factory(engine)
    sender = create_delivery(settings, factory)
    if previous:
        previous_design(sender, rate)
    stop = asyncio.Event()
    start, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
    if stop_after is not None:
        asyncio.get_running_loop().call_later(stop_after, stop.set)
    profiler = cProfile.Profile(time.thread_time) if os.environ.get("LOA_BENCH_PROFILE") else None
    if profiler:  # the event loop's CPU time, by function
        profiler.enable()
    with LoopStalls() as stalls:
        await run_until_done(sender, factory, {notice_id}, stop)
    seconds = time.perf_counter() - start
    cpu, main = time.process_time() - cpu, time.thread_time() - main
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{os.environ['LOA_BENCH_PROFILE']}/send-{url.split(':')[0]}.prof")
    async with factory() as session:
        first, last = (
            await session.execute(
                select(func.min(Delivery.sent_at), func.max(Delivery.sent_at)).where(
                    Delivery.notice_id == notice_id
                )
            )
        ).one()
        unsent = await session.scalar(
            select(func.count()).where(
                Delivery.notice_id == notice_id, Delivery.status != DeliveryStatus.SENT
            )
        )
    await sender.api.close()
    await engine.dispose()
    sent = sender.stats["sent"]
    span = (last - first).total_seconds() if first and last and last > first else seconds
    return {
        "sent": sent,
        "seconds": seconds,
        "rate": sent / seconds,
        "ratio": sent / seconds / rate,
        "sustained": (sent - 1) / span / rate,
        "429": sender.stats["429"],
        "share429": sender.stats["429"] / max(1, sent + sender.stats["429"]),
        "unsent": unsent or 0,
        "rss_mb": peak_rss_mb(),
        "spread_ms": 1000 * sender.limiter.spread.value,
        "cpu_ms": 1000 * cpu / max(1, sent),  # per send, all threads
        "loop_ms": 1000 * main / max(1, sent),  # per send, on the event loop
        "stalled": stalls.lost / seconds,  # share of the run the loop was late beyond SLACK
        "worst_ms": 1000 * stalls.worst,
    }


async def naive_run(url: str, api_url: str, limit: int) -> dict[str, float]:
    """The loop everybody writes: send, sleep 50 ms, next; a 429 just loses that chat."""
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        chats = list(await session.scalars(select(Resident.telegram_id).limit(limit)))
    await engine.dispose()
    api = BotApi(api_url, TOKEN)
    start, sent, refused = time.perf_counter(), 0, 0
    for chat in chats:
        try:
            await api.call("sendMessage", {"chat_id": chat, "text": "Khám sàng lọc tiểu đường"})
            sent += 1
        except ApiError:
            refused += 1
        await asyncio.sleep(0.05)
    seconds = time.perf_counter() - start
    await api.close()
    return {
        "sent": sent,
        "seconds": seconds,
        "rate": sent / seconds,
        "ratio": sent / seconds / 30,
        "429": refused,
        "share429": refused / max(1, len(chats)),
        "unsent": refused,
    }
