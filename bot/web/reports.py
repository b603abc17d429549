"""/r/<ward>: the ward's street reports with category, status, place and public notes, and
the count per status. Everything shown comes from `reports.public_list`, which carries no
reporter (no name, no Telegram id)."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import NotFound
from bot.services.engagement import reports
from bot.services.notices import board
from bot.texts import Catalog
from bot.web.pages import page_env, page_lang


class ReportPages:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings, self.sessions = settings, sessions
        self.catalog = Catalog(settings.language)
        self.env = page_env()

    def labels(self, lang: str) -> dict[str, str]:
        keys = list(reports.PAGE_LABELS)
        keys += [f"cat_{c}" for c in reports.CATEGORIES]
        keys += [f"status_{s}" for s in reports.STATUSES]
        out = {k: self.catalog.text(f"report.{k}", lang) for k in keys}
        out["other_lang"] = self.catalog.text("web.other_lang", lang)
        return out

    def when(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.settings.tz):%H:%M %d/%m/%Y}"

    async def index(self, request: web.Request) -> web.Response:
        lang = page_lang(request, self.settings.language)
        async with self.sessions() as session:
            try:
                ward = await board.find_ward(session, request.match_info["ward"])
            except NotFound:
                raise web.HTTPNotFound() from None
            items, counts = await reports.public_list(session, ward)
        html = self.env.get_template("reports.html").render(
            lang=lang,
            other="en" if lang == "vi" else "vi",
            title=self.catalog.text("report.site", lang, ward=ward.name),
            t=self.labels(lang),
            items=items,
            counts=counts,
            when=self.when,
        )
        return web.Response(
            text=html,
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=60"},
        )


def add_report_routes(
    app: web.Application, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pages = ReportPages(settings, sessions)
    app.router.add_get("/r/{ward}", pages.index)
    app.router.add_get("/r/{ward}/", pages.index)
