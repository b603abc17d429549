"""Signing in and out: the one-time link from the bot, and the Telegram Login Widget."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.logs import who
from bot.services.stats.dash_links import redeem_token
from bot.web.dash.auth import COOKIE, sign_session, verify_login_widget
from bot.web.dash.base import SIGNIN, DashBase
from models import utcnow

logger = logging.getLogger(__name__)
# The sign-in page may load Telegram's widget script, which shows its button in a frame.
WIDGET_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "script-src https://telegram.org; frame-src https://oauth.telegram.org; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class SignIn(DashBase):
    async def signin(self, request: web.Request) -> web.Response:
        username = (self.settings.bot_username or "").lstrip("@")
        widget = bool(username and self.settings.bot_token)
        return self.page(
            "signin.html", username=username, widget=widget,
            auth_url=f"{self.settings.public_url}/dash/auth/telegram",
            headers={"Content-Security-Policy": WIDGET_CSP} if widget else None,
        )  # fmt: skip

    async def confirm(self, request: web.Request) -> web.Response:
        """The link opens a page with a button: a link checker or preview that fetches the
        URL does not use up the token, only the person's press does."""
        token = request.query.get("t", "")
        if not token:
            raise web.HTTPFound(SIGNIN)
        return self.page("confirm.html", token=token)

    async def redeem(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("t", ""))[:200]
        now = utcnow()
        async with self.sessions() as session:
            telegram_id = await redeem_token(session, token, now) if token else None
        if telegram_id is None:
            logger.warning("dashboard: sign-in link unknown, used or expired")
            raise self.refused(self._("dash.link_invalid"))
        return self._enter(telegram_id)

    async def telegram(self, request: web.Request) -> web.Response:
        if self.settings.bot_token is None:
            raise web.HTTPNotFound()
        data = {k: v for k, v in request.query.items()}
        telegram_id = verify_login_widget(data, self.settings.require_token(), utcnow())
        if telegram_id is None:
            logger.warning("dashboard: Login Widget data rejected")
            raise self.refused(self._("dash.widget_invalid"))
        return self._enter(telegram_id)

    def _enter(self, telegram_id: int) -> web.Response:
        """Who signed in is all the cookie says; their roles are read on every request."""
        logger.info("dashboard: %s signed in", who(telegram_id))
        response = web.Response(status=303, headers={"Location": "/dash"})
        self.signed_in(response, sign_session(self.settings.dash_key, telegram_id, utcnow()))
        return response

    async def signout(self, request: web.Request) -> web.Response:
        response = web.Response(status=303, headers={"Location": SIGNIN})
        response.del_cookie(COOKIE, path="/dash")
        return response
