"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings, load_settings
from bot.db import create_engine, create_session_factory
from bot.services.procedures.catalog import DEFAULT_CATALOG, load_catalog
from bot.services.procedures.core import import_guides
from bot.services.procedures.guides import Guide
from models.clock import ManualClock, using
from sandbox import Sandbox
from tests.dbs import Template
from tests.harness import ADMIN_ID, TOKEN, BotHarness

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# The moment every test starts at: a Tuesday morning in Vietnam, outside quiet hours and inside
# working hours. Tests that need another moment set `clock` themselves.
TEST_MOMENT = datetime(2026, 11, 24, 9, 0, tzinfo=HCM)
# LOA_TEST_WALL_CLOCK=HH:MM moves the real wall clock of the whole run (time-machine) to that
# local time today; CI runs the suite once more at 23:00 to prove no test reads the wall clock.
WALL_CLOCK = os.environ.get("LOA_TEST_WALL_CLOCK", "")
_travel: list[Any] = []


def pytest_configure(config: pytest.Config) -> None:
    if WALL_CLOCK:
        import time_machine

        hour, minute = (int(x) for x in WALL_CLOCK.split(":"))
        target = datetime.now(HCM).replace(hour=hour, minute=minute, second=0, microsecond=0)
        _travel.append(time_machine.travel(target, tick=True))
        _travel[0].start()


def pytest_unconfigure(config: pytest.Config) -> None:
    while _travel:
        _travel.pop().stop()


def pytest_report_header(config: pytest.Config) -> str:
    wall = f"wall clock moved to {WALL_CLOCK} in Vietnam" if WALL_CLOCK else "real wall clock"
    return f"loa: tests run on an injected clock from {TEST_MOMENT.isoformat()}; {wall}"


@pytest.fixture(autouse=True)
def clock() -> Iterator[ManualClock]:
    """Loa's one clock, set to TEST_MOMENT and ticking: no test depends on the hour it runs."""
    with using(ManualClock(TEST_MOMENT)) as c:
        yield c


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def db_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    template = Template(request.param, tmp_path_factory.mktemp(request.param))
    yield template
    template.close()


@pytest.fixture
async def db_url(db_template: Template, tmp_path: Path) -> str:
    return await db_template.fresh(tmp_path)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as s:
        yield s


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(limits=False)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
def settings(db_url: str, sandbox: Sandbox) -> Settings:
    return load_settings(
        _env_file=None,
        database_url=db_url,
        bot_token=TOKEN,
        telegram_api_url=sandbox.base_url,
        admin_ids=[ADMIN_ID],
        bot_username="loa_phuong_bot",
    )


@pytest.fixture
async def harness(
    settings: Settings,
    sandbox: Sandbox,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[BotHarness]:
    h = BotHarness(settings, sandbox, engine, session_factory)
    yield h
    await h.close()


@pytest.fixture(scope="session")
def shipped_guides() -> list[Guide]:
    """The procedure catalog in data/procedures, parsed and validated once per run."""
    return load_catalog(DEFAULT_CATALOG)


@pytest.fixture
async def catalog(
    session_factory: async_sessionmaker[AsyncSession], shipped_guides: list[Guide]
) -> list[Guide]:
    """The shipped procedure catalog imported into this test's database."""
    async with session_factory() as s:
        await import_guides(s, shipped_guides)
    return shipped_guides


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment for `loa ...`: its own SQLite file, a bot username, no token."""
    for key in ("LOA_BOT_TOKEN", "LOA_ADMIN_IDS", "LOA_WEBHOOK_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LOA_BOT_USERNAME", "loa_phuong_bot")
    monkeypatch.chdir(tmp_path)
    return tmp_path
