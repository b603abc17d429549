"""Names of procedure fields and document kinds, for the bot, the web pages and the posters.

Each caller passes its own gettext (`_` in handlers, a fixed locale on the web), so the keys
are written out here once and a test can see them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.services.guides import Guide

Gettext = Callable[[str], str]


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
