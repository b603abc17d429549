"""/report in private chat (category → photos → place → a few words), and the team's side:
status buttons on the card in the staff group, a reply with a photo to resolve, a reply with
text for a public note. Service refusals reach handlers/refusals.py."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import Invalid
from bot.services.directory.roles import Principal
from bot.services.engagement import reports
from bot.services.triage.tickets import clean_text
from handlers.common import button_message, sender
from handlers.engagement.report_card import (
    ReportCategoryCb,
    ReportStatusCb,
    category_keyboard,
    category_label,
    post_card,
    refresh_card,
    tell_reporter,
)
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from handlers.triage.flow import photo_ids
from models import Resident, StreetReport

router = RouterBlueprint("reports")
GROUP_CHATS = {"group", "supergroup"}


class ReportStates(StatesGroup):
    category = State()
    photos = State()
    text = State()


@router.message(Command("report"), F.chat.type == "private")
async def cmd_report(message: Message, state: FSMContext, resident: Resident | None) -> None:
    reports.reporter_ward(resident)  # refuses an unregistered person before any step
    await state.clear()
    await state.set_state(ReportStates.category)
    await message.answer(_("report.choose_category"), reply_markup=category_keyboard())


@router.callback_query(ReportCategoryCb.filter())
async def cb_category(
    query: CallbackQuery, callback_data: ReportCategoryCb, state: FSMContext
) -> None:
    if await state.get_state() != ReportStates.category.state:
        raise Invalid("report.nothing_to_send")
    category = reports.CATEGORIES[callback_data.category]
    await state.set_state(ReportStates.photos)
    await state.set_data({"category": category, "photos": [], "mg": None, "capped": False})
    await button_message(query).edit_text(
        _("report.ask_photos").format(category=category_label(category), count=reports.MAX_PHOTOS)
    )
    await query.answer()


@router.message(ReportStates.photos, F.photo, F.chat.type == "private")
async def msg_photo(message: Message, state: FSMContext) -> None:
    """An album arrives as one update per photo: one answer per album, one refusal at most."""
    data = await state.get_data()
    data["photos"], over = reports.add_photos(data["photos"], photo_ids(message))
    tell_cap = over and not data["capped"]
    data["capped"] = data["capped"] or over
    same_album = message.media_group_id is not None and message.media_group_id == data["mg"]
    data["mg"] = message.media_group_id
    await state.set_data(data)
    if tell_cap:
        await message.answer(_("report.too_many_photos").format(count=reports.MAX_PHOTOS))
    if not same_album and not tell_cap:
        await message.answer(_("report.ask_place").format(count=len(data["photos"])))


@router.message(ReportStates.photos, F.location, F.chat.type == "private")
async def msg_location(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    if not data["photos"]:
        raise Invalid("report.need_photo")
    assert message.location is not None  # the filter above
    data["lat"], data["lon"] = message.location.latitude, message.location.longitude
    await state.set_data(data)
    await state.set_state(ReportStates.text)
    await message.answer(_("report.ask_text"))


@router.message(ReportStates.photos, F.text, ~F.text.startswith("/"), F.chat.type == "private")
async def msg_address(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    if not data["photos"]:
        raise Invalid("report.need_photo")
    address = clean_text(message.text)
    if not address:
        raise Invalid("report.ask_place_again")
    data["address"] = address[:300]
    await state.set_data(data)
    await state.set_state(ReportStates.text)
    await message.answer(_("report.ask_text"))


@router.message(ReportStates.photos, ~F.text.startswith("/"), F.chat.type == "private")
async def msg_photos_other(message: Message) -> None:
    raise Invalid("report.need_photo")


@router.message(ReportStates.text, F.text, ~F.text.startswith("/"), F.chat.type == "private")
async def msg_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    resident: Resident | None,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    ward_id = reports.reporter_ward(resident)
    assert resident is not None  # reporter_ward refuses None
    draft = reports.Draft(
        category=data["category"],
        photos=data["photos"],
        text=message.text or "",
        latitude=data.get("lat"),
        longitude=data.get("lon"),
        address=data.get("address"),
    )
    report = await reports.open_report(
        session, resident.telegram_id, ward_id, resident.language, draft
    )
    await state.clear()
    await post_card(bot, session, report, settings, i18n)
    await message.answer(_("report.sent").format(number=report.id))


@router.message(ReportStates.text, ~F.text.startswith("/"), F.chat.type == "private")
async def msg_text_other(message: Message) -> None:
    await message.answer(_("report.ask_text"))


def _default_note(status: str, settings: Settings, i18n: I18n) -> str:
    with i18n.use_locale(settings.language):
        return _(f"report.note_{status}")


async def _after_change(
    bot: Bot, report: StreetReport, note: str, settings: Settings, i18n: I18n,
    photo: str | None = None,
) -> None:  # fmt: skip
    await refresh_card(bot, report, settings, i18n)
    await tell_reporter(bot, report, note, i18n, photo=photo)


@router.callback_query(ReportStatusCb.filter())
async def cb_status(
    query: CallbackQuery,
    callback_data: ReportStatusCb,
    session: AsyncSession,
    principal: Principal | None,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The role is checked again on every press (the service's `ensure_staff`)."""
    to_status = reports.STATUSES[callback_data.to]
    note = _default_note(to_status, settings, i18n)
    report = await reports.change_status(session, callback_data.id, principal, to_status, note)
    await _after_change(bot, report, note, settings, i18n)
    await query.answer(_("report.changed").format(number=report.id))


async def report_card_reply(message: Message, session: AsyncSession) -> dict[str, Any] | bool:
    """Filter: a reply, in a group, to the card of a street report."""
    replied = message.reply_to_message
    if message.chat.type not in GROUP_CHATS or replied is None or message.from_user is None:
        return False
    if message.text and message.text.startswith("/"):
        return False
    report = await reports.by_card(session, message.chat.id, replied.message_id)
    return {"report": report} if report is not None else False


@router.message(report_card_reply, F.photo)
@quoting  # a refusal quotes the message it answers
async def msg_resolve_with_photo(
    message: Message,
    report: StreetReport,
    session: AsyncSession,
    principal: Principal | None,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A photo in reply to the card is the proof: the report becomes "resolved"."""
    photo = photo_ids(message)[0]
    note = clean_text(message.caption) or _default_note("resolved", settings, i18n)
    report = await reports.change_status(session, report.id, principal, "resolved", note, photo)
    await _after_change(bot, report, note, settings, i18n, photo=photo)
    await message.reply(_("report.changed").format(number=report.id))


@router.message(report_card_reply, F.text)
@quoting  # a refusal quotes the message it answers
async def msg_note(
    message: Message,
    report: StreetReport,
    session: AsyncSession,
    principal: Principal | None,
    bot: Bot,
    i18n: I18n,
) -> None:
    """Text in reply to the card is a public note; the reporter reads it too."""
    sender(message)
    report = await reports.add_note(session, report.id, principal, message.text or "")
    await tell_reporter(bot, report, message.text or "", i18n)
    await message.reply(_("report.noted").format(number=report.id))
