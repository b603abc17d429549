"""The composer's steps: each `ask_*` sets the state and asks one question.

Order: kind → (template → blanks) → text → (event: day, time, place, who, what to bring)
→ audience → urgency → when → expiry → preview. The draft is kept in FSM data, which lives
in the database (or Redis), so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.roles import Principal
from bot.services.notices import announcements as ann
from bot.services.notices.drafts import Audience, AudienceKind, Draft, NoticeKind
from bot.services.notices.when import from_iso, upcoming_days
from bot.texts import Catalog
from handlers.common import esc
from handlers.notices import keyboards as kb
from handlers.notices.render import show
from models import Urgency, utcnow


class Compose(StatesGroup):
    kind = State()
    template = State()
    blank = State()
    text = State()
    ev_day = State()
    ev_time = State()
    ev_place = State()
    ev_eligible = State()
    ev_bring = State()
    audience = State()
    groups = State()
    urgency = State()
    when = State()
    send_day = State()
    send_time = State()
    expiry = State()
    exp_day = State()
    preview = State()


@dataclass
class Ctx:
    """What every step needs; handlers build it from their injected dependencies."""

    message: Message  # where to ask (the private chat)
    state: FSMContext
    session: AsyncSession
    principal: Principal
    settings: Settings
    catalog: Catalog
    bot: Bot
    sender: Any = None  # the delivery engine in `loa run`: woken when a notice is queued

    async def ask(self, text: str, markup: Any = None) -> Message:
        return await self.message.answer(text, reply_markup=markup)


EVENT_FIELDS = ("place", "eligible", "bring")
FIELD_STATE = {"place": Compose.ev_place, "eligible": Compose.ev_eligible,
               "bring": Compose.ev_bring}  # fmt: skip


async def load(state: FSMContext) -> tuple[Draft, dict[str, Any]]:
    data = await state.get_data()
    return Draft.from_dict(data["draft"]), data


async def save(state: FSMContext, draft: Draft, **extra: Any) -> None:
    await state.update_data(draft=draft.as_dict(), **extra)


async def ask_text(c: Ctx) -> None:
    await c.state.set_state(Compose.text)
    await c.ask(_("announce.ask_text"), kb.cancel_only())


async def after_text(c: Ctx) -> None:
    draft, data = await load(c.state)
    if data.get("editing"):
        await c.state.update_data(editing=False)
        await show_preview(c)
    elif draft.kind is NoticeKind.EVENT:
        await ask_day(c, Compose.ev_day, _("announce.ask_ev_day"))
    else:
        await ask_audience(c)


async def ask_day(c: Ctx, step: State, prompt: str) -> None:
    await c.state.set_state(step)
    await c.ask(prompt, kb.days(upcoming_days(utcnow(), c.settings.tz)))


async def ask_time(c: Ctx, step: State, prompt: str) -> None:
    await c.state.set_state(step)
    await c.ask(prompt, kb.times())


async def ask_field(c: Ctx, name: str) -> None:
    """place (required), eligible and bring (may be skipped); a template's value can be kept."""
    await c.state.set_state(FIELD_STATE[name])
    data = await c.state.get_data()
    suggestion = (data.get("suggest") or {}).get(name)
    prompt = {
        "place": _("announce.ask_place"),
        "eligible": _("announce.ask_eligible"),
        "bring": _("announce.ask_bring"),
    }[name]
    await c.ask(prompt, kb.keep_or_skip(suggestion, name != "place"))


async def next_field(c: Ctx, name: str) -> None:
    i = EVENT_FIELDS.index(name)
    if i + 1 < len(EVENT_FIELDS):
        await ask_field(c, EVENT_FIELDS[i + 1])
    else:
        await ask_audience(c)


async def ask_audience(c: Ctx) -> None:
    draft, _data = await load(c.state)
    if ann.is_official(c.principal, draft.ward_id):
        await c.state.set_state(Compose.audience)
        await c.ask(_("announce.ask_audience"), kb.audiences())
        return
    own = ann.leader_groups(c.principal, draft.ward_id)
    if len(own) == 1:  # a group leader posts to their own group: nothing to choose
        draft.audience = Audience(AudienceKind.GROUPS, own)
        await save(c.state, draft)
        await ask_urgency(c)
        return
    await ask_groups(c, set())


