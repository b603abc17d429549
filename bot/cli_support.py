"""What every CLI command shares: settings with a clean exit, a database session, output."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ConfigError, Settings, load_settings
from bot.db import create_engine, create_session_factory
from bot.services.errors import ServiceError

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    """Settings, or one clear line naming the variable and exit code 2 (no traceback)."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        fail(f"configuration error: {exc}", 2)


@asynccontextmanager
async def db_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    from bot import migrate

    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; service errors become one readable line and exit code 1."""
    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except ServiceError as err:
        detail = ", ".join(f"{k}={v}" for k, v in err.params.items())
        fail(f"error: {err.key}" + (f" ({detail})" if detail else ""))
    except ConfigError as exc:
        fail(f"configuration error: {exc}", 2)
    except KeyboardInterrupt:
        sys.exit(130)
