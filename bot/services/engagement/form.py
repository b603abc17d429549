"""The /consult form as an official or a group leader types it, one field a line.

    Hỏi: Góp 200.000 đồng mỗi hộ để lát ngõ 12?
    - Đồng ý
    - Không đồng ý
    Tổ: Tổ 1, Tổ 2          (or "cả phường"; a leader's own group when left out)
    Mở: 25/11 8h            (optional: from now)
    Đóng: 30/11 20h
    Kín: có                 (optional: a secret ballot)
    Tỷ lệ: 50               (optional: the share of households that must take part, in %)

Pure: no database. Dates are read by bot.services.notices.when, in the ward's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.common.errors import Invalid
from bot.services.notices.when import combine, local_today, parse_date, parse_time

MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_QUESTION, MAX_OPTION = 1000, 60
DEFAULT_QUORUM = 50
WHOLE_WARD = ("cả phường", "toàn phường", "cả xã", "toàn xã", "tất cả", "all", "ward", "commune")
YES = ("có", "co", "yes", "y", "1", "kín")
_FIELDS = {
    "hỏi": "question",
    "câu hỏi": "question",
    "question": "question",
    "tổ": "groups",
    "thôn": "groups",  # a commune's form says "Thôn: Thôn 1" (its unit words)
    "bản": "groups",
    "ấp": "groups",
    "nhóm": "groups",
    "groups": "groups",
    "mở": "opens",
    "open": "opens",
    "opens": "opens",
    "đóng": "closes",
    "close": "closes",
    "closes": "closes",
    "kín": "secret",
    "bỏ phiếu kín": "secret",
    "secret": "secret",
    "tỷ lệ": "quorum",
    "tỉ lệ": "quorum",
    "quorum": "quorum",
}
_OPTION = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s*(.+)$")


@dataclass
class Form:
    question: str = ""
    options: list[str] = field(default_factory=list)
    groups: list[str] | None = None  # None: the default (a leader's own, an official's ward)
    whole_ward: bool = False
    opens: str | None = None
    closes: str | None = None
    secret: bool = False
    quorum: int = DEFAULT_QUORUM


def parse(text: str) -> Form:
    """Read the form's lines; Invalid names the first thing that is missing or wrong."""
    form = Form()
    for line in text.splitlines():
        if not line.strip():
            continue
        if (m := _OPTION.match(line)) and ":" not in line.split(m.group(1), 1)[0]:
            form.options.append(m.group(1).strip())
            continue
        label, sep, value = line.partition(":")
        key = _FIELDS.get(label.strip().casefold()) if sep else None
        if key is None:
            raise Invalid("consult.bad_line", line=line.strip()[:60])
        _set(form, key, value.strip())
    check(form)
    return form


def _set(form: Form, key: str, value: str) -> None:
    if key == "question":
        form.question = value
    elif key == "groups":
        if value.casefold() in WHOLE_WARD:
            form.whole_ward = True
        else:
            form.groups = [g.strip() for g in value.split(",") if g.strip()]
    elif key == "secret":
        form.secret = value.casefold() in YES
    elif key == "quorum":
        digits = value.rstrip("% ")
        if not digits.isdigit() or not 1 <= int(digits) <= 100:
            raise Invalid("consult.bad_quorum")
        form.quorum = int(digits)
    else:
        setattr(form, key, value)


def check(form: Form) -> None:
    if not form.question:
        raise Invalid("consult.no_question")
    if len(form.question) > MAX_QUESTION:
        raise Invalid("consult.question_long", limit=MAX_QUESTION)
    if not MIN_OPTIONS <= len(form.options) <= MAX_OPTIONS:
        raise Invalid("consult.option_count", low=MIN_OPTIONS, high=MAX_OPTIONS)
    if any(len(o) > MAX_OPTION for o in form.options):
        raise Invalid("consult.option_long", limit=MAX_OPTION)
    if len({o.casefold() for o in form.options}) != len(form.options):
        raise Invalid("consult.option_twice")
    if not form.closes:
        raise Invalid("consult.no_close")


def moment(value: str, now: datetime, tz: ZoneInfo) -> datetime:
    """ "30/11 20h", "30/11/2026 7:30", "30/11" (end of that day) → UTC."""
    day, _sep, at = value.strip().partition(" ")
    date_ = parse_date(day, local_today(now, tz))
    return combine(date_, parse_time(at) if at.strip() else parse_time("23:59"), tz)


def window(form: Form, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The opening and closing moments; closing after opening, and in the future."""
    opens = moment(form.opens, now, tz) if form.opens else now
    closes = moment(form.closes or "", now, tz)
    if closes <= now:
        raise Invalid("when.past")
    if closes <= opens:
        raise Invalid("consult.closes_before_open")
    return max(opens, now), closes
