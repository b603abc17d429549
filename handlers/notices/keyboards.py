"""The composer's buttons: big, one idea each, a "Hủy" on every step."""

from __future__ import annotations

import enum
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.notices.drafts import AudienceKind, NoticeKind
from bot.services.notices.templates import Template
from bot.services.notices.when import weekday
from models import ResidentialGroup, Urgency

TIMES = ("06:30", "07:00", "07:30", "08:00", "13:30", "14:00", "17:00", "19:30")


class Act(enum.StrEnum):
    KIND = "k"
    TEMPLATE = "t"
    KEEP = "keep"  # keep the template's suggestion
    SKIP = "skip"
    AUDIENCE = "a"
    GROUP = "g"  # toggle one group
    GROUPS_DONE = "gd"
    URGENCY = "u"
    WHEN = "w"
    DAY = "d"
    TIME = "h"
    EXPIRY = "e"
    SEND = "send"
    REMIND = "rem"
    URGENT = "urg"  # short notice: send it as urgent (private chats + pin)
    EDIT = "edit"
    CANCEL = "x"


class AnCb(CallbackData, prefix="an"):
    act: Act
    value: str = ""


def _cancel(kb: InlineKeyboardBuilder) -> None:
    kb.button(text=_("announce.btn_cancel"), callback_data=AnCb(act=Act.CANCEL))


def _done(kb: InlineKeyboardBuilder, *sizes: int) -> InlineKeyboardMarkup:
    _cancel(kb)
    kb.adjust(*sizes) if sizes else kb.adjust(1)
    return kb.as_markup()


def cancel_only() -> InlineKeyboardMarkup:
    return _done(InlineKeyboardBuilder())


def kinds(may_emergency: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("announce.kind_notice"), callback_data=AnCb(act=Act.KIND, value=NoticeKind.NOTICE)
    )
    kb.button(
        text=_("announce.kind_event"), callback_data=AnCb(act=Act.KIND, value=NoticeKind.EVENT)
    )
    if may_emergency:
        kb.button(
            text=_("announce.kind_emergency"),
            callback_data=AnCb(act=Act.KIND, value=NoticeKind.EMERGENCY),
        )
    kb.button(text=_("announce.kind_template"), callback_data=AnCb(act=Act.KIND, value="tpl"))
    return _done(kb)


def templates(items: list[Template]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for t in items:
        kb.button(text=t.name, callback_data=AnCb(act=Act.TEMPLATE, value=t.ref))
    return _done(kb)


def keep_or_skip(suggestion: str | None, optional: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if suggestion:
        label = _("announce.btn_keep").format(value=suggestion[:40])
        kb.button(text=label, callback_data=AnCb(act=Act.KEEP))
    if optional:
        kb.button(text=_("announce.btn_skip"), callback_data=AnCb(act=Act.SKIP))
    return _done(kb)


def audiences() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("announce.aud_ward"), callback_data=AnCb(act=Act.AUDIENCE, value=AudienceKind.WARD)
    )
    kb.button(
        text=_("announce.aud_groups"),
        callback_data=AnCb(act=Act.AUDIENCE, value=AudienceKind.GROUPS),
    )
    kb.button(
        text=_("announce.aud_leaders"),
        callback_data=AnCb(act=Act.AUDIENCE, value=AudienceKind.LEADERS),
    )
    return _done(kb)


def groups(items: list[ResidentialGroup], selected: set[int]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for g in items:
        mark = "✅" if g.id in selected else "⬜"
        kb.button(text=f"{mark} {g.name}", callback_data=AnCb(act=Act.GROUP, value=str(g.id)))
    label = _("announce.btn_groups_done").format(count=len(selected))
    kb.button(text=label, callback_data=AnCb(act=Act.GROUPS_DONE))
    _cancel(kb)
    kb.adjust(*([2] * ((len(items) + 1) // 2)), 1, 1)
    return kb.as_markup()


def urgencies() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("announce.urg_normal"), callback_data=AnCb(act=Act.URGENCY, value=Urgency.NORMAL)
    )
    kb.button(
        text=_("announce.urg_urgent"), callback_data=AnCb(act=Act.URGENCY, value=Urgency.URGENT)
    )
    return _done(kb)


def when() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("announce.when_now"), callback_data=AnCb(act=Act.WHEN, value="now"))
    kb.button(text=_("announce.when_later"), callback_data=AnCb(act=Act.WHEN, value="later"))
    return _done(kb)


def days(items: list[date]) -> InlineKeyboardMarkup:
    """A date picker: the coming days as buttons (typing "26/11" works too)."""
    kb = InlineKeyboardBuilder()
    for i, d in enumerate(items):
        label = _("announce.today") if i == 0 else _(f"weekday.short_{weekday(d)}")
        kb.button(text=f"{label} {d:%d/%m}", callback_data=AnCb(act=Act.DAY, value=f"{d:%Y%m%d}"))
    return _done(kb, 3)


def times() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for t in TIMES:
        kb.button(text=t, callback_data=AnCb(act=Act.TIME, value=t.replace(":", "")))
    return _done(kb, 4)


def expiries(event: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if event:
        kb.button(text=_("announce.exp_event"), callback_data=AnCb(act=Act.EXPIRY, value="event"))
    else:
        kb.button(text=_("announce.exp_none"), callback_data=AnCb(act=Act.EXPIRY, value="none"))
    for n in ("1", "3", "7"):
        label = _("announce.exp_days").format(days=n)
        kb.button(text=label, callback_data=AnCb(act=Act.EXPIRY, value=n))
    kb.button(text=_("announce.exp_date"), callback_data=AnCb(act=Act.EXPIRY, value="date"))
    return _done(kb, 1, 3, 1)


def preview(pending: bool, remind: bool | None, offer_urgent: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    send = _("announce.btn_submit") if pending else _("announce.btn_send")
    kb.button(text=send, callback_data=AnCb(act=Act.SEND))
    if offer_urgent:
        kb.button(text=_("announce.btn_make_urgent"), callback_data=AnCb(act=Act.URGENT))
    if remind is not None:
        label = _("announce.btn_remind_on") if remind else _("announce.btn_remind_off")
        kb.button(text=label, callback_data=AnCb(act=Act.REMIND))
    kb.button(text=_("announce.btn_edit"), callback_data=AnCb(act=Act.EDIT))
    return _done(kb)
