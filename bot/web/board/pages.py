"""The board's pages: server-rendered HTML with inline CSS (like the guide pages), Vietnamese
by default and English with `?lang=en`. Everything shown comes from
`bot.services.notices.board`, which keeps to public notices and their issuer."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import NotFound
from bot.services.notices import board
from bot.services.procedures.qr import qr_png
from bot.texts import Catalog
from bot.web.board.feed import atom, title_of
from bot.web.pages import page_env, page_lang
from models import Ward, utcnow

TEMPLATES = Path(__file__).parent / "templates"


def labels(cat: Catalog, lang: str) -> dict[str, str]:
    def gettext(key: str) -> str:
        return cat.text(key, lang)

    return {
        "site": gettext("board.site"),
        "intro": gettext("board.intro"),
        "current": gettext("board.current"),
        "recent": gettext("board.recent"),
        "none": gettext("board.none"),
        "published": gettext("board.published"),
        "corrected_at": gettext("board.corrected_at"),
        "cancelled_at": gettext("board.cancelled_at"),
        "expired": gettext("board.expired"),
        "media": gettext("board.media"),
        "feed": gettext("board.feed"),
        "open": gettext("board.open"),
        "all": gettext("board.all"),
        "qr_caption": gettext("board.qr_caption"),
        "not_found_title": gettext("board.not_found_title"),
        "not_found_hint": gettext("board.not_found_hint"),
        "correction": gettext("notice.mark_correction"),
        "cancelled": gettext("notice.mark_cancelled"),
        "print": gettext("web.print"),
        "other_lang": gettext("web.other_lang"),
    }


class BoardPages:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings, self.sessions = settings, sessions
        self.catalog = Catalog(settings.language)
        self.env = page_env(TEMPLATES)

    def lang(self, request: web.Request) -> str:
        return page_lang(request, self.settings.language)

    def when(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.settings.tz):%H:%M %d/%m/%Y}"

    def header(self, n: board.BoardNotice, lang: str) -> str:
        head = self.catalog.text(f"notice.header_{n.urgency}", lang)
        return f"{head} — {n.issuer}" if n.issuer else head

    def url(self, ward: Ward, notice_id: int | None = None) -> str:
        """The absolute address (QR codes and the feed): by ward id, which never changes."""
        base = f"{self.settings.public_url.rstrip('/')}/w/{ward.id}"
        return base if notice_id is None else f"{base}/n/{notice_id}"

    def render(
        self, request: web.Request, name: str, status: int = 200, **ctx: Any
    ) -> web.Response:
        lang = self.lang(request)
        html = self.env.get_template(name).render(
            lang=lang,
            other="en" if lang == "vi" else "vi",
            t=labels(self.catalog, lang),
            when=self.when,
            header=lambda n: self.header(n, lang),
            **ctx,
        )
        headers = {"Cache-Control": "public, max-age=60"} if status == 200 else {}
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers
        )

    def not_found(self, request: web.Request, err: NotFound) -> web.HTTPNotFound:
        message = self.catalog.text(err.key, self.lang(request), **err.params)
        page = self.render(request, "board_not_found.html", status=404, message=message)
        return web.HTTPNotFound(text=page.text, content_type="text/html")

    async def ward_board(
        self, request: web.Request, now: datetime
    ) -> tuple[Ward, list[board.BoardNotice]]:
        """The ward the address names and its recent public notices (else a 404 page)."""
        async with self.sessions() as session:
            try:
                ward = await board.find_ward(session, request.match_info["ward"])
            except NotFound as err:
                raise self.not_found(request, err) from None
            return ward, await board.recent(session, ward, now)

    async def index(self, request: web.Request) -> web.Response:
        now = utcnow()
        ward, notices = await self.ward_board(request, now)
        return self.render(
            request,
            "board.html",
            ward=ward,
            slug=board.slug(ward.name),
            current=[n for n in notices if n.current(now)],
            past=[n for n in notices if not n.current(now)],
            now=now,
        )

    async def one(self, request: web.Request) -> web.Response:
        raw = request.match_info["id"]
        async with self.sessions() as session:
            try:
                ward = await board.find_ward(session, request.match_info["ward"])
                if not raw.isdigit() or len(raw) > 12:
                    raise NotFound("board.notice_not_found", id=raw[:12])
                notice = await board.notice(session, ward, int(raw))
            except NotFound as err:
                raise self.not_found(request, err) from None
        url = self.url(ward, notice.id)
        qr = base64.b64encode(qr_png(url)).decode("ascii")
        return self.render(
            request,
            "board_notice.html",
            ward=ward,
            slug=board.slug(ward.name),
            n=notice,
            now=utcnow(),
            url=url,
            qr=f"data:image/png;base64,{qr}",
        )

    async def feed(self, request: web.Request) -> web.Response:
        lang = self.lang(request)
        ward, notices = await self.ward_board(request, utcnow())
        base = self.settings.public_url.rstrip("/")
        path = f"/w/{board.slug(ward.name)}"

        def entry_title(n: board.BoardNotice) -> str:
            mark = ""
            if n.cancelled:
                mark = self.catalog.text("notice.mark_cancelled", lang) + " "
            elif n.corrected:
                mark = self.catalog.text("notice.mark_correction", lang) + " "
            return mark + (title_of(n.text) or self.header(n, lang))

        body = atom(
            feed_id=self.url(ward),
            title=self.catalog.text("board.site", lang).format(ward=ward.name),
            page_url=base + path,
            self_url=f"{base}{path}/feed.atom",
            notices=notices,
            entry_url=lambda i: self.url(ward, i),
            entry_title=entry_title,
            fallback_updated=ward.created_at,
            lang=lang,
        )
        return web.Response(
            body=body,
            content_type="application/atom+xml",
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )


def add_board_routes(
    app: web.Application, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pages = BoardPages(settings, sessions)
    app.router.add_get("/w/{ward}", pages.index)
    app.router.add_get("/w/{ward}/", pages.index)
    app.router.add_get("/w/{ward}/feed.atom", pages.feed)
    app.router.add_get("/w/{ward}/n/{id}", pages.one)
