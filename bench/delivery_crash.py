"""SIGKILL a sender mid-broadcast, restart it: how long until sending resumes, what was lost,
how many duplicates (against the requests in flight at the kill)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from bench.delivery_kit import TOKEN, database, prepare
from sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]


async def _spawn(url: str, api: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(LOA_BOT_TOKEN=TOKEN, LOA_DATABASE_URL=url, LOA_TELEGRAM_API_URL=api,
               LOA_BROADCAST_RATE="30")  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", "resume", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def _sent(sb: Sandbox) -> int:
    return sum(1 for c in sb.calls if c.method == "sendMessage" and c.result)


async def crash_run(quick: bool) -> None:
    n = 300 if quick else 1000
    async with database("sqlite") as url, Sandbox(strict=True, latency_ms=40) as sb:
        await prepare(url, n)
        proc = await _spawn(url, sb.base_url)
        await sb.wait_for("sendMessage", lambda c: c.result is not None, count=n // 3,
                          timeout=120)  # fmt: skip
        inflight = sb.stats["inflight"]
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        before = _sent(sb)
        restarted = time.perf_counter()
        proc = await _spawn(url, sb.base_url)
        await sb.wait_for("sendMessage", lambda c: c.result is not None, count=before + 1,
                          timeout=120)  # fmt: skip
        resumed = time.perf_counter() - restarted
        await asyncio.wait_for(proc.wait(), 300)
        got = Counter(c.chat_id for c in sb.calls if c.method == "sendMessage" and c.result)
    duplicates = sum(c - 1 for c in got.values())
    print(
        f"SIGKILL after {before} of {n} sends, lease 10 s: sending resumed {resumed:.1f} s "
        f"after the restart; {n - len(got)} lost; {duplicates} duplicates "
        f"({inflight} requests in flight at the kill)",
        flush=True,
    )
