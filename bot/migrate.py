"""Alembic, driven from code so `loa db upgrade` works from an installed package."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from bot.db import create_engine

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def _run(database_url: str, fn: str, revision: str) -> None:
    getattr(command, fn)(alembic_config(database_url), revision)


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (env.py runs its own event loop, so in a thread)."""
    await asyncio.to_thread(_run, database_url, "upgrade", revision)


async def downgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(_run, database_url, "downgrade", revision)


async def current(database_url: str) -> tuple[str | None, str]:
    """(revision applied in the database, head revision of the code)."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head() or ""
    engine: AsyncEngine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rev = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
    return rev, head
