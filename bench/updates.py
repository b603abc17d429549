"""Update handling: the real dispatcher, an in-process Bot session (no network), both databases.

Two workloads, each measured twice: as fast as it goes (64 updates handled at once), and at a
steady 300 updates/s offered (latency of each update from its arrival):

* ack storm: 10,000 residents press "Đã nhận" under one urgent notice, once each;
* lookup mix: private messages asking for procedures (the 136 test queries, in turn), from
  residents and strangers.

    python -m bench.updates [--quick] [--db sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from aiogram import Bot
from sqlalchemy import select

from bench.delivery_kit import TOKEN, database
from bot import migrate
from bot.app import create_dispatcher
from bot.config import load_settings
from bot.db import create_engine, create_session_factory
from bot.middlewares.response_types import KeepResponseTypes
from bot.services.directory.seed import seed_synthetic
from bot.services.procedures import core as procedures
from bot.services.procedures.catalog import DEFAULT_CATALOG, load_catalog
from broadcasts import audience, outbox
from models import Resident, ResidentialGroup, Urgency, Ward
from sandbox import Sandbox
from sandbox.session import InProcessSession

QUERIES = Path(__file__).resolve().parents[1] / "tests" / "data" / "procedure_queries.yaml"
STRANGER = 900_000_000


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


PROFILE: dict[str, Any] = {}  # --profile: where to write cProfile output


async def _flat_out(feed: Callable[[int], Awaitable[None]], n: int) -> tuple[float, list[float]]:
    """Feed `n` updates, 64 at a time; (updates/s, latencies). With --profile: under cProfile,
    and the process's CPU time per update printed (all threads: aiosqlite's included)."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(64)
    profiler = cProfile.Profile(time.thread_time) if PROFILE.get("dir") else None
    cpu, main = time.process_time(), time.thread_time()
    if profiler:
        profiler.enable()

    async def one(i: int) -> None:
        async with gate:
            t = time.perf_counter()
            await feed(i)
            latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - start
    cpu, main = (1000 * (time.process_time() - cpu) / n, 1000 * (time.thread_time() - main) / n)
    if profiler:
        profiler.disable()
        name = f"{PROFILE['dir']}/{feed.__name__}-{PROFILE['kind']}.prof"
        profiler.dump_stats(name)
        print(f"{feed.__name__}: profile of the event loop's CPU time in {name} (inflated)")
    print(f"{feed.__name__}: {cpu:.2f} ms of CPU per update, {main:.2f} ms on the event loop")
    return n / elapsed, latencies


async def _offered(
    feed: Callable[[int], Awaitable[None]], first: int, n: int, rate: float
) -> list[float]:
    """Feed `n` updates at `rate`/s; latencies from arrival (at most 64 handled at once, as
    a database pool would allow: the rest queue, and their wait counts)."""
    latencies: list[float] = []
    start = time.perf_counter()
    gate = asyncio.Semaphore(64)

    async def one(i: int, due: float) -> None:
        async with gate:
            await feed(first + i)
        latencies.append(time.perf_counter() - due)

    tasks = []
    for i in range(n):
        due = start + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    return latencies


async def _count_queries(engine: Any, *feeds: Callable[[int], Awaitable[None]]) -> None:
    """Database round trips per update, one update of each kind (profiling aid)."""
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    for feed in feeds:
        for i in (10**6, 10**6 + 1):
            seen.clear()
            await feed(i)
            print(f"{feed.__name__}: {len(seen)} statements", *(q[:90] for q in seen), sep="\n  ")


def _line(name: str, rate: float, lat: list[float], offered: list[float]) -> str:
    return (
        f"{name:<34} {rate:>9.0f} {_ms(lat, 0.5):>8.1f} {_ms(lat, 0.99):>8.1f}"
        f"   at 300/s: p50 {_ms(offered, 0.5):.1f} ms, p99 {_ms(offered, 0.99):.1f} ms"
    )


async def run(kind: str, households: int) -> None:
    async with database(kind) as url:
        await migrate.upgrade(url)
        engine = create_engine(url)
        factory = create_session_factory(engine)
        async with factory() as session:
            await seed_synthetic(session, groups=max(1, households // 250), households=households)
            ward_id = (await session.scalars(select(Ward.id))).one()
            notice, _ = await outbox.enqueue(
                session, ward_id=ward_id, text="Mất nước", audience=audience.spec("ward"),
                urgency=Urgency.URGENT,
            )  # fmt: skip
            await procedures.import_guides(session, load_catalog(DEFAULT_CATALOG))
            residents = list(await session.scalars(select(Resident.telegram_id)))
            group_chat = (await session.scalars(select(ResidentialGroup.chat_id))).first()
        settings = load_settings(_env_file=None, database_url=url, bot_token=TOKEN)
        sandbox = Sandbox(limits=False)
        bot = Bot(TOKEN, session=InProcessSession(sandbox))
        bot.session.middleware(KeepResponseTypes())  # as create_bot does
        dp = create_dispatcher(settings, factory, engine)
        assert group_chat is not None, "the sample ward's groups are bound to chats"
        sandbox.ensure_chat(group_chat)
        queries = [q["q"] for q in yaml.safe_load(QUERIES.read_text())["queries"]]
        seq = iter(range(1, 10**9))

        async def feed(update: dict[str, Any]) -> None:
            update = {"update_id": next(seq), **update}
            sandbox.register_update(update)
            await dp.feed_raw_update(bot, update)

        def ack(i: int) -> Awaitable[None]:
            who = residents[i % len(residents)]
            return feed(sandbox.make_callback(who, group_chat, None, f"ack:{notice.id}"))

        def lookup(i: int) -> Awaitable[None]:
            who = residents[i % len(residents)] if i % 2 else STRANGER + i
            return feed(sandbox.make_message(None, who, queries[i % len(queries)]))

        if os.environ.get("LOA_BENCH_COUNT_QUERIES"):
            await _count_queries(engine, ack, lookup)
        flat = min(len(residents) // 2, 3000)
        rate, lat = await _flat_out(ack, flat)
        offered = await _offered(ack, flat, min(len(residents) - flat, 900), 300.0)
        print(_line(f"ack storm ({len(residents)} residents), {kind}", rate, lat, offered))
        rate, lat = await _flat_out(lookup, 1000)
        offered = await _offered(lookup, 1000, 900, 300.0)
        print(_line(f"lookup mix, {kind}", rate, lat, offered), flush=True)
        sent = [c for c in sandbox.calls if c.method == "answerCallbackQuery"]
        assert sent and all(c.result for c in sent[:10])
        await bot.session.close()
        await engine.dispose()


async def main(quick: bool, kinds: list[str]) -> None:
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{'workload':<34} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8}   (64 at once)")
    for kind in kinds:
        PROFILE["kind"] = kind
        await run(kind, 2000 if quick else 10000)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=("sqlite", "postgres"), action="append")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile output of each workload")
    args = parser.parse_args()
    if args.profile:
        PROFILE["dir"] = args.profile
    asyncio.run(main(args.quick, args.db or ["sqlite", "postgres"]))
