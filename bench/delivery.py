"""Delivery benchmark: Loa's sender vs the naive loop, against a strict Bot API sandbox.

The sandbox runs in its own process (Telegram's limits: 30/s global unless raised, 1/s per
private chat, 20/min per group) with a set latency, so the figures here are the sender's own.
Prints, per scenario: recipients, seconds, sends/s, ratio to the configured rate, 429s, peak RSS.

    python -m bench.delivery [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from bot.services.seed import seed_synthetic
from broadcasts import audience, outbox
from broadcasts.client import ApiError, BotApi
from broadcasts.engine import create_delivery
from broadcasts.runner import run_until_done
from models import Delivery, Resident, Urgency, Ward

TOKEN = "123456789:BENCH-token-for-the-sandbox-only_x"
PG = os.environ.get("LOA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def sandbox(latency_ms: int, rate: float) -> AsyncIterator[str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        str(port),
        "--latency-ms",
        str(latency_ms),
        "--global-rate",
        str(rate),
        "--quiet",
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


async def loa_run(
    url: str, api: str, rate: float, notice_id: int, stop_after: float | None = None
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
    stop = asyncio.Event()
    start = time.perf_counter()
    if stop_after is not None:
        asyncio.get_running_loop().call_later(stop_after, stop.set)
    await run_until_done(sender, factory, {notice_id}, stop)
    seconds = time.perf_counter() - start
    async with factory() as session:
        first, last = (
            await session.execute(
                select(func.min(Delivery.sent_at), func.max(Delivery.sent_at)).where(
                    Delivery.notice_id == notice_id
                )
            )
        ).one()
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
        "rss_mb": peak_rss_mb(),
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
    }


def row(name: str, n: int, r: dict[str, float]) -> str:
    sustained = f"{r['sustained']:>6.2f}" if "sustained" in r else f"{'-':>6}"
    return (
        f"{name:<40} {n:>7} {r['seconds']:>8.1f} {r['rate']:>8.1f} {r['ratio']:>6.2f} "
        f"{sustained} {int(r['429']):>5} {r.get('rss_mb', 0):>7.0f}"
    )


async def main(quick: bool) -> None:
    print(
        f"{'scenario':<40} {'chats':>7} {'seconds':>8} {'sends/s':>8} {'ratio':>6} "
        f"{'sust.':>6} {'429s':>5} {'RSS MB':>7}"
    )
    print(
        "ratio = sent / end-to-end seconds / configured rate; sust. = the same between the first"
        " and the last delivery (start-up and finish detection left out)"
    )
    n = 300 if quick else 1000
    for latency in (50, 150, 300):
        async with database("sqlite") as url, sandbox(latency, 30) as api:
            _, notice_id = await prepare(url, n)
            print(
                row(f"loa 30/s, {latency} ms, sqlite", n, await loa_run(url, api, 30, notice_id)),
                flush=True,
            )
            naive_n = 60 if quick else 150
            print(
                row(f"naive loop, {latency} ms", naive_n, await naive_run(url, api, naive_n)),
                flush=True,
            )
    fast_n = 5000 if quick else 20000
    for kind in ("sqlite", "postgres"):
        async with database(kind) as url, sandbox(20, 1000) as api:
            _, notice_id = await prepare(url, fast_n)
            print(
                row(
                    f"loa 1000/s, 20 ms, {kind}", fast_n, await loa_run(url, api, 1000, notice_id)
                ),
                flush=True,
            )
    big = 20000 if quick else 100000
    for kind in ("sqlite", "postgres"):
        async with database(kind) as url, sandbox(20, 1000) as api:
            took, notice_id = await prepare(url, big)
            r = await loa_run(url, api, 1000, notice_id, stop_after=20)
            print(row(f"loa {big} chats, 20 s of sending, {kind}", big, r), flush=True)
            print(f"   enqueue of {big} deliveries: {took:.1f} s", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    asyncio.run(main(parser.parse_args().quick))
