"""/start: what Loa is, the privacy notice, explicit consent, then group and household."""

from __future__ import annotations

import enum

from aiogram import F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import speak_for
from bot.services.common.errors import ServiceError
from bot.services.directory import residents
from bot.services.directory import units as directory
from handlers.callback_fields import DbId, Lang
from handlers.common import button_message, error_text, esc, privacy_notice, sender
from handlers.registry import RouterBlueprint
from models import Household, Resident, Ward

router = RouterBlueprint("start")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

PAGE = 8


class JoinAction(enum.StrEnum):
    LANG = "l"
    CONSENT = "c"
    DECLINE = "d"
    WARD = "w"
    GROUP = "g"
    PAGE = "p"
    HOUSEHOLD = "h"
    TYPE = "t"


class JoinCb(CallbackData, prefix="j"):
    action: JoinAction
    id: DbId = 0
    page: DbId = 0  # a page number, or the group of a household button
    lang: Lang = ""


class JoinStates(StatesGroup):
    address = State()


def _welcome_keyboard(lang: Lang, group_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("start.consent_yes"),
        callback_data=JoinCb(action=JoinAction.CONSENT, id=group_id, lang=lang),
    )
    kb.button(
        text=_("start.consent_no"), callback_data=JoinCb(action=JoinAction.DECLINE, lang=lang)
    )
    other: Lang = "en" if lang == "vi" else "vi"
    kb.button(
        text=_("start.switch_language"),
        callback_data=JoinCb(action=JoinAction.LANG, id=group_id, lang=other),
    )
    kb.adjust(1)
    return kb.as_markup()


def _join_group_id(payload: str | None) -> int:
    if payload and payload.startswith("join-") and payload[5:].isdigit():
        return int(payload[5:])
    return 0


