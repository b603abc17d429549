"""gettext catalogs (Vietnamese is the source of truth) and the locale chosen per update.

Messages are looked up by key (e.g. "start.welcome"); vi and en catalogs hold the texts, and a
test checks that every key used in the code exists, translated, in both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

from bot.i18n_compile import compile_catalogs

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

__all__ = ["DOMAIN", "LOCALES_DIR", "LocaleMiddleware", "_", "create_i18n", "translate"]


def create_i18n(default_locale: str = "vi") -> I18n:
    compile_catalogs()  # no-op when the .mo files are current
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def translate(i18n: I18n, key: str, locale: str, **params: Any) -> str:
    """Translate outside a handler (CLI, workers): explicit locale."""
    text = i18n.gettext(key, locale=locale)
    return text.format(**params) if params else text


class LocaleMiddleware(I18nMiddleware):
    """The resident's saved language, else Telegram's language_code if we have it, else default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        resident = data.get("resident")
        if resident is not None and resident.language in self.i18n.available_locales:
            return str(resident.language)
        user: User | None = data.get("event_from_user")
        code = (user.language_code or "")[:2] if user else ""
        if code in self.i18n.available_locales:
            return code
        return self.i18n.default_locale
