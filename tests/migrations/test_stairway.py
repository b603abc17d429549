"""Every revision goes up, down and up again; and the models match the migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot import migrate
from bot.db import create_engine
from models import Base
from tests.dbs import create_pg_database, drop_pg_database

REVISIONS = [
    r.revision
    for r in reversed(
        list(ScriptDirectory.from_config(migrate.alembic_config("")).walk_revisions())
    )
]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stairs.db'}"
        return
    url = create_pg_database("loa_stairs")
    yield url
    drop_pg_database(url)


@pytest.mark.parametrize("revision", REVISIONS)
async def test_stairway(empty_db: str, revision: str) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_db))
    down = script.get_revision(revision).down_revision or "base"
    assert isinstance(down, str)  # one parent each: the history has no merges
    await migrate.upgrade(empty_db, down if down != "base" else "base")
    await migrate.upgrade(empty_db, revision)
    await migrate.downgrade(empty_db, down)
    await migrate.upgrade(empty_db, revision)
    current, _head = await migrate.current(empty_db)
    assert current == revision


async def test_models_match_migrations(empty_db: str) -> None:
    await migrate.upgrade(empty_db)
    engine = create_engine(empty_db)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    await engine.dispose()
    assert diff == [], f"models and migrations differ; run alembic revision --autogenerate: {diff}"
