"""gettext catalogs (Vietnamese is the source of truth) and the locale chosen per update.

Messages are looked up by key (e.g. "start.welcome"); vi and en catalogs hold the texts, and a
test checks that every key used in the code exists, translated, in both.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

from bot.i18n_compile import compile_catalogs
from bot.unit_words import UnitLabels, fill_units, labels_of, words_for
from models import Ward

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

__all__ = [
    "DOMAIN",
    "LOCALES_DIR",
    "LocaleMiddleware",
    "_",
    "create_i18n",
    "speak_for",
    "speaking",
    "translate",
]

# The unit labels of the ward the current update concerns (set per update by
# bot.middlewares.context.UnitWordsMiddleware; None outside an update).
UNIT_LABELS: ContextVar[UnitLabels | None] = ContextVar("loa_unit_labels", default=None)


class UnitTranslations(gettext.GNUTranslations):
    """One locale's catalog that also fills the unit words ({ward_kind}, {group_kind},
    {leader_kind}, {group_example}, capitalised forms) of the ward the update concerns, so every
    handler speaks of "xã" and "thôn" in a commune without passing them itself. Outside an
    update the placeholders stay for the caller's format() (directory.unit_words)."""

    def __init__(self, inner: gettext.NullTranslations, lang: str) -> None:
        super().__init__()
        self.inner, self.lang = inner, lang

    def _fill(self, text: str) -> str:
        labels = UNIT_LABELS.get()
        return text if labels is None else fill_units(text, words_for(labels, self.lang))

    def gettext(self, message: str) -> str:
        return self._fill(self.inner.gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._fill(self.inner.ngettext(msgid1, msgid2, n))


@contextmanager
def speaking(labels: UnitLabels) -> Iterator[None]:
    """Speak in these unit labels inside the block (an update, or a job's item)."""
    token = UNIT_LABELS.set(labels)
    try:
        yield
    finally:
        UNIT_LABELS.reset(token)


def speak_for(ward: Ward | None) -> dict[str, str]:
    """From now on in this update, speak in `ward`'s words (a handler that learns the ward only
    from what was pressed or typed); returns the words in the current locale."""
    UNIT_LABELS.set(labels_of(ward))
    return words_for(labels_of(ward), I18n.get_current(no_error=False).current_locale)


def create_i18n(default_locale: str = "vi") -> I18n:
    compile_catalogs()  # no-op when the .mo files are current
    i18n = I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)
    i18n.locales = {lang: UnitTranslations(t, lang) for lang, t in i18n.locales.items()}
    return i18n


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
