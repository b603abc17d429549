"""Test databases: SQLite always; PostgreSQL when reachable (required when CI says so)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import migrate
from bot.db import create_engine
from models import Base

PG_URL = os.environ.get(
    "LOA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("LOA_TEST_REQUIRE_POSTGRES") == "1"


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url)
    if database:
        u = u.set(database=database)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(PG_URL), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_pg_database(prefix: str = "loa_test") -> str:
    """A fresh PostgreSQL database; returns its SQLAlchemy URL. Skips if no server."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if REQUIRE_PG:
            raise RuntimeError(f"PostgreSQL required but unavailable at {PG_URL}: {exc}") from exc
        pytest.skip(f"PostgreSQL unavailable ({exc}); set LOA_TEST_POSTGRES_URL")
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Template:
    """A migrated database per backend and session; `fresh()` gives each test a clean copy."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.path = workdir / "template.db"
            self.url = f"sqlite+aiosqlite:///{self.path}"
        else:
            self.url = create_pg_database()
        asyncio.run(migrate.upgrade(self.url))

    async def fresh(self, tmp_path: Path) -> str:
        if self.backend == "sqlite":
            target = tmp_path / "loa.db"
            shutil.copyfile(self.path, target)
            return f"sqlite+aiosqlite:///{target}"
        engine = create_engine(self.url)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()
        return self.url

    def close(self) -> None:
        if self.backend == "postgres":
            drop_pg_database(self.url)