@router.message(CommandStart())
async def cmd_start(
    message: Message,
    command: CommandObject,
    resident: Resident | None,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await state.clear()
    group_id = _join_group_id(command.args)
    if resident is not None and resident.consent_at is not None and resident.household:
        h = resident.household
        await message.answer(
            _("start.welcome_back").format(
                name=esc(resident.display_name), group=esc(h.group.name), address=esc(h.address)
            )
        )
        if group_id and group_id != h.group_id:
            await _ask_household(message, session, group_id, edit=False)
        return
    if resident is not None and resident.consent_at is not None:
        await _ask_group(message, session, group_id, edit=False)
        return
    code = (message.from_user.language_code or "vi")[:2] if message.from_user else "vi"
    lang: Lang = "en" if code == "en" else "vi"  # residents.LANGUAGES, "vi" for any other
    await message.answer(
        await _welcome(session, settings, group_id),
        reply_markup=_welcome_keyboard(lang, group_id),
    )


def _units(ward: Ward | None) -> dict[str, str]:
    return speak_for(ward)  # the ward chosen here, before the resident belongs to it


async def _done(session: AsyncSession, household: Household) -> str:
    units = _units(await session.get(Ward, household.ward_id))
    address, group = esc(household.address), esc(household.group.name)
    return _("join.done").format(address=address, group=group, **units)


async def _welcome(session: AsyncSession, settings: Settings, group_id: int) -> str:
    """Who speaks through Loa (the ward's People's Committee), how to check a message, and
    what Loa keeps (the privacy notice)."""
    ward = await directory.home_ward(session, group_id)
    if ward is not None:
        _units(ward)  # a join link names the ward before the resident belongs to it
    council = ward.council if ward is not None else _("start.council_any")
    notice = await privacy_notice(session, settings, group_id)
    return _("start.welcome").format(council=esc(council)) + "\n\n" + notice


@router.callback_query(JoinCb.filter(F.action == JoinAction.LANG))
async def cb_language(
    query: CallbackQuery, callback_data: JoinCb, session: AsyncSession, settings: Settings
) -> None:
    i18n = I18n.get_current(no_error=False)
    with i18n.use_locale(callback_data.lang):
        await button_message(query).edit_text(
            await _welcome(session, settings, callback_data.id),
            reply_markup=_welcome_keyboard(callback_data.lang, callback_data.id),
        )
    await query.answer()


@router.callback_query(JoinCb.filter(F.action == JoinAction.DECLINE))
async def cb_decline(query: CallbackQuery, callback_data: JoinCb) -> None:
    with I18n.get_current(no_error=False).use_locale(
        callback_data.lang or I18n.get_current(no_error=False).current_locale
    ):
        await button_message(query).edit_text(_("start.declined"))
    await query.answer()


@router.callback_query(JoinCb.filter(F.action == JoinAction.CONSENT))
async def cb_consent(query: CallbackQuery, callback_data: JoinCb, session: AsyncSession) -> None:
    user = query.from_user
    name = " ".join(filter(None, [user.first_name, user.last_name])) or str(user.id)
    resident = await residents.give_consent(session, user.id, name, callback_data.lang or "vi")
    with I18n.get_current(no_error=False).use_locale(resident.language):
        await query.answer(_("start.consent_thanks"))
        await _ask_group(button_message(query), session, callback_data.id, edit=True)


async def _ask_group(
    message: Message, session: AsyncSession, group_id: int, *, edit: bool
) -> None:
    if group_id:
        await _ask_household(message, session, group_id, edit=edit)
        return
    wards = await directory.list_wards(session)
    kb = InlineKeyboardBuilder()
    if len(wards) > 1:
        for w in wards:
            kb.button(text=w.name, callback_data=JoinCb(action=JoinAction.WARD, id=w.id))
        kb.adjust(1)
        text = _("join.choose_ward")
    else:
        groups = await directory.list_groups(session, wards[0].id if wards else None)
        units = _units(wards[0] if wards else None)
        if not groups:
            await message.answer(_("join.no_groups").format(**units))
            return
        for g in groups:
            kb.button(text=g.name, callback_data=JoinCb(action=JoinAction.GROUP, id=g.id))
        kb.adjust(3)
        text = _("join.choose_group").format(**units)
    if edit:
        await message.edit_text(text, reply_markup=kb.as_markup())
    else:
        await message.answer(text, reply_markup=kb.as_markup())


async def _refuse_without_consent(query: CallbackQuery, resident: Resident | None) -> bool:
    """Addresses are shown only after consent: a forged or stale press gets nothing."""
    if resident is not None and resident.consent_at is not None:
        return False
    await query.answer(_("join.consent_required"), show_alert=True)
    return True


@router.callback_query(JoinCb.filter(F.action == JoinAction.WARD))
async def cb_ward(
    query: CallbackQuery, callback_data: JoinCb, session: AsyncSession, resident: Resident | None
) -> None:
    if await _refuse_without_consent(query, resident):
        return
    kb = InlineKeyboardBuilder()
    for g in await directory.list_groups(session, callback_data.id):
        kb.button(text=g.name, callback_data=JoinCb(action=JoinAction.GROUP, id=g.id))
    kb.adjust(3)
    units = _units(await session.get(Ward, callback_data.id))
    await button_message(query).edit_text(
        _("join.choose_group").format(**units), reply_markup=kb.as_markup()
    )
    await query.answer()


async def _ask_household(
    message: Message, session: AsyncSession, group_id: int, *, edit: bool, page: int = 0
) -> None:
    try:
        group = await directory.get_group(session, group_id)
    except ServiceError as err:  # also after a button: said in the chat, not as an alert
        await message.answer(error_text(err))
        return
    households = await directory.list_households(session, group_id, limit=1000)
    chunk = households[page * PAGE : (page + 1) * PAGE]
    kb = InlineKeyboardBuilder()
    for h in chunk:
        kb.button(
            text=h.address,
            callback_data=JoinCb(action=JoinAction.HOUSEHOLD, id=h.id, page=group_id),
        )
    nav = 0
    if page > 0:
        kb.button(
            text=_("join.prev"),
            callback_data=JoinCb(action=JoinAction.PAGE, id=group_id, page=page - 1),
        )
        nav += 1
    if (page + 1) * PAGE < len(households):
        kb.button(
            text=_("join.next"),
            callback_data=JoinCb(action=JoinAction.PAGE, id=group_id, page=page + 1),
        )
        nav += 1
    kb.button(
        text=_("join.type_address"), callback_data=JoinCb(action=JoinAction.TYPE, id=group_id)
    )
    kb.adjust(*([1] * len(chunk)), *([nav] if nav else []), 1)
    text = _("join.choose_household").format(group=esc(group.name))
    if edit:
        await message.edit_text(text, reply_markup=kb.as_markup())
    else:
        await message.answer(text, reply_markup=kb.as_markup())


@router.callback_query(JoinCb.filter(F.action.in_({JoinAction.GROUP, JoinAction.PAGE})))
async def cb_group(
    query: CallbackQuery, callback_data: JoinCb, session: AsyncSession, resident: Resident | None
) -> None:
    if await _refuse_without_consent(query, resident):
        return
    page = callback_data.page if callback_data.action == JoinAction.PAGE else 0
    await _ask_household(button_message(query), session, callback_data.id, edit=True, page=page)
    await query.answer()


@router.callback_query(JoinCb.filter(F.action == JoinAction.HOUSEHOLD))
async def cb_household(query: CallbackQuery, callback_data: JoinCb, session: AsyncSession) -> None:
    household = await residents.join_household(
        session, query.from_user.id, callback_data.page, household_id=callback_data.id
    )
    await button_message(query).edit_text(await _done(session, household))
    await query.answer()


@router.callback_query(JoinCb.filter(F.action == JoinAction.TYPE))
async def cb_type_address(
    query: CallbackQuery, callback_data: JoinCb, state: FSMContext, resident: Resident | None
) -> None:
    if await _refuse_without_consent(query, resident):
        return
    await state.set_state(JoinStates.address)
    await state.update_data(group_id=callback_data.id)
    await button_message(query).answer(_("join.ask_address"))
    await query.answer()


@router.message(JoinStates.address, F.text, ~F.text.startswith("/"))
async def msg_address(message: Message, state: FSMContext, session: AsyncSession) -> None:
    data = await state.get_data()
    household = await residents.join_household(
        session, sender(message).id, int(data["group_id"]), address=message.text
    )
    await state.clear()
    await message.answer(await _done(session, household))


@router.message(JoinStates.address)
async def msg_address_not_text(message: Message) -> None:
    await message.answer(_("join.ask_address"))


@router.message(Command("move"))
async def cmd_move(message: Message, resident: Resident | None, session: AsyncSession) -> None:
    if resident is None or resident.consent_at is None:
        await message.answer(_("resident.not_registered"))
        return
    await _ask_group(message, session, 0, edit=False)
