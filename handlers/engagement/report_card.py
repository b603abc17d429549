"""A street report as the team and the reporter see it: the card, its buttons, the news."""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Annotated

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory import binding
from bot.services.engagement import reports
from handlers.callback_fields import DbId
from handlers.common import esc
from handlers.triage.relay import send
from models import StreetReport

logger = logging.getLogger(__name__)


class Status(IntEnum):
    """Status as a small number in button data (index into reports.STATUSES)."""

    RECEIVED = 0
    ACKNOWLEDGED = 1
    IN_PROGRESS = 2
    RESOLVED = 3
    CLOSED = 4


class ReportCategoryCb(CallbackData, prefix="rc"):
    # index into reports.CATEGORIES: a forged one fails the filter ("button no longer works")
    category: Annotated[int, Field(ge=0, le=len(reports.CATEGORIES) - 1)]


class ReportStatusCb(CallbackData, prefix="rs"):
    id: DbId
    to: Status


def category_label(category: str) -> str:
    return _(f"report.cat_{category}")


def status_label(status: str) -> str:
    return _(f"report.status_{status}")


def category_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for i, category in enumerate(reports.CATEGORIES):
        kb.button(text=category_label(category), callback_data=ReportCategoryCb(category=i))
    kb.adjust(2)
    return kb.as_markup()


def card_keyboard(report: StreetReport) -> InlineKeyboardMarkup | None:
    nexts = reports.NEXT.get(report.status, ())
    if not nexts:
        return None
    kb = InlineKeyboardBuilder()
    for status in nexts:
        kb.button(
            text=_(f"report.to_{status}"),
            callback_data=ReportStatusCb(id=report.id, to=Status(reports.STATUSES.index(status))),
        )
    kb.adjust(2)
    return kb.as_markup()


def _place(report: StreetReport) -> str:
    """The typed address, or the shared location as a map link the team can open."""
    if report.address:
        return esc(report.address)
    if report.latitude is not None and report.longitude is not None:
        lat, lon = f"{report.latitude:.5f}", f"{report.longitude:.5f}"
        url = f"https://www.openstreetmap.org/?mlat={lat}&amp;mlon={lon}#map=18/{lat}/{lon}"
        return f'<a href="{url}">{lat}, {lon}</a>'
    return "—"


def card_text(report: StreetReport) -> str:
    return _("report.card").format(
        number=report.id,
        category=category_label(report.category),
        status=status_label(report.status),
        place=_place(report),
        text=esc(report.text),
        photos=len(report.photos),
    )


async def post_card(
    bot: Bot, session: AsyncSession, report: StreetReport, settings: Settings, i18n: I18n
) -> bool:
    """The report in its ward's staff group (the questions' inbox); False when none is bound."""
    staff = await binding.staff_chat(session, ward_id=report.ward_id)
    if staff is None:
        logger.warning("report %s: ward %s has no staff group", report.id, report.ward_id)
        return False
    with i18n.use_locale(settings.language):
        text, markup = card_text(report), card_keyboard(report)
    sent = await send(bot, staff.chat_id, text, markup=markup, photos=report.photos)
    if sent is None:
        return False
    await reports.set_card(session, report.id, staff.chat_id, sent.message_id)
    return True


async def refresh_card(bot: Bot, report: StreetReport, settings: Settings, i18n: I18n) -> None:
    if report.staff_chat_id is None or report.staff_message_id is None:
        return
    with i18n.use_locale(settings.language):
        text, markup = card_text(report), card_keyboard(report)
    try:
        await bot.edit_message_text(
            text=text,
            chat_id=report.staff_chat_id,
            message_id=report.staff_message_id,
            reply_markup=markup,
        )
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        logger.info("card of report %s not edited: %s", report.id, exc.message)


async def tell_reporter(
    bot: Bot, report: StreetReport, note: str, i18n: I18n, photo: str | None = None
) -> bool:
    """Every change reaches the reporter (unless they were forgotten or blocked the bot)."""
    if report.reporter_tg_id is None:
        return False
    with i18n.use_locale(report.language):
        text = _("report.news").format(
            number=report.id,
            category=category_label(report.category),
            status=status_label(report.status),
            note=esc(note) or "—",
        )
    sent = await send(bot, report.reporter_tg_id, text, photos=[photo] if photo else None)
    return sent is not None
