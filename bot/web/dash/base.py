"""What every dashboard page shares: templates, texts, and who is asking (checked per request)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import UNIT_LABELS, create_i18n
from bot.logs import who
from bot.services.directory.roles import Principal, load_principal
from bot.services.directory.units import labels_of
from bot.services.stats.indicators import Period
from bot.web.dash.auth import COOKIE, Scope, read_session, ward_scopes
from bot.web.pages import page_env
from models import Ward, utcnow

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
PERIODS = (7, 30, 90)
SIGNIN = "/dash/signin"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def num(value: float | int | None) -> str:
    return "—" if value is None else f"{value:g}"


@dataclass(frozen=True)
class View:
    """One request: who, which ward (and what of it), which period."""

    principal: Principal
    wards: list[Ward]  # the wards this person may open
    ward: Ward
    scope: Scope
    days: int
    period: Period
    now: datetime

    def query(self, **extra: Any) -> str:
        params = {"ward": self.ward.id, "days": self.days, **extra}
        return "?" + "&".join(f"{k}={v}" for k, v in params.items())


class DashBase:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings, self.sessions = settings, sessions
        self.i18n = create_i18n(settings.language)
        self.env = page_env(TEMPLATES)
        self.env.filters.update(pct=pct, num=num)
        self.session_age = timedelta(hours=settings.dash_session_hours)
        self.secure_cookie = settings.public_url.startswith("https://")

    def _(self, key: str) -> str:
        return self.i18n.gettext(key, locale=self.settings.language)

    def html(self, name: str, **ctx: Any) -> str:
        return self.env.get_template(name).render(
            lang=self.settings.language, _=self._, periods=PERIODS, **ctx
        )

    def page(
        self, name: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any
    ) -> web.Response:
        return web.Response(
            text=self.html(name, **ctx), status=status, content_type="text/html",
            charset="utf-8", headers={"Cache-Control": "no-store", **(headers or {})},
        )  # fmt: skip

    def refused(self, message: str, status: int = 403) -> web.HTTPException:
        cls = web.HTTPNotFound if status == 404 else web.HTTPForbidden
        return cls(
            text=self.html("message.html", title=self._("dash.refused_title"),
                           message=message),
            content_type="text/html", headers={"Cache-Control": "no-store"},
        )  # fmt: skip

    def signed_in(self, response: web.StreamResponse, value: str) -> None:
        response.set_cookie(
            COOKIE, value, max_age=int(self.session_age.total_seconds()), path="/dash",
            httponly=True, samesite="Lax", secure=self.secure_cookie,
        )  # fmt: skip

    async def view(
        self, request: web.Request, session: AsyncSession, *, whole_ward: bool = False
    ) -> View:
        """The signed-in person with their roles as they are now; redirects to sign-in without
        a genuine cookie, refuses those without a role in the ward asked for."""
        now = utcnow()
        tid = read_session(self.settings.dash_key, request.cookies.get(COOKIE), now,
                           self.session_age)  # fmt: skip
        if tid is None:
            raise web.HTTPFound(SIGNIN)
        principal = await load_principal(session, tid, self.settings.admin_ids)
        wards = list(await session.scalars(select(Ward).order_by(Ward.name)))
        scopes = ward_scopes(principal, [w.id for w in wards])
        wanted = request.query.get("ward", "")
        ward_id = int(wanted) if wanted.isdigit() else next(iter(scopes), None)
        scope = scopes.get(ward_id) if ward_id is not None else None
        if scope is None or (whole_ward and not scope.whole_ward):
            logger.warning("dashboard refused %s for %s", request.path, who(tid))
            raise self.refused(self._("dash.refused"))
        asked = request.query.get("days", "")
        days = int(asked) if asked in {str(d) for d in PERIODS} else 30
        today = now.astimezone(self.settings.tz).date()
        period = Period(today - timedelta(days=days - 1), today, self.settings.tz)
        ward = next(w for w in wards if w.id == ward_id)
        UNIT_LABELS.set(labels_of(ward))  # this request's texts speak in the ward's own units
        return View(principal, [w for w in wards if w.id in scopes], ward, scope, days, period,
                    now)  # fmt: skip
