"""/announce in private chat, first half: kind, template and its blanks, text, event details.

Every step re-checks the role (a revoked official's draft goes nowhere) and accepts typing
as well as buttons; "Hủy" or /cancel ends the draft at any step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiogram import BaseMiddleware, F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import ServiceError
from bot.services.directory.roles import Principal
from bot.services.notices import announcements as ann
from bot.services.notices import templates as tpl
from bot.services.notices.drafts import Draft, EventField, Media, MediaType, NoticeKind
from bot.services.notices.when import combine, future, local_today, parse_date, parse_time
from handlers.common import button_message, error_text, esc, refuse
from handlers.notices import flow
from handlers.notices import keyboards as kb
from handlers.notices.flow import Compose, Ctx
from handlers.notices.keyboards import Act, AnCb
from handlers.registry import RouterBlueprint
from models import utcnow

router = RouterBlueprint("announce")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class ComposerGate(BaseMiddleware):
    """Every step re-checks the role (a draft of someone revoked meanwhile is dropped, and a
    resident is refused politely and logged), then hands the handler its step context `c`."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        principal = data.get("principal")
        assert isinstance(event, Message | CallbackQuery)
        if principal is None or not ann.may_announce(principal):
            await data["state"].clear()
            await refuse(event, "announce")
            return None
        message = event if isinstance(event, Message) else event.message
        assert isinstance(message, Message)
        data["c"] = Ctx(message, data["state"], data["session"], principal, data["settings"],
                        data["catalog"], data["bot"], data.get("sender"))  # fmt: skip
        return await handler(event, data)


GATE = ComposerGate()
router.message.middleware(GATE)
router.callback_query.middleware(GATE)


@router.message(Command("announce"))
async def cmd_announce(
    message: Message, state: FSMContext, session: AsyncSession, principal: Principal
) -> None:
    ward_id = await ann.ward_of(session, principal)
    if ward_id is None:
        await message.answer(_("announce.no_ward"))
        return
    await state.clear()
    draft = Draft(ward_id=ward_id, author=principal.telegram_id)
    await state.set_state(Compose.kind)
    await state.update_data(draft=draft.as_dict())
    emergency = True  # leaders too (their group's storm warning); a second official approves
    await message.answer(_("announce.start"), reply_markup=kb.kinds(emergency))


@router.callback_query(AnCb.filter(F.act == Act.CANCEL))
async def cb_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await button_message(query).answer(_("announce.cancelled"))


@router.message(Command("cancel"), StateFilter(Compose))
async def cmd_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("announce.cancelled"))


@router.message(StateFilter(Compose), F.text.startswith("/"))
async def msg_other_command(message: Message) -> None:
    """A command typed mid-draft is not notice text: say how to go on or stop."""
    await message.answer(_("announce.command_in_draft"))


