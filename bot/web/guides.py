"""Guide pages for people without Telegram: /p (search and list) and /p/<code> (one guide).

Same service as the bot (`bot.services.procedures.core`). Pages are small, server-rendered HTML
with inline CSS (one request, fast on a weak phone) and a print style sheet. Vietnamese by
default, English with `?lang=en`. Jinja2 autoescaping escapes everything from the catalog and
from the query.
"""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import I18n
from aiohttp import web
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import create_i18n
from bot.services.common.errors import Invalid, NotFound, ServiceError
from bot.services.directory.pseudonyms import pseudonym
from bot.services.directory.units import UnitLabels, labels_in_context, local_units
from bot.services.procedures import core as procedures
from bot.services.procedures.gaps import GapLimits
from bot.services.procedures.guides import FIELDS, pick
from bot.services.procedures.labels import field_label, kind_label, source_lines, verification_line
from bot.services.procedures.lookups import LookupLog
from bot.web.pages import page_env, page_lang
from models import utcnow


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
    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], log: LookupLog
    ) -> None:
        self.settings, self.sessions, self.log = settings, sessions, log
        self.i18n = create_i18n(settings.language)
        self.env = page_env()

    def lang(self, request: web.Request) -> str:
        return page_lang(request, self.settings.language)

    def render(
        self,
        request: web.Request,
        name: str,
        status: int = 200,
        units: UnitLabels | None = None,
        **ctx: Any,
    ) -> web.Response:
        """`units`: the labels of the wards this server serves ("UBND xã" in a commune)."""
        lang = self.lang(request)

        def gt(key: str) -> str:
            return self.i18n.gettext(key, locale=lang)

        html = self.env.get_template(name).render(
            lang=lang,
            other="en" if lang == "vi" else "vi",
            t=_labels(self.i18n, lang),
            pick=lambda obj, attr: local_units(pick(obj, attr, lang), units, lang),
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
            units = await labels_in_context(session, [])
        self.log.note("web", guide.code, None)  # the web knows no ward
        username = (self.settings.bot_username or "").lstrip("@")
        return self.render(
            request,
            "guide.html",
            units=units,
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
            units = await labels_in_context(session, [])
        if result is not None and result.understood:
            self.log.note("web", result.hits[0].guide.code if result.good else None, None)
        by_field = {f: [g for g in index.guides if g.field == f] for f in FIELDS}
        return self.render(
            request,
            "search.html",
            units=units,
            query=query,
            good=result.good if result else False,
            hits=[h.guide for h in (result.hits if result and result.good else [])]
            or [h.guide for h in (result.hits[:3] if result else [])],
            searched=result is not None,
            error=error,
            by_field={f: gs for f, gs in by_field.items() if gs},
        )


LOOKUP_LOG = web.AppKey("lookup_log", LookupLog)


def add_guide_routes(
    app: web.Application, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    app[LOOKUP_LOG] = log = LookupLog(sessions)
    pages = _Pages(settings, sessions, log)

    async def write_lookups(_: web.Application) -> None:
        await log.close()

    app.on_cleanup.append(write_lookups)
    app.router.add_get("/p", pages.search)
    app.router.add_get("/p/", pages.search)
    app.router.add_get("/p/{code}", pages.guide)
