"""The officials' web dashboard at /dash: the ward's indicators against its targets, groups,
notices with coverage, questions, procedures, charts and exports.

Sign-in: a one-time link the bot sends (`/dash`), or the Telegram Login Widget. The session
cookie only says who; roles are read again on every request (bot.web.dash.base).
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.web.dash.lists import Lists
from bot.web.dash.signin import SignIn


class Dashboard(SignIn, Lists):
    """Every page of the dashboard on one object (one template environment)."""


def add_dash_routes(
    app: web.Application, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dash = Dashboard(settings, sessions)
    add = app.router.add_route
    add("GET", "/dash", dash.overview)
    add("GET", "/dash/signin", dash.signin)
    add("GET", "/dash/login", dash.confirm)
    add("POST", "/dash/login", dash.redeem)
    add("GET", "/dash/auth/telegram", dash.telegram)
    add("POST", "/dash/signout", dash.signout)
    add("GET", "/dash/groups", dash.groups)
    add("GET", "/dash/notices", dash.notices)
    add("GET", r"/dash/notices/{id:\d{1,12}}", dash.notice)
    add("GET", "/dash/questions", dash.questions)
    add("GET", "/dash/procedures", dash.procedures)
    add("GET", r"/dash/export/{what:groups|notices}.{fmt:csv|xlsx}", dash.export)
