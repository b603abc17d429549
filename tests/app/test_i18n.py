"""The catalogs: every key the code uses exists in vi and en, translated, same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.app import COMMANDS
from bot.i18n import LOCALES_DIR
from bot.services.directory import processing_record
from bot.services.directory.units import words_for
from bot.services.engagement import reports
from bot.services.notices.when import WEEKDAYS
from bot.services.procedures.lookups import SOURCES
from bot.services.stats.goals import Level
from models import Role, Urgency

ROOT = Path(__file__).resolve().parents[2]
KEY_CALL = re.compile(
    r"""(?:\b_|gettext|\.text|Invalid|NotFound|Forbidden|NotConfigured|ServiceError)\(\s*["']([a-z_]+\.[a-z_.]+)["']"""
)
KEY_TRANSLATE = re.compile(r"""translate\(\s*[\w.]+,\s*["']([a-z_]+\.[a-z_.]+)["']""")
KEY_TEMPLATE = re.compile(r"""["'](dash\.[a-z_.]*[a-z])["']""")  # in the dashboard's templates
KEY_ATTR = re.compile(r"""\bkey = ["']([a-z_]+\.[a-z_.]+)["']""")


def catalog(lang: str) -> dict[str, str]:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: str(m.string) for m in read_po(f) if m.id and isinstance(m.id, str)}


def used_keys() -> set[str]:
    keys = {f"role.{r.value}" for r in Role} | {f"cmd.{c}" for c in COMMANDS}
    keys |= {"admin.granted", "admin.already_granted"}  # chosen by a conditional expression
    keys |= {f"notice.header_{u.value}" for u in Urgency}
    keys |= processing_record.text_keys()  # built from category names
    keys |= reports.text_keys()  # street reports: categories and statuses
    keys |= {f"weekday.{d}" for d in WEEKDAYS} | {f"weekday.short_{d}" for d in WEEKDAYS}
    keys |= {f"dash.level_{level.value}" for level in Level}
    keys |= {f"dash.src_{source}" for source in SOURCES}  # the dashboard's lookups by source
    for path in (ROOT / "bot" / "web").rglob("*.html"):
        keys |= set(KEY_TEMPLATE.findall(path.read_text(encoding="utf-8")))
    for folder in ("bot", "handlers", "broadcasts", "models"):  # models/errors.py: keys
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            keys |= set(KEY_CALL.findall(text)) | set(KEY_ATTR.findall(text))
            keys |= set(KEY_TRANSLATE.findall(text))
    return keys


# The unit words ({ward_kind}, {Leader_kind}, ...) are filled from the ward's data, not by the
# caller: each language picks the forms its grammar needs.
UNIT_WORDS = frozenset(words_for(None, "vi"))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name} - UNIT_WORDS


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_used_key_is_translated(lang: str) -> None:
    messages = catalog(lang)
    missing = sorted(k for k in used_keys() if not messages.get(k))
    assert not missing, f"{lang}: keys without text: {missing}"


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    vi, en = catalog("vi"), catalog("en")
    assert set(vi) == set(en)
    differing = [k for k in vi if fields(vi[k]) != fields(en[k])]
    assert not differing, f"placeholders differ: {differing}"


def test_no_unused_keys() -> None:
    unused = sorted(set(catalog("vi")) - used_keys())
    assert not unused, f"keys no code uses: {unused}"


def test_vietnamese_is_accented() -> None:
    """A cheap guard against text typed without diacritics (a common slip)."""
    vi = catalog("vi")
    plain = [
        k
        for k, v in vi.items()
        if len(v) > 30 and not re.search(r"[à-ỹđĐ]", v) and "<code>" not in v
    ]
    assert not plain, f"Vietnamese texts without any diacritics: {plain}"
