"""How tickets look in Telegram: callback data, the staff card, keyboards, short lines.

Texts come from the catalogs through `_()`, so callers choose the locale (staff group: the
ward's language; resident: the ticket's language) with `i18n.use_locale(...)`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.triage.tickets import CardInfo
from bot.text import esc
from handlers.callback_fields import DbId, Flag, Token
from models import Ticket, TicketCategory, TicketStatus

TIME_FMT = "%H:%M %d/%m"


PREVIEW = 60


class TicketAction(enum.StrEnum):
    TAKE = "t"
    ANSWER = "a"
    GUIDE = "g"
    ESCALATE = "e"
    CLOSE = "c"
    SPAM = "s"
    FAQ = "f"


class TicketCb(CallbackData, prefix="tk"):
    action: TicketAction
    id: DbId


class GuideCb(CallbackData, prefix="tg"):
    id: DbId
    code: Token  # national procedure code (ASCII)


class RateCb(CallbackData, prefix="rt"):
    id: DbId
    good: Flag  # 1 good, 0 not good


def category_label(category: TicketCategory) -> str:
    return {
        TicketCategory.PROCEDURE: _("category.procedure"),
        TicketCategory.COMPLAINT: _("category.complaint"),
        TicketCategory.EMERGENCY: _("category.emergency"),
        TicketCategory.OTHER: _("category.other"),
    }[category]


def status_label(ticket: Ticket) -> str:
    if ticket.spam:
        return _("status.spam")
    return {
        TicketStatus.NEW: _("status.new"),
        TicketStatus.TAKEN: _("status.taken"),
        TicketStatus.ANSWERED: _("status.answered"),
        TicketStatus.CLOSED: _("status.closed"),
    }[ticket.status]


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(TIME_FMT)


def card_text(ticket: Ticket, info: CardInfo, tz: ZoneInfo) -> str:
    """The card the team sees in the staff group."""
    icon = "🚨" if ticket.category is TicketCategory.EMERGENCY else "❓"
    who = " · ".join(esc(p) for p in (ticket.resident_name, info.group, info.address) if p)
    lines = [
        _("card.head").format(
            icon=icon, number=ticket.id, category=category_label(ticket.category)
        ),
        _("card.who").format(who=who),
    ]
    if ticket.origin_chat_id is not None:
        lines.append(_("card.in_group"))
    if ticket.procedure_code:
        lines.append(_("card.procedure").format(code=esc(ticket.procedure_code)))
    lines.append(_("card.due").format(due=local_time(ticket.due_at, tz)))
    lines.append("")
    lines.append(esc(info.text))
    if info.photos:
        lines.append(_("card.photos").format(count=info.photos))
    lines.append("")
    lines.append(_("card.status").format(status=status_label(ticket)))
    if ticket.assignee_name and ticket.status is not TicketStatus.NEW:
        lines.append(_("card.assignee").format(name=esc(ticket.assignee_name)))
    if ticket.escalated_at is not None:
        lines.append(_("card.escalated"))
    return "\n".join(lines)


def card_keyboard(ticket: Ticket) -> InlineKeyboardMarkup | None:
    """Buttons that make sense in this status (every press is checked again anyway)."""
    kb = InlineKeyboardBuilder()
    status = ticket.status

    def add(text: str, action: TicketAction) -> None:
        kb.button(text=text, callback_data=TicketCb(action=action, id=ticket.id))

    if status is TicketStatus.NEW:
        add(_("button.take"), TicketAction.TAKE)
    if status is not TicketStatus.CLOSED:
        add(_("button.answer"), TicketAction.ANSWER)
        add(_("button.guide"), TicketAction.GUIDE)
        if ticket.escalated_at is None:
            add(_("button.escalate"), TicketAction.ESCALATE)
        add(_("button.close"), TicketAction.CLOSE)
        if status is not TicketStatus.ANSWERED:
            add(_("button.spam"), TicketAction.SPAM)
    if status in (TicketStatus.ANSWERED, TicketStatus.CLOSED) and not ticket.spam:
        add(_("button.faq"), TicketAction.FAQ)
    if not kb.export():  # `kb.buttons` is a generator: always true, even when empty
        return None
    kb.adjust(2)
    return kb.as_markup()


def rating_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("button.rate_good"), callback_data=RateCb(id=ticket_id, good=1))
    kb.button(text=_("button.rate_bad"), callback_data=RateCb(id=ticket_id, good=0))
    kb.adjust(2)
    return kb.as_markup()


def ticket_line(ticket: Ticket, tz: ZoneInfo, *, with_status: bool = True) -> str:
    """One line for /queue and /myquestions."""
    summary = ticket.summary if len(ticket.summary) <= PREVIEW else ticket.summary[:PREVIEW] + "…"
    parts = [f"<b>#{ticket.id}</b>", local_time(ticket.created_at, tz)]
    if with_status:
        parts.append(status_label(ticket))
    else:
        parts.append(category_label(ticket.category))
    return " · ".join(parts) + "\n    " + esc(summary)
