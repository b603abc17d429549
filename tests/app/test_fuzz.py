"""Property-based fuzzing (hypothesis) of the real entry points: the dispatcher, the directory
import and the procedure catalog loader. Whatever arrives: no unhandled exception, and a
refused input writes nothing.

Hypothesis drives a plain function in a worker thread; each example runs its coroutines on the
test's own event loop (where the database engine lives), so failing examples still shrink.
"""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import csv_text
from bot.services.directory.io import ImportRejected, export_directory, import_directory
from bot.services.procedures.catalog import DEFAULT_CATALOG, CatalogRejected, load_catalog
from models import Household, ResidentialGroup, Ticket, TicketMessage, Ward
from tests.harness import GROUP_CHAT, RESIDENT_ID, BotHarness, last_message
from tests.triage.triage_world import make_world

T = TypeVar("T")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
STRANGER = 300_000_777
pytestmark = pytest.mark.timeout(180)  # bounded by max_examples; a busy machine is slow
PREFIXES = ["pv", "j", "nm", "nv", "ack", "att", "rv", "tk", "tg", "rt", "g", "aq", "an", "ask"]
NASTY = st.sampled_from(
    ["", "\x00", "\u200b", "\ufeff", "=1+1", "'", '"', "\r\n", ";", ",", "\t", "🙂", "ệ", "x" * 70]
)
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(NASTY, st.text(string.ascii_letters, max_size=5)), max_size=8).map("".join),
)


class _Errors(logging.Handler):
    """Records what reached the generic error handler (an unhandled exception)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def _runner() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine on this test's loop from hypothesis' worker thread."""
    loop = asyncio.get_running_loop()

    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    return run


async def _counts(session: AsyncSession) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        [
            await session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Ward, ResidentialGroup, Household, Ticket)
        ]
    )


async def test_random_updates_never_reach_the_generic_error(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    shown = last_message(await harness.send(RESIDENT_ID, "/language"))
    run = _runner()
    errors = _Errors()
    logging.getLogger("handlers.errors").addHandler(errors)

    callback = st.one_of(
        st.text(max_size=64),
        st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(PREFIXES), TEXT),
        st.builds(
            lambda p, a, n: f"{p}:{a}:{n}",
            st.sampled_from(PREFIXES),
            st.text(string.ascii_lowercase, max_size=3),
            st.integers(min_value=-(2**70), max_value=2**70),
        ),
    )
    command = st.builds(
        lambda c, t: f"{c} {t}",
        st.sampled_from(["/start", "/ask", "/thutuc", "/language", "/mydata", "/help", "/x"]),
        TEXT,
    )

    @FUZZ
    @given(
        user=st.sampled_from([RESIDENT_ID, STRANGER]),
        kind=st.sampled_from(["private", "group", "callback"]),
        text=st.one_of(TEXT, command),
        data=callback,
    )
    @example(user=RESIDENT_ID, kind="callback", text="", data="pv:l:xx")  # seen in the field
    @example(user=RESIDENT_ID, kind="callback", text="", data="j:l:0:0:zz")
    @example(user=RESIDENT_ID, kind="private", text="/ask \u200b\u200b", data="")
    def feed(user: int, kind: str, text: str, data: str) -> None:
        if kind == "callback":
            data = data.encode("utf-8", "ignore")[:64].decode("utf-8", "ignore")  # Telegram's cap
            run(harness.press(user, shown, data))
        elif kind == "group":
            run(harness.send(user, text or " ", chat_id=GROUP_CHAT, chat_type="group"))
        else:
            run(harness.send(user, text or " "))
        run(harness.send(user, "/cancel"))  # leave no half-written question behind
        assert not errors.seen, errors.seen

    try:
        await asyncio.to_thread(feed)
    finally:
        logging.getLogger("handlers.errors").removeHandler(errors)
    session.expire_all()
    with_message = select(func.count(func.distinct(TicketMessage.ticket_id)))
    assert await session.scalar(with_message) == await session.scalar(
        select(func.count()).select_from(Ticket)
    )  # every ticket has its question: nothing half-written


HEADER = "ward,group,house_number,street,household_code"
CELL = st.one_of(TEXT, st.sampled_from(["Phường A", "Tổ 1", "12", "Ngõ 3", "SC-1"]))


async def test_random_csv_is_imported_whole_or_not_at_all(
    session: AsyncSession, tmp_path: Path
) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text("ward,group,leader,order\nPhường A,Tổ 1,,1\n", encoding="utf-8")
    await import_directory(session, groups)
    run = _runner()

    @FUZZ
    @given(
        rows=st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=8),
        sep=st.sampled_from([",", ";"]),
        bom=st.booleans(),
        raw=st.booleans(),
    )
    @example(
        rows=[["Phường A", "Tổ 1", "1", 'Ngõ 3, "Ao Sen"', "=1+1"]], sep=",", bom=True, raw=False
    )
    def one(rows: list[list[str]], sep: str, bom: bool, raw: bool) -> None:
        # raw: cells joined by hand (quotes and separators left as typed); else written as CSV
        sep = sep if raw else ","
        body = "\n".join(sep.join(r) for r in rows) if raw else csv_text.write_rows(rows)
        text = ("\ufeff" if bom else "") + HEADER.replace(",", sep) + "\n" + body
        path = tmp_path / "households.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        before = run(_counts(session))
        try:
            run(import_directory(session, groups, path))
        except ImportRejected as exc:
            assert exc.problems and len(exc.problems) <= csv_text.MAX_PROBLEMS + 1
            run(session.rollback())
            assert run(_counts(session)) == before  # refused: nothing written
            return
        # Accepted: Loa's own export re-imports with no change.
        g_text, h_text = run(export_directory(session))
        (tmp_path / "g2.csv").write_text(g_text, encoding="utf-8")
        (tmp_path / "h2.csv").write_text(h_text, encoding="utf-8")
        again = run(import_directory(session, tmp_path / "g2.csv", tmp_path / "h2.csv"))
        assert not again.changed
        assert run(export_directory(session)) == (g_text, h_text)

    await asyncio.to_thread(one)


SAMPLE_GUIDE = next(DEFAULT_CATALOG.rglob("*.yaml")).read_text(encoding="utf-8")
YAML_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


def test_random_yaml_is_loaded_or_refused_with_reasons(tmp_path: Path) -> None:
    base = yaml.safe_load(SAMPLE_GUIDE)

    @FUZZ
    @given(
        mode=st.sampled_from(["mutate", "replace", "bytes"]),
        key=st.sampled_from(sorted(base)),
        value=YAML_VALUE,
        cut=st.integers(min_value=0, max_value=len(SAMPLE_GUIDE)),
        junk=TEXT,
    )
    def one(mode: str, key: str, value: object, cut: int, junk: str) -> None:
        path = tmp_path / "g.yaml"
        if mode == "mutate":
            path.write_text(yaml.safe_dump({**base, key: value}, allow_unicode=True), "utf-8")
        elif mode == "replace":
            path.write_text(
                SAMPLE_GUIDE[:cut] + junk + SAMPLE_GUIDE[cut:], "utf-8", "surrogatepass"
            )
        else:
            path.write_bytes(junk.encode("utf-8", "surrogatepass") + b"\xff\x00")
        try:
            guides = load_catalog(path)
        except CatalogRejected as exc:
            assert exc.problems and all(":" in p for p in exc.problems)
            return
        assert len(guides) == 1 and guides[0].code

    one()
