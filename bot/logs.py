"""Logging without personal data, quiet when idle (README "Privacy").

- SQL statements never carry their parameters (the engine hides them, bot.db; the SQLite
  driver's own statement log is off), so even DEBUG shows no names, texts or ids.
- The web access log names the method, the path and the status, never the query string (the
  guide search sends what people typed there) nor the address of who asked.
- A person appears only as `who(id)`: a hash keyed afresh in each process, enough to follow one
  person through one run's log, useless to find them (bot.services.directory.pseudonyms is
  the stable one).
- aiogram's per-update lines and APScheduler's per-run lines (the delivery tick runs every
  second: two lines a second, ~170,000 a day, when nothing happens) stay below INFO.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# aiosqlite logs every statement with its parameters at DEBUG: never below WARNING.
QUIET = ("aiogram.event", "apscheduler.executors", "apscheduler.scheduler", "aiosqlite")


_RUN_KEY = secrets.token_bytes(16)


def who(telegram_id: int | None) -> str:
    """How a log line names a person or a private chat: 'p:' and 8 hex digits."""
    if telegram_id is None:
        return "-"
    return "p:" + hmac.new(_RUN_KEY, str(telegram_id).encode(), hashlib.sha256).hexdigest()[:8]


def configure(level: str) -> None:
    """Set up the process's logging once (`loa` commands call it)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class AccessLogger(AbstractAccessLogger):
    """One line per request: method, path (no query string), status, time; at DEBUG."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.debug(
            "%s %s %s %.0fms", request.method, request.path, response.status, time * 1000
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG)