async def ask_groups(c: Ctx, selected: set[int], edit: Message | None = None) -> None:
    draft, _data = await load(c.state)
    groups = await ann.ward_groups(c.session, draft.ward_id)
    if not ann.is_official(c.principal, draft.ward_id):
        own = set(ann.leader_groups(c.principal, draft.ward_id))
        groups = [g for g in groups if g.id in own]
    await c.state.set_state(Compose.groups)
    await c.state.update_data(selected=sorted(selected))
    markup = kb.groups(groups, selected)
    if edit is not None:
        await edit.edit_reply_markup(reply_markup=markup)
    else:
        await c.ask(_("announce.ask_groups"), markup)


async def ask_urgency(c: Ctx) -> None:
    draft, _data = await load(c.state)
    if draft.kind is NoticeKind.EMERGENCY:
        await ask_when(c)
        return
    await c.state.set_state(Compose.urgency)
    await c.ask(_("announce.ask_urgency"), kb.urgencies())


async def ask_when(c: Ctx) -> None:
    await c.state.set_state(Compose.when)
    await c.ask(_("announce.ask_when"), kb.when())


async def ask_expiry(c: Ctx) -> None:
    draft, _data = await load(c.state)
    await c.state.set_state(Compose.expiry)
    await c.ask(_("announce.ask_expiry"), kb.expiries(draft.kind is NoticeKind.EVENT))


def _local(value: Any, tz: Any) -> str:
    return f"{value.astimezone(tz):%H:%M %d/%m/%Y}"


async def summary(
    draft: Draft,
    session: AsyncSession,
    settings: Settings,
    principal: Principal | None = None,  # None: a reviewer's card (never break-glass)
) -> tuple[str, bool, bool]:
    """The lines under the preview; whether it needs approval; whether it is short notice."""
    now, tz = utcnow(), settings.tz
    lines = [_("announce.preview_title")]
    kind = {NoticeKind.NOTICE: _("announce.kind_notice"),
            NoticeKind.EVENT: _("announce.kind_event"),
            NoticeKind.EMERGENCY: _("announce.kind_emergency")}[draft.kind]  # fmt: skip
    level = {Urgency.NORMAL: _("announce.urg_normal"), Urgency.URGENT: _("announce.urg_urgent"),
             Urgency.EMERGENCY: _("announce.kind_emergency")}[draft.level]  # fmt: skip
    lines.append(_("announce.sum_kind").format(kind=kind, level=level))
    aud = draft.audience
    if aud.kind is AudienceKind.WARD:
        who = _("announce.aud_ward")
    elif aud.kind is AudienceKind.LEADERS:
        who = _("announce.aud_leaders")
    else:
        names = {g.id: g.name for g in await ann.ward_groups(session, draft.ward_id)}
        who = ", ".join(esc(names.get(i, "?")) for i in aud.group_ids)
    lines.append(_("announce.sum_audience").format(who=who))
    go, held = ann.send_time(draft, settings, now)
    if held:
        lines.append(_("announce.sum_quiet").format(when=_local(go, tz)))
    elif draft.send_at:
        lines.append(_("announce.sum_at").format(when=_local(from_iso(draft.send_at), tz)))
    else:
        lines.append(_("announce.sum_now"))
    end = ann.expiry(draft, settings)
    lines.append(
        _("announce.sum_expiry").format(when=_local(end, tz))
        if end
        else _("announce.sum_no_expiry")
    )
    if draft.level is not Urgency.NORMAL:
        lines.append(_("announce.sum_pin"))
    short = ann.short_notice(draft, settings, now)
    if short is not None:
        lines.append(_("announce.sum_short").format(hours=max(1, round(short))))
    pending = await ann.needs_approval(session, draft)
    if pending and principal is not None and ann.break_glass(draft, principal, settings):
        lines.append(_("announce.sum_break_glass"))
        pending = False
    elif pending:
        lines.append(_("announce.sum_approval"))
    return "\n".join(lines), pending, short is not None and draft.level is Urgency.NORMAL


async def show_preview(c: Ctx) -> None:
    draft, _data = await load(c.state)
    await c.state.set_state(Compose.preview)
    await show(
        c.bot,
        c.message.chat.id,
        text=ann.final_text(draft, c.settings, c.catalog),
        urgency=draft.level,
        media=draft.media,
        event=draft.kind is NoticeKind.EVENT,
        issuer=await ann.issuer_for(c.session, c.principal, draft),
    )
    text, pending, offer_urgent = await summary(draft, c.session, c.settings, c.principal)
    remind = draft.remind if c.settings.ack_reminder_hours else None
    if remind is not None:
        text += "\n" + (
            _("announce.sum_remind_on").format(hours=c.settings.ack_reminder_hours)
            if remind
            else _("announce.sum_remind_off")
        )
    await c.ask(text, kb.preview(pending, remind, offer_urgent))
