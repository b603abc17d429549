"""Names of procedure fields and document kinds, for the bot, the web pages and the posters.

Each caller passes its own gettext (`_` in handlers, a fixed locale on the web), so the keys
are written out here once and a test can see them.
"""

from __future__ import annotations

from collections.abc import Callable

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
