"""A resident's own data: /mydata, /forget, /language, private-notice preference."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.fsm_storage import forget_conversations
from bot.services.directory import erasure, residents, retention
from handlers.callback_fields import Lang
from handlers.common import button_message, esc, privacy_notice, sender
from handlers.registry import RouterBlueprint
from models import Resident

WHEN = "%d/%m/%Y %H:%M"
MAX_QUESTIONS_SHOWN = 10  # within Telegram's 4096 characters
router = RouterBlueprint("privacy")
router.message.filter(F.chat.type == "private")


class PrivacyAction(enum.StrEnum):
    FORGET = "f"
    KEEP = "k"
    LANG = "l"
    NOTICES_ON = "on"
    NOTICES_OFF = "off"


class PrivacyCb(CallbackData, prefix="pv"):
    action: PrivacyAction
    lang: Lang = ""


def _when(iso: str | None, tz: ZoneInfo) -> str:
    """01/12/2026 08:30, local time: dates as people write them."""
    return datetime.fromisoformat(iso).astimezone(tz).strftime(WHEN) if iso else "—"


def _mydata_lines(data: dict[str, Any], settings: Settings) -> list[str]:
    tz, r = settings.tz, data["resident"]
    lines = [_("privacy.mydata_title")]
    if r is not None:
        lines.append(_("privacy.mydata_name").format(name=esc(r["display_name"])))
        language = _("privacy.language_en") if r["language"] == "en" else _("privacy.language_vi")
        lines.append(_("privacy.mydata_language").format(language=language))
        lines.append(_("privacy.mydata_consent").format(at=_when(r["consent_at"], tz)))
        if r["household"]:
            lines.append(
                _("privacy.mydata_household").format(
                    group=esc(r["household"]["group"]), address=esc(r["household"]["address"])
                )
            )
    for g in data["roles"]:
        lines.append(
            _("privacy.mydata_role").format(role=_("role." + g["role"]), ward=esc(g["ward"]))
        )
    if data["acknowledgements"]:
        lines.append(_("privacy.mydata_acks").format(count=len(data["acknowledgements"])))
    lines.append("")
    lines.append(_("privacy.mydata_kept_title"))
    lines.append(_("privacy.mydata_kept_profile"))
    for q in data["questions"][-MAX_QUESTIONS_SHOWN:]:  # the file has them all
        lines.append(
            _("privacy.mydata_kept_question").format(
                number=q["number"],
                asked=_when(q["asked_at"], tz),
                until=_when(q["kept_until"], tz),
            )
        )
    lines.append(_("privacy.mydata_kept_deliveries").format(days=settings.retention_delivery_days))
    lines.append("")
    lines.append(_("privacy.mydata_footer"))
    return lines


@router.message(Command("mydata"))
async def cmd_mydata(message: Message, session: AsyncSession, settings: Settings) -> None:
    periods = retention.Periods.from_settings(settings)
    data = await residents.my_data(session, sender(message).id, periods)
    if data["resident"] is None and not data["roles"] and not data["questions"]:
        await message.answer(_("privacy.nothing_stored"))
        return
    await message.answer("\n".join(_mydata_lines(data, settings)))
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.answer_document(
        BufferedInputFile(payload, filename="loa-du-lieu-cua-toi.json"),
        caption=_("privacy.mydata_file"),
    )


@router.message(Command("privacy"))
async def cmd_privacy(message: Message, session: AsyncSession, settings: Settings) -> None:
    await message.answer(await privacy_notice(session, settings))


@router.message(Command("forget"))
async def cmd_forget(message: Message, session: AsyncSession, settings: Settings) -> None:
    user_id = sender(message).id
    if not await erasure.holds_anything(session, user_id, settings.privacy_key):
        await message.answer(_("privacy.nothing_stored"))
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=_("privacy.forget_yes"), callback_data=PrivacyCb(action=PrivacyAction.FORGET))
    kb.button(text=_("privacy.forget_no"), callback_data=PrivacyCb(action=PrivacyAction.KEEP))
    kb.adjust(1)
    await message.answer(_("privacy.forget_confirm"), reply_markup=kb.as_markup())


@router.callback_query(PrivacyCb.filter(F.action == PrivacyAction.FORGET))
async def cb_forget(
    query: CallbackQuery,
    session: AsyncSession,
    settings: Settings,
    fsm_storage: BaseStorage,
    bot: Bot,
) -> None:
    copies = await erasure.staff_copies(session, query.from_user.id)
    deleted = await erasure.forget(session, query.from_user.id, settings.privacy_key)
    await forget_conversations(fsm_storage, query.from_user.id)
    text = _("privacy.forgotten") if deleted else _("privacy.nothing_stored")
    await button_message(query).edit_text(text)
    await query.answer()
    for chat_id, message_id in copies:  # the team's cards name the person and quote them
        try:
            await bot.edit_message_text(
                _("privacy.staff_copy_erased"), chat_id=chat_id, message_id=message_id
            )
        except TelegramAPIError:  # a photo, deleted already, or too old to change
            pass


@router.callback_query(PrivacyCb.filter(F.action == PrivacyAction.KEEP))
async def cb_keep(query: CallbackQuery) -> None:
    await button_message(query).edit_text(_("privacy.forget_cancelled"))
    await query.answer()


@router.message(Command("language"))
async def cmd_language(message: Message) -> None:
    kb = InlineKeyboardBuilder()
    kb.button(text="🇻🇳 Tiếng Việt", callback_data=PrivacyCb(action=PrivacyAction.LANG, lang="vi"))
    kb.button(text="🇬🇧 English", callback_data=PrivacyCb(action=PrivacyAction.LANG, lang="en"))
    kb.adjust(1)
    await message.answer(_("language.choose"), reply_markup=kb.as_markup())


@router.callback_query(PrivacyCb.filter(F.action == PrivacyAction.LANG))
async def cb_language(
    query: CallbackQuery,
    callback_data: PrivacyCb,
    session: AsyncSession,
    resident: Resident | None,
) -> None:
    shown = button_message(query)  # before saving: a stale press changes nothing
    await residents.set_language(session, query.from_user.id, callback_data.lang)
    with I18n.get_current(no_error=False).use_locale(callback_data.lang):
        text = _("language.saved") if resident else _("language.saved_not_registered")
        await shown.edit_text(text)
    await query.answer()


@router.message(Command("notices_private"))
async def cmd_private_notices(message: Message, resident: Resident | None) -> None:
    if resident is None:
        await message.answer(_("resident.not_registered"))
        return
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("notices.private_on"), callback_data=PrivacyCb(action=PrivacyAction.NOTICES_ON)
    )
    kb.button(
        text=_("notices.private_off"), callback_data=PrivacyCb(action=PrivacyAction.NOTICES_OFF)
    )
    kb.adjust(1)
    state = _("notices.state_on") if resident.private_notices else _("notices.state_off")
    await message.answer(_("notices.private_ask").format(state=state), reply_markup=kb.as_markup())


@router.callback_query(
    PrivacyCb.filter(F.action.in_({PrivacyAction.NOTICES_ON, PrivacyAction.NOTICES_OFF}))
)
async def cb_private_notices(
    query: CallbackQuery, callback_data: PrivacyCb, session: AsyncSession
) -> None:
    enabled = callback_data.action == PrivacyAction.NOTICES_ON
    await residents.set_private_notices(session, query.from_user.id, enabled)
    await button_message(query).edit_text(
        _("notices.state_on") if enabled else _("notices.state_off")
    )
    await query.answer()
