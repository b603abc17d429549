"""/checkin (ward officials), /checkin_missing and /checkin_mark (group leaders),
/checkin_status (officials: the board and the needs, with take and close buttons).
Parse, call bot.services.engagement, render; service errors reach the one refusal path."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.roles import Principal
from bot.services.engagement import checkin_board, checkins
from bot.texts import Catalog
from handlers.common import command_args, esc, refuse
from handlers.engagement.checkin_buttons import Act, RespondCb, need_text, status_text
from handlers.registry import RouterBlueprint

router = RouterBlueprint("checkin")
router.message.filter(F.chat.type == "private")


def _id(arg: str) -> int | None:
    arg = arg.lstrip("#")
    return int(arg) if arg.isdigit() and len(arg) < 10 else None


@router.message(Command("checkin"))
async def cmd_checkin(
    message: Message,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    catalog: Catalog,
    **data: Any,
) -> None:
    """/checkin [groups, or "cả phường"] on the first line, the title on the next ones."""
    if principal is None:
        await refuse(message, "checkin")
        return
    first, _sep, rest = (message.text or "").partition("\n")
    if not rest.strip():
        await message.answer(_("checkin.usage"))
        return
    groups = first.split(maxsplit=1)[1] if len(first.split(maxsplit=1)) > 1 else ""
    checkin, unbound = await checkins.create(session, principal, rest, groups, settings, catalog)
    reply = _("checkin.sent").format(id=checkin.id, groups=len(checkin.group_ids))
    if unbound:
        reply += "\n" + _("checkin.unbound").format(groups=esc(", ".join(unbound)))
    if (sender := data.get("sender")) is not None:
        sender.wake()
    await message.answer(reply)


@router.message(Command("checkin_missing"))
async def cmd_missing(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    checkin_id = _id(command_args(message))
    if checkin_id is None:
        await message.answer(_("checkin.missing_usage"))
        return
    rows = await checkin_board.missing(session, checkin_id, principal)
    if not rows:
        await message.answer(_("checkin.missing_none").format(id=checkin_id))
        return
    lines = [_("checkin.missing_head").format(id=checkin_id, count=len(rows))]
    lines += [f"• {esc(group)}: {esc(address)}" for group, address in rows[:150]]
    await message.answer("\n".join(lines))


@router.message(Command("checkin_mark"))
async def cmd_mark(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    """/checkin_mark <id> <household address or code> an_toan|can_ho_tro|khong_co_nha"""
    if principal is None:
        await refuse(message, "checkin_mark")
        return
    parts = command_args(message).split(maxsplit=1)
    ref, _sep, status = (parts[1] if len(parts) > 1 else "").rpartition(" ")
    checkin_id = _id(parts[0]) if parts else None
    if checkin_id is None or not ref.strip() or status not in checkins.STATUSES:
        await message.answer(_("checkin.mark_usage"))
        return
    address, status = await checkins.mark(session, checkin_id, ref, status, principal)
    text = _("checkin.marked").format(address=esc(address), status=status_text(status))
    await message.answer(text)


@router.message(Command("checkin_status"))
async def cmd_status(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    checkin_id = _id(command_args(message))
    if checkin_id is None:
        await message.answer(_("checkin.status_usage"))
        return
    checkin, boards, needs = await checkin_board.board(session, checkin_id, principal)
    lines = [_("checkin.status_head").format(id=checkin.id, title=esc(checkin.title)), ""]
    for b in boards:
        lines.append(
            _("checkin.status_group").format(
                group=esc(b.name),
                answered=b.answered,
                households=b.households,
                safe=b.counts["an_toan"],
                help=b.counts["can_ho_tro"],
                away=b.counts["khong_co_nha"],
            )
        )
    buttons = []
    if needs:
        lines += ["", _("checkin.needs_head").format(count=len(needs))]
    for n in needs[:60]:
        if n.closed:
            state = _("checkin.need_closed")
        elif n.taken_by:
            state = _("checkin.need_taken")
        else:
            state = _("checkin.need_open")
        lines.append(
            _("checkin.need_line").format(
                id=n.answer_id,
                group=esc(n.group),
                address=esc(n.address),
                need=need_text(n.need) if n.need else "—",
                place=esc(n.place or "—"),
                state=state,
            )
        )
        if not n.closed:
            act = Act.CLOSE if n.taken_by else Act.TAKE
            label = _("checkin.close_button") if n.taken_by else _("checkin.take_button")
            data = RespondCb(answer=n.answer_id, act=act).pack()
            buttons.append([InlineKeyboardButton(text=label.format(id=n.answer_id),
                                                 callback_data=data)])  # fmt: skip
    markup = InlineKeyboardMarkup(inline_keyboard=buttons[:40]) if buttons else None
    await message.answer("\n".join(lines)[:4000], reply_markup=markup)
