"""Procedure search latency on a catalog of 2,000 guides: `python -m bench.procedures_search`.

The catalog is synthesised from the shipped one: each shipped guide is repeated with a new
code, a qualifier in its title and keywords (so the vocabulary grows as a real catalog's
would), and the test-set queries are timed against it. Two figures: the in-memory index alone
(what every keystroke of an inline query costs), and the whole service call on a SQLite
database (the catalog's version check, search; as the bot and the web pages run it).
Figures only, never a pass/fail: see README "Performance".
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot import migrate
from bot.db import create_engine, create_session_factory
from bot.services.procedures import core as procedures
from bot.services.procedures.catalog import DEFAULT_CATALOG, load_catalog
from bot.services.procedures.guides import Guide
from bot.services.procedures.search_index import SearchIndex

QUERIES = Path(__file__).resolve().parents[1] / "tests" / "data" / "procedure_queries.yaml"
QUALIFIERS = [
    "đối với người nước ngoài",
    "tại khu vực biên giới",
    "cho người cao tuổi",
    "có yếu tố nước ngoài",
    "trong trường hợp đặc biệt",
    "cho doanh nghiệp nhỏ",
    "tại cơ quan đại diện",
    "đối với hợp tác xã",
    "cho người dân tộc thiểu số",
    "liên quan đến tàu cá",
    "đối với cơ sở giáo dục",
    "về môi trường và tài nguyên nước",
]
SYLLABLES = (
    "an bao binh cam chau dao giang ha hai hung khanh lam long minh nam ngoc phu quang son tan "
    "thanh trung vinh xuan yen"
).split()


def synthesise(shipped: list[Guide], size: int, seed: int = 7) -> list[Guide]:
    rng = random.Random(seed)
    out = []
    for i in range(size):
        base = shipped[i % len(shipped)]
        if i < len(shipped):
            out.append(base)
            continue
        extra = f"{rng.choice(QUALIFIERS)} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        out.append(
            dataclasses.replace(
                base,
                code=f"{1 + i % 3}.{900000 + i:06d}",
                title_vi=f"{base.title_vi} {extra}",
                title_en=f"{base.title_en} (variant {i})",
                keywords=(*base.keywords, extra, f"{rng.choice(SYLLABLES)} {QUALIFIERS[i % 12]}"),
            )
        )
    return out


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {q[49]:.2f} ms  p95 {q[94]:.2f} ms  p99 {q[98]:.2f} ms  (n={len(samples)})"


async def service_times(guides: list[Guide], queries: list[str], rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await migrate.upgrade(url)
        engine = create_engine(url)
        sessions = create_session_factory(engine)
        async with sessions() as session:
            await procedures.import_guides(session, guides)
            await procedures.get_index(session)  # built once, as after an import
        samples = []
        for _ in range(rounds):
            for q in queries:
                async with sessions() as session:
                    start = time.perf_counter()
                    await procedures.search(session, q, record=False)
                    samples.append((time.perf_counter() - start) * 1000)
        await engine.dispose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="procedures in the catalog")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query set")
    args = parser.parse_args()
    shipped = load_catalog(DEFAULT_CATALOG)
    guides = synthesise(shipped, args.size)
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    queries = [item["q"] for item in data["queries"]] + list(data["gaps"])

    start = time.perf_counter()
    index = SearchIndex(guides)
    build = (time.perf_counter() - start) * 1000
    for q in queries:  # warm up
        index.search(q)
    samples = []
    for _ in range(args.rounds):
        for q in queries:
            t = time.perf_counter()
            index.search(q)
            samples.append((time.perf_counter() - t) * 1000)
    print(f"catalog: {len(guides)} procedures, {len(queries)} queries x {args.rounds} rounds")
    print(f"index build: {build:.0f} ms")
    print(f"index search:            {percentiles(samples)}")
    service = asyncio.run(service_times(guides, queries, args.rounds))
    print(f"service search (SQLite): {percentiles(service)}")


if __name__ == "__main__":
    main()
