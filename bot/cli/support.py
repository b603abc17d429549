"""What every CLI command shares: settings with a clean exit, a database session, output.

Every command ends with one line: its result, or what went wrong in words a person can act on
(catalog text, never a message key) — exit code 1 for a refused request, 2 for a configuration,
database or network problem. No traceback reaches the terminal.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

import aiohttp
import typer
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ConfigError, Settings, load_settings
from bot.db import create_engine, create_session_factory
from bot.services.common.errors import NotConfigured, ServiceError

T = TypeVar("T")
_language = {"value": "vi"}  # the language of LOA_LANGUAGE, once settings were read


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    """Settings, or one clear line naming the variable and exit code 2 (no traceback)."""
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        fail(f"configuration error: {exc}", 2)
    _language["value"] = settings.language
    return settings


def describe(err: ServiceError) -> str:
    """The catalog text of a service error, values filled in, without HTML tags."""
    from bot.texts import Catalog

    text = Catalog(_language["value"]).text(err.key)
    try:
        text = text.format(**err.params)
    except (KeyError, IndexError, ValueError):
        pass  # a translation that lost a placeholder still reads better than the key
    return re.sub(r"<[^>]+>", "", text)


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


def run_async(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine; a refused request, a bad setting, an unreachable database or Bot API
    each become one readable line (exit 1 for the first, 2 for the others)."""
    try:
        return asyncio.run(fn())
    except NotConfigured as err:
        fail(f"configuration error: {describe(err)}", 2)
    except ServiceError as err:
        fail(f"error: {describe(err)}")
    except ConfigError as exc:
        fail(f"configuration error: {exc}", 2)
    except TelegramUnauthorizedError:
        fail("configuration error: Telegram refused LOA_BOT_TOKEN (revoked or mistyped?)", 2)
    except (TelegramNetworkError, aiohttp.ClientError, TimeoutError) as exc:
        fail(
            "network error: the Bot API (LOA_TELEGRAM_API_URL) cannot be reached "
            f"({type(exc).__name__}); check the connection and try again",
            2,
        )
    except (OperationalError, InterfaceError, ConnectionError, socket.gaierror) as exc:
        fail(
            "database error: cannot open LOA_DATABASE_URL "
            f"({type(getattr(exc, 'orig', None) or exc).__name__}); is the database running?",
            2,
        )
    except KeyboardInterrupt:
        sys.exit(130)
