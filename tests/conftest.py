"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings, load_settings
from bot.db import create_engine, create_session_factory
from bot.sandbox import Sandbox
from bot.services.catalog import DEFAULT_CATALOG, load_catalog
from bot.services.guides import Guide
from bot.services.procedures import import_guides
from tests.dbs import Template
from tests.harness import ADMIN_ID, TOKEN, BotHarness


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
