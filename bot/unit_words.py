"""The words a ward uses for its units: "phường"/"xã", "tổ dân phố"/"thôn", "tổ trưởng"/"trưởng
thôn", as catalog placeholders ({ward_kind}, {group_kind}, ...) and in guide texts written for a
ward. Pure functions over a Ward's labels, so every layer (gettext, the CLI, services) can use
them.
"""

from __future__ import annotations

import re
from typing import TypeVar

from models import Ward

# The unit words a ward's own labels stand for, in English (the labels are Vietnamese data).
_EN_UNITS = {
    "phường": "ward",
    "xã": "commune",
    "đặc khu": "special zone",
    "tổ dân phố": "residential group",
    "thôn": "village",
    "bản": "hamlet",
    "ấp": "hamlet",
    "buôn": "village",
    "làng": "village",
}


UnitLabels = tuple[str, str]  # (Ward.kind_label, Ward.group_label): ("Xã", "Thôn")
WARD_LABELS: UnitLabels = ("Phường", "Tổ dân phố")  # the model's defaults


def labels_of(ward: Ward | None) -> UnitLabels:
    return (ward.kind_label, ward.group_label) if ward is not None else WARD_LABELS


def words_for(labels: UnitLabels | None, lang: str) -> dict[str, str]:
    """The words messages use for a ward's units, as catalog placeholders: {ward_kind}
    "phường"/"xã", {group_kind} "tổ dân phố"/"thôn"/"bản", {group_short} "tổ"/"thôn" (a ward
    says "3 tổ"), {leader_kind} "tổ trưởng"/"trưởng thôn", {group_example} "Tổ 13"/"Thôn 1",
    and each with a capital first letter ({Ward_kind}, ...) to open a sentence or a heading."""
    kind, group = (label.strip().lower() for label in (labels or WARD_LABELS))
    in_a_ward = group == "tổ dân phố"
    example = "Tổ 13" if in_a_ward else f"{group.capitalize()} 1"
    if lang == "en":
        kind, group = _EN_UNITS.get(kind, kind), _EN_UNITS.get(group, group)
        leader = "group leader" if in_a_ward else f"{group} head"
    else:
        leader = "tổ trưởng" if in_a_ward else f"trưởng {group}"
    short = ("group" if lang == "en" else "tổ") if in_a_ward else group  # "3 tổ", "3 thôn"
    words = {"ward_kind": kind, "group_kind": group, "group_short": short, "leader_kind": leader}
    words |= {k.capitalize(): v[:1].upper() + v[1:] for k, v in words.items()}
    return words | {"group_example": example}


def unit_words(ward: Ward | None, lang: str) -> dict[str, str]:
    """words_for() a ward (None: a ward's default words)."""
    return words_for(labels_of(ward), lang)


def fill_units(text: str, words: dict[str, str]) -> str:
    """Put the unit words into a catalog text, leaving its other {placeholders} for format()."""
    if "{" not in text:
        return text
    for key, value in words.items():
        text = text.replace("{" + key + "}", value)
    return text


T = TypeVar("T", str, list[str], tuple[str, ...])

# Guides and shipped notice templates are written for a ward: "UBND phường", "Công an
# phường", "tổ trưởng tổ dân phố", "Họp tổ dân phố".
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


def _cap(word: str, upper: bool) -> str:
    return word[:1].upper() + word[1:] if upper else word


def local_units(text: T, labels: UnitLabels | None, lang: str) -> T:
    """A text written in a ward's words, in the reader's units: in a commune the resident's own
    authority is "UBND xã" ("commune People's Committee"), its villages "thôn"; where the text
    means a place that may lie elsewhere it says "xã, phường" ("commune or ward"), true for
    both. A ward's reader gets the text as written."""
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
