"""/announce, second half: audience, urgency, when, expiry, the preview, and submitting."""

from __future__ import annotations

from datetime import date, time, timedelta

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.services.common.errors import ServiceError
from bot.services.notices import announcements as ann
from bot.services.notices.drafts import Audience, AudienceKind, Draft
from bot.services.notices.when import combine
from handlers.common import button_message, error_text, esc
from handlers.notices import flow, review
from handlers.notices.announce import GATE
from handlers.notices.flow import Compose, Ctx
from handlers.notices.keyboards import Act, AnCb
from handlers.registry import RouterBlueprint
from models import Urgency, utcnow

router = RouterBlueprint("announce_send")
router.callback_query.filter(F.message.chat.type == "private")
router.callback_query.middleware(GATE)


@router.callback_query(Compose.audience, AnCb.filter(F.act == Act.AUDIENCE))
async def cb_audience(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    if callback_data.value == AudienceKind.GROUPS:
        await flow.ask_groups(c, set())
        return
    draft, _data = await flow.load(c.state)
    leaders = callback_data.value == AudienceKind.LEADERS
    draft.audience = Audience(AudienceKind.LEADERS if leaders else AudienceKind.WARD)
    await flow.save(c.state, draft)
    await flow.ask_urgency(c)


@router.callback_query(Compose.groups, AnCb.filter(F.act == Act.GROUP))
async def cb_group(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    draft, fsm = await flow.load(c.state)
    group_id = int(callback_data.value)
    mine = {g.id for g in await ann.ward_groups(c.session, draft.ward_id)}
    if not ann.is_official(c.principal, draft.ward_id):
        mine &= set(ann.leader_groups(c.principal, draft.ward_id))
    if group_id not in mine:  # a forged or stale button: never widen a leader's reach
        await query.answer(_("announce.leader_own_group"), show_alert=True)
        return
    await query.answer()
    selected = set(fsm.get("selected") or []) ^ {group_id}
    await flow.ask_groups(c, selected, edit=c.message)


@router.callback_query(Compose.groups, AnCb.filter(F.act == Act.GROUPS_DONE))
async def cb_groups_done(query: CallbackQuery, c: Ctx) -> None:
    draft, fsm = await flow.load(c.state)
    if not fsm.get("selected"):
        await query.answer(_("announce.no_groups"), show_alert=True)
        return
    await query.answer()
    draft.audience = Audience(AudienceKind.GROUPS, sorted(fsm["selected"]))
    await flow.save(c.state, draft)
    await flow.ask_urgency(c)


@router.callback_query(Compose.urgency, AnCb.filter(F.act == Act.URGENCY))
async def cb_urgency(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    draft, _data = await flow.load(c.state)
    draft.urgency = Urgency.URGENT if callback_data.value == Urgency.URGENT else Urgency.NORMAL
    await flow.save(c.state, draft)
    await flow.ask_when(c)


@router.callback_query(Compose.when, AnCb.filter(F.act == Act.WHEN))
async def cb_when(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    if callback_data.value == "later":
        await flow.ask_day(c, Compose.send_day, _("announce.ask_send_day"))
        return
    draft, _data = await flow.load(c.state)
    draft.send_at = None
    await flow.save(c.state, draft)
    await flow.ask_expiry(c)


@router.callback_query(Compose.expiry, AnCb.filter(F.act == Act.EXPIRY))
async def cb_expiry(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    draft, _data = await flow.load(c.state)
    value = callback_data.value
    if value == "date":
        await flow.ask_day(c, Compose.exp_day, _("announce.ask_exp_day"))
        return
    if value.isdigit():
        start = ann.send_time(draft, c.settings, utcnow())[0]
        draft.expires_at = (start + timedelta(days=int(value))).isoformat()
    else:  # none, or the event's own end
        draft.expires_at = None
    await _to_preview(c, draft)


async def set_expiry(c: Ctx, day: date) -> None:
    """An expiry typed or picked as a date: the end of that day."""
    draft, _data = await flow.load(c.state)
    draft.expires_at = combine(day, time(23, 59), c.settings.tz).isoformat()
    await _to_preview(c, draft)


async def _to_preview(c: Ctx, draft: Draft) -> None:
    try:
        ann.validate(draft, c.settings, utcnow())
    except ServiceError as err:  # e.g. an expiry before the send time: ask again
        await c.ask(error_text(err))
        await flow.ask_expiry(c)
        return
    await flow.save(c.state, draft)
    await flow.show_preview(c)


@router.callback_query(Compose.preview, AnCb.filter(F.act.in_({Act.REMIND, Act.URGENT})))
async def cb_toggle(query: CallbackQuery, callback_data: AnCb, c: Ctx) -> None:
    await query.answer()
    draft, _data = await flow.load(c.state)
    if callback_data.act is Act.REMIND:
        draft.remind = not draft.remind
    else:
        draft.urgency = Urgency.URGENT
    await flow.save(c.state, draft)
    await flow.show_preview(c)


@router.callback_query(Compose.preview, AnCb.filter(F.act == Act.EDIT))
async def cb_edit(query: CallbackQuery, c: Ctx) -> None:
    await query.answer()
    await c.state.update_data(editing=True)
    await flow.ask_text(c)


@router.callback_query(Compose.preview, AnCb.filter(F.act == Act.SEND))
async def cb_send(query: CallbackQuery, c: Ctx) -> None:
    draft, _data = await flow.load(c.state)
    try:
        done = await ann.submit(c.session, draft, c.principal, c.settings, c.catalog,
                               name=query.from_user.full_name)  # fmt: skip
    except ServiceError as err:  # said in the chat, not as an alert: the preview stays
        await query.answer()
        await c.ask(error_text(err))
        return
    await query.answer()
    await c.state.clear()
    await button_message(query).edit_reply_markup(reply_markup=None)
    notice = done.notice
    if done.pending:
        sent = await review.send_cards(c.bot, c.session, c.settings, notice.id)
        key = _("announce.submitted") if sent else _("announce.no_reviewer")
        await c.ask(key.format(id=notice.id))
        return
    lines = [_("announce.queued").format(id=notice.id)]
    if done.held_until:
        local = done.held_until.astimezone(c.settings.tz)
        lines.append(_("announce.held").format(when=f"{local:%H:%M %d/%m}"))
    if done.unbound:
        lines.append(_("announce.unbound").format(groups=esc(", ".join(done.unbound))))
    await c.ask("\n".join(lines))
    if done.break_glass:
        await review.tell_officials_break_glass(c, notice.id)
    if c.sender is not None:
        c.sender.wake()
