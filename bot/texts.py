"""The message catalogs through plain gettext, for code that runs without aiogram (the sender,
the CLI). Handlers use bot.i18n, which reads the same compiled catalogs."""

from __future__ import annotations

import gettext
from typing import Any

from bot.i18n_compile import LOCALES, compile_catalogs
from bot.unit_words import UnitLabels, fill_units, words_for

DOMAIN = "messages"


class Catalog:
    """`units`: the labels of the ward the texts speak of ({ward_kind} "phường"/"xã", ...;
    a ward's words when None); a unit word passed as a parameter wins."""

    def __init__(self, default: str = "vi", units: UnitLabels | None = None) -> None:
        compile_catalogs()
        self.default = default
        self.units = units
        self._by_lang = {
            lang: gettext.translation(DOMAIN, LOCALES, languages=[lang]) for lang in ("vi", "en")
        }

    def text(self, key: str, lang: str | None = None, **params: Any) -> str:
        translation = self._by_lang.get(lang or self.default) or self._by_lang[self.default]
        value = translation.gettext(key)
        words = self.words(lang)
        value = fill_units(value, words | {k: params[k] for k in words.keys() & params.keys()})
        return value.format(**params) if params else value

    def words(self, lang: str | None = None) -> dict[str, str]:
        """The unit words, for a placeholder with a format spec ("{Group_kind:<14}")."""
        return words_for(self.units, lang or self.default)
