"""Guide pages for people without Telegram: /p (search and list) and /p/<code> (one guide).

Same service as the bot (`bot.services.procedures`). Pages are small, server-rendered HTML
with inline CSS (one request, fast on a weak phone) and a print style sheet. Vietnamese by
default, English with `?lang=en`. Jinja2 autoescaping escapes everything from the catalog and
from the query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.utils.i18n import I18n
from aiohttp import web
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.guide_labels import field_label, kind_label, source_lines, verification_line
from bot.i18n import create_i18n
from bot.services import procedures
from bot.services.errors import Invalid, NotFound, ServiceError
from bot.services.gaps import GapLimits
from bot.services.guides import FIELDS, LANGS, pick
from bot.services.pseudonyms import pseudonym
from bot.web.templating import environment
from models import utcnow

TEMPLATES = Path(__file__).parent / "templates"


def _labels(i18n: I18n, lang: str) -> dict[str, str]:
    def gettext(key: str) -> str:
        return i18n.gettext(key, locale=lang)

    return {
        "site": gettext("web.site"),
        "intro": gettext("web.intro"),
        "search_placeholder": gettext("web.search_placeholder"),
        "search_button": gettext("web.search_button"),
        "results": gettext("web.results"),
        "no_results": gettext("web.no_results"),
        "all": gettext("web.all"),
        "print": gettext("web.print"),
        "telegram": gettext("web.telegram"),
        "portal": gettext("web.portal"),
        "case": gettext("web.case"),
        "documents": gettext("web.documents"),
        "steps": gettext("web.steps"),
        "fee": gettext("web.fee"),
        "time": gettext("web.time"),
        "where": gettext("web.where"),
        "note": gettext("web.note"),
        "legal": gettext("web.legal"),
        "code": gettext("web.code"),
        "online": gettext("web.online"),
        "replaced": gettext("web.replaced"),
        "not_found_title": gettext("web.not_found_title"),
        "not_found_text": gettext("web.not_found_text"),
        "other_lang": gettext("web.other_lang"),
    }


class _Pages:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings, self.sessions = settings, sessions
        self.i18n = create_i18n(settings.language)
        self.env = environment(TEMPLATES)

    def lang(self, request: web.Request) -> str:
        wanted = request.query.get("lang", "")
        return wanted if wanted in LANGS else self.settings.language

    def render(
        self, request: web.Request, name: str, status: int = 200, **ctx: Any
    ) -> web.Response:
        lang = self.lang(request)

        def gt(key: str) -> str:
            return self.i18n.gettext(key, locale=lang)

        html = self.env.get_template(name).render(
            lang=lang,
            other="en" if lang == "vi" else "vi",
            t=_labels(self.i18n, lang),
            pick=lambda obj, attr: pick(obj, attr, lang),
            field_name=lambda f: field_label(gt, f),
            kind_name=lambda k: kind_label(gt, k),
            verification=lambda g: verification_line(gt, g, utcnow().date()),
            sources=lambda g: source_lines(gt, g),
            **ctx,
        )
        headers = {"Cache-Control": "public, max-age=300"} if status == 200 else {}
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers
        )

    def error_html(self, err: ServiceError, lang: str) -> Markup:
        """Our own catalog text (trusted markup) with the values escaped."""
        text = self.i18n.gettext(err.key, locale=lang)
        return Markup(text).format(**{k: escape(v) for k, v in err.params.items()})

    async def guide(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        async with self.sessions() as session:
            try:
                guide = await procedures.get_guide(session, code)
            except NotFound:
                return self.render(request, "not_found.html", status=404, code=code[:20])
        username = (self.settings.bot_username or "").lstrip("@")
        return self.render(
            request,
            "guide.html",
            g=guide,
            telegram=procedures.bot_link(username, guide.code) if username else None,
        )

    async def search(self, request: web.Request) -> web.Response:
        lang = self.lang(request)
        query = request.query.get("q", "")
        result: procedures.SearchResult | None = None
        error = None
        async with self.sessions() as session:
            if "q" in request.query:
                try:
                    result = await procedures.search(
                        session,
                        query,
                        limit=10,
                        source="web",
                        subject=pseudonym(self.settings.privacy_key, request.remote or "?"),
                        limits=GapLimits.from_settings(self.settings),
                    )
                except Invalid as err:
                    error = self.error_html(err, lang)
            index = await procedures.get_index(session)
        by_field = {f: [g for g in index.guides if g.field == f] for f in FIELDS}
        return self.render(
            request,
            "search.html",
            query=query,
            good=result.good if result else False,
            hits=[h.guide for h in (result.hits if result and result.good else [])]
            or [h.guide for h in (result.hits[:3] if result else [])],
            searched=result is not None,
            error=error,
            by_field={f: gs for f, gs in by_field.items() if gs},
        )


def add_guide_routes(
    app: web.Application, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pages = _Pages(settings, sessions)
    app.router.add_get("/p", pages.search)
    app.router.add_get("/p/", pages.search)
    app.router.add_get("/p/{code}", pages.guide)
