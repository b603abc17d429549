"""Names of procedure fields and document kinds, for the bot, the web pages and the posters.

Each caller passes its own gettext (`_` in handlers, a fixed locale on the web), so the keys
are written out here once and a test can see them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.services.directory import WARD_LABELS, UnitLabels, words_for
from bot.services.guides import Guide

Gettext = Callable[[str], str]
T = TypeVar("T", str, list[str], tuple[str, ...])

# The guides are written for a ward: "UBND phường", "Công an phường", "tổ trưởng tổ dân phố".
# "phường" followed by these names a place that may be another ward or commune ("UBND phường
# nơi đã đăng ký khai sinh", "Công an phường bất kỳ"); otherwise it is the reader's own.
_VI_UNIT = re.compile(
    r"(xã, phường|phường, xã)|\b(bất kỳ )?([Pp])hường\b"
    r"( (?:nơi(?! (?:cư trú|thường trú|tạm trú|đang ở)\b)|bất kỳ|đã|đang)\b)?"
)
_EN_UNIT = re.compile(
    r"(ward or commune|commune or ward)|\b([Aa]ny )?([Ww])ard\b( (?:where|that)\b)?"
)
_VI_GROUP = re.compile(r"\b([Tt])ổ trưởng tổ dân phố|\b([Tt])ổ dân phố")
_EN_GROUP = re.compile(r"\b([Rr])esidential group leader|\b([Rr])esidential group")


def field_label(_: Gettext, field: str) -> str:
    labels = {
        "ho_tich": _("field.ho_tich"),
        "chung_thuc": _("field.chung_thuc"),
        "cu_tru": _("field.cu_tru"),
        "bao_tro_xa_hoi": _("field.bao_tro_xa_hoi"),
        "dat_dai": _("field.dat_dai"),
        "xay_dung": _("field.xay_dung"),
        "kinh_doanh": _("field.kinh_doanh"),
        "khac": _("field.khac"),
    }
    return labels.get(field, field)


def kind_label(_: Gettext, kind: str) -> str:
    labels = {
        "original": _("guide.kind_original"),
        "copy": _("guide.kind_copy"),
        "certified_copy": _("guide.kind_certified_copy"),
        "present": _("guide.kind_present"),
        "form": _("guide.kind_form"),
    }
    return labels.get(kind, kind)


def about_label(_: Gettext, about: str) -> str:
    labels = {
        "fee": _("guide.about_fee"),
        "time": _("guide.about_time"),
        "documents": _("guide.about_documents"),
        "where": _("guide.about_where"),
        "eligibility": _("guide.about_eligibility"),
    }
    return labels.get(about, about)


def verification_line(_: Gettext, guide: Guide, today: date) -> str:
    """Plain text: who checked the guide and when, or plainly that nobody has (or long ago)."""
    state = guide.verification(today)
    if state == "unverified" or guide.verified_on is None:
        return _("guide.unverified")
    day = guide.verified_on.strftime("%d/%m/%Y")
    text = _("guide.stale") if state == "stale" else _("guide.verified")
    return text.format(date=day, role=guide.verified_by or "")


def source_lines(_: Gettext, guide: Guide) -> list[str]:
    """One plain line per source: "Lệ phí: Thông tư 75/2022/TT-BTC, Điều 4"."""
    return [
        _("guide.source_line").format(
            about=about_label(_, s.about), text=s.text, article=s.article
        )
        for s in guide.sources
    ]


def _cap(word: str, upper: bool) -> str:
    return word[:1].upper() + word[1:] if upper else word


def local_units(text: T, labels: UnitLabels | None, lang: str) -> T:
    """A guide's text in the reader's units: in a commune the resident's own authority is "UBND
    xã" ("commune People's Committee"), its villages "thôn"; where the text means a place that
    may lie elsewhere it says "xã, phường" ("commune or ward"), true for both. A ward's reader
    gets the text as written."""
    if not isinstance(text, str):
        return type(text)(local_units(t, labels, lang) for t in text)
    if labels is None or labels == WARD_LABELS:
        return text
    w = words_for(labels, lang)
    either = "commune or ward" if lang == "en" else "xã, phường"
    unit, group = (_EN_UNIT, _EN_GROUP) if lang == "en" else (_VI_UNIT, _VI_GROUP)

    def one_unit(m: re.Match[str]) -> str:
        if m[1]:
            return m[1]
        upper = m[3].isupper() and not m[2]
        if m[2] or m[4]:  # a place that may be another ward or commune
            return (m[2] or "") + _cap(either, upper) + (m[4] or "")
        return _cap(w["ward_kind"], upper)

    def one_group(m: re.Match[str]) -> str:
        if m[1]:
            return _cap(w["leader_kind"], m[1].isupper())
        return _cap(w["group_kind"], m[2].isupper())

    return group.sub(one_group, unit.sub(one_unit, text))
