"""The message catalogs through plain gettext, for code that runs without aiogram (the sender,
the CLI). Handlers use bot.i18n, which reads the same compiled catalogs."""

from __future__ import annotations

import gettext
from typing import Any

from bot.i18n_compile import LOCALES, compile_catalogs

DOMAIN = "messages"


class Catalog:
    def __init__(self, default: str = "vi") -> None:
        compile_catalogs()
        self.default = default
        self._by_lang = {
            lang: gettext.translation(DOMAIN, LOCALES, languages=[lang]) for lang in ("vi", "en")
        }

    def text(self, key: str, lang: str | None = None, **params: Any) -> str:
        translation = self._by_lang.get(lang or self.default) or self._by_lang[self.default]
        value = translation.gettext(key)
        return value.format(**params) if params else value