@router.callback_query(Compose.kind, AnCb.filter(F.act == Act.KIND))
async def cb_kind(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    draft, _data = await flow.load(c.state)
    if callback_data.value == "tpl":
        await c.state.set_state(Compose.template)
        items = await tpl.list_templates(c.session, draft.ward_id)
        await c.ask(_("announce.ask_template"), kb.templates(items))
        return
    draft.kind = NoticeKind.of(callback_data.value)
    await flow.save(c.state, draft)
    await flow.ask_text(c)


@router.callback_query(Compose.template, AnCb.filter(F.act == Act.TEMPLATE))
async def cb_template(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    draft, _data = await flow.load(c.state)
    try:
        t = await tpl.get(c.session, draft.ward_id, callback_data.value)
    except ServiceError as err:  # said in the chat, also after a button, and the step stays
        await c.ask(error_text(err))
        return
    draft.kind, draft.text = NoticeKind.of(t.kind), t.text
    suggest = {"place": t.place, "eligible": t.eligible, "bring": t.bring}
    await flow.save(c.state, draft, blanks=t.blanks, answers={}, suggest=suggest)
    await c.state.set_state(Compose.blank)  # before speaking: a quick reply must find it set
    await c.ask(_("announce.template_intro").format(name=esc(t.name), text=esc(t.text)))
    await _next_blank(c)


async def _next_blank(c: Ctx) -> None:
    draft, data = await flow.load(c.state)
    blanks, answers = data.get("blanks") or [], data.get("answers") or {}
    if len(answers) < len(blanks):
        await c.state.set_state(Compose.blank)
        blank = blanks[len(answers)]
        await c.ask(_("announce.ask_blank").format(blank=esc(blank)), kb.cancel_only())
        return
    draft.text = tpl.fill(draft.text, answers)
    await flow.save(c.state, draft)
    await c.ask(_("announce.template_filled").format(text=esc(draft.text)))
    await flow.after_text(c)


@router.message(Compose.blank)
async def msg_blank(message: Message, c: Ctx) -> None:
    value = (message.text or "").strip()
    if not value or len(value) > 300:
        await message.answer(_("announce.blank_invalid"))
        return
    _draft, fsm = await flow.load(c.state)
    answers, blanks = dict(fsm.get("answers") or {}), fsm.get("blanks") or []
    if len(answers) >= len(blanks):  # typed before the next question arrived
        return
    answers[blanks[len(answers)]] = value
    await c.state.update_data(answers=answers)
    await _next_blank(c)


@router.message(Compose.text)
async def msg_text(message: Message, c: Ctx) -> None:
    draft, _data = await flow.load(c.state)
    media = None
    if message.photo:
        media = Media(MediaType.PHOTO, message.photo[-1].file_id, "photo.jpg")
    elif message.document:
        doc = message.document
        media = Media(MediaType.DOCUMENT, doc.file_id, doc.file_name or "tep")
    text = message.text or message.caption
    if not text and media and draft.text:  # a photo added to text written before
        text = draft.text
    draft.text = ann.check_text(text)
    if media:
        draft.media = media
    await flow.save(c.state, draft)
    await flow.after_text(c)


@router.callback_query(
    StateFilter(Compose.ev_day, Compose.send_day, Compose.exp_day), AnCb.filter(F.act == Act.DAY)
)
async def cb_day(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    day = date(int(callback_data.value[:4]), int(callback_data.value[4:6]),
               int(callback_data.value[6:]))  # fmt: skip
    await _got_day(c, day)


@router.message(StateFilter(Compose.ev_day, Compose.send_day, Compose.exp_day))
async def msg_day(message: Message, c: Ctx) -> None:
    day = parse_date(message.text or "", local_today(utcnow(), c.settings.tz))
    await _got_day(c, day)


async def _got_day(c: Ctx, day: date) -> None:
    if day < local_today(utcnow(), c.settings.tz):
        await c.ask(_("when.past"))
        return
    current = await c.state.get_state()
    await c.state.update_data(day=day.isoformat())
    if current == Compose.ev_day.state:
        await flow.ask_time(c, Compose.ev_time, _("announce.ask_ev_time"))
    elif current == Compose.send_day.state:
        await flow.ask_time(c, Compose.send_time, _("announce.ask_send_time"))
    else:
        from handlers.notices.send import set_expiry

        await set_expiry(c, day)


@router.callback_query(
    StateFilter(Compose.ev_time, Compose.send_time), AnCb.filter(F.act == Act.TIME)
)
async def cb_time(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    await _got_time(c, f"{callback_data.value[:2]}:{callback_data.value[2:]}")


@router.message(StateFilter(Compose.ev_time, Compose.send_time))
async def msg_time(message: Message, c: Ctx) -> None:
    await _got_time(c, message.text or "")


async def _got_time(c: Ctx, typed: str) -> None:
    draft, data = await flow.load(c.state)
    try:
        at = parse_time(typed)
        moment = future(combine(date.fromisoformat(data["day"]), at, c.settings.tz), utcnow())
    except ServiceError as err:  # said in the chat, also after a button, and the step stays
        await c.ask(error_text(err))
        return
    if await c.state.get_state() == Compose.ev_time.state:
        draft.event.date, draft.event.time = data["day"], at.isoformat("minutes")
        await flow.save(c.state, draft)
        await flow.ask_field(c, "place")
        return
    draft.send_at = moment.isoformat()
    await flow.save(c.state, draft)
    await flow.ask_expiry(c)


@router.callback_query(
    StateFilter(Compose.ev_place, Compose.ev_eligible, Compose.ev_bring),
    AnCb.filter(F.act.in_({Act.KEEP, Act.SKIP})),
)
async def cb_field(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    name = await _field_name(c.state)
    _draft, fsm = await flow.load(c.state)
    keep = (fsm.get("suggest") or {}).get(name) if callback_data.act is Act.KEEP else None
    if name == "place" and not keep:
        await flow.ask_field(c, name)
        return
    await _set_field(c, name, keep)


@router.message(StateFilter(Compose.ev_place, Compose.ev_eligible, Compose.ev_bring))
async def msg_field(message: Message, c: Ctx) -> None:
    value = (message.text or "").strip()
    if not value or len(value) > 300:
        await message.answer(_("announce.blank_invalid"))
        return
    await _set_field(c, await _field_name(c.state), value)


async def _field_name(state: FSMContext) -> str:
    current = await state.get_state()
    return next(n for n, s in flow.FIELD_STATE.items() if s.state == current)


async def _set_field(c: Ctx, name: str, value: str | None) -> None:
    draft, _data = await flow.load(c.state)
    draft.event.put(EventField(name), value)
    await flow.save(c.state, draft)
    await flow.next_field(c, name)
