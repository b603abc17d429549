"""Delivery benchmark: Loa's sender, the previous design and the naive loop, against the
sandbox Bot API in strict mode (sandbox.strict: sliding windows counted at arrival, ±30 %
latency jitter, flood waits that lengthen when ignored).

Prints, per scenario: recipients, seconds, sends/s, ratio to the configured rate, sustained
ratio, 429s and their share of sends, rows not sent, peak RSS.

    python -m bench.delivery [--part strict|faults|fast|crash] [--latency MS] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os

from bench.delivery_crash import crash_run
from bench.delivery_kit import database, loa_run, naive_run, prepare, sandbox


def row(name: str, n: int, r: dict[str, float]) -> str:
    sustained = f"{r['sustained']:>6.2f}" if "sustained" in r else f"{'-':>6}"
    return (
        f"{name:<44} {n:>6} {r['seconds']:>7.1f} {r['rate']:>8.1f} {r['ratio']:>6.2f} "
        f"{sustained} {int(r['429']):>5} {100 * r['share429']:>6.2f}% {int(r['unsent']):>6} "
        f"{r.get('rss_mb', 0):>6.0f}"
        + (f"  (jitter learned: {r['spread_ms']:.0f} ms)" if "spread_ms" in r else "")
        + (
            f"  CPU/send {r['cpu_ms']:.2f} ms ({r['loop_ms']:.2f} on the loop), loop late"
            f" beyond 10 ms {100 * r['stalled']:.0f}% of the time (worst {r['worst_ms']:.0f} ms)"
            if "cpu_ms" in r
            else ""
        )
    )


def header() -> None:
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (2 cores)")
    print(
        f"{'scenario':<44} {'chats':>6} {'seconds':>7} {'sends/s':>8} {'ratio':>6} "
        f"{'sust.':>6} {'429s':>5} {'429 %':>7} {'unsent':>6} {'RSS MB':>6}",
        flush=True,
    )


async def strict(latencies: list[int], quick: bool) -> None:
    n, old_n, naive_n = (300, 150, 60) if quick else (1000, 300, 100)
    for latency in latencies:
        async with database("sqlite") as url, sandbox(latency, 30) as api:
            _, notice_id = await prepare(url, n)
            r = await loa_run(url, api, 30, notice_id)
            print(row(f"loa 30/s, {latency} ms, sqlite", n, r), flush=True)
        async with database("sqlite") as url, sandbox(latency, 30) as api:
            _, notice_id = await prepare(url, old_n)
            r = await loa_run(url, api, 30, notice_id, previous=True)
            print(row(f"previous sender design, {latency} ms", old_n, r), flush=True)
            r = await naive_run(url, api, naive_n)
            print(row(f"naive loop, {latency} ms", naive_n, r), flush=True)


async def faults(quick: bool) -> None:
    n = 300 if quick else 1000
    extra = ("--fail-5xx", "0.05", "--storm-every", "10", "--storm-seconds", "2")
    async with database("sqlite") as url, sandbox(150, 30, *extra) as api:
        _, notice_id = await prepare(url, n)
        r = await loa_run(url, api, 30, notice_id)
        print(row("loa 30/s, 150 ms, 5% 502 + 429 storms", n, r), flush=True)


async def fast(quick: bool) -> None:
    n = 5000 if quick else 20000
    for kind in os.environ.get("LOA_BENCH_DBS", "sqlite,postgres").split(","):
        async with database(kind) as url, sandbox(20, 1000) as api:
            _, notice_id = await prepare(url, n)
            r = await loa_run(url, api, 1000, notice_id)
            print(row(f"loa 1000/s, 20 ms, {kind}", n, r), flush=True)


async def main(part: str | None, latencies: list[int], quick: bool) -> None:
    header()
    if part in (None, "strict"):
        await strict(latencies, quick)
    if part in (None, "faults"):
        await faults(quick)
    if part in (None, "fast"):
        await fast(quick)
    if part in (None, "crash"):
        await crash_run(quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("strict", "faults", "fast", "crash"))
    parser.add_argument("--latency", type=int, action="append", help="ms (default 40 150 300)")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    args = parser.parse_args()
    asyncio.run(main(args.part, args.latency or [40, 150, 300], args.quick))
