"""The "Đã nhận" and "Tôi sẽ tham gia" buttons under notices, and /coverage: which households
have acknowledged, and how many people will attend an event."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import Principal
from bot.services.notices import acks, attendance
from bot.services.notices.presses import PressWriter
from handlers.callback_fields import DbId
from handlers.common import command_args, esc, refuse
from handlers.registry import RouterBlueprint
from models import Notice, Resident, Role

router = RouterBlueprint("acks")
MAX_MISSING = 20


class AckCb(CallbackData, prefix="ack"):
    notice: DbId  # broadcasts.telegram_ops.notice_markup writes the same "ack:<id>"


class AttendCb(CallbackData, prefix="att"):
    notice: DbId  # notice_markup writes "att:<id>" under events


@router.callback_query(AckCb.filter())
async def cb_ack(
    query: CallbackQuery,
    callback_data: AckCb,
    session: AsyncSession,
    ack_writer: PressWriter,
    resident: Resident | None,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    result = await acks.acknowledge(
        session, ack_writer, callback_data.notice, resident, query.from_user.id, chat_id
    )
    text = _("ack.thanks") if result.new else _("ack.already")
    await query.answer(text.format(address=result.address), show_alert=not result.new)


@router.callback_query(AttendCb.filter())
async def cb_attend(query: CallbackQuery, callback_data: AttendCb, session: AsyncSession) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    new = await attendance.attend(session, callback_data.notice, query.from_user.id, chat_id)
    await query.answer(_("attend.thanks") if new else _("attend.already"), show_alert=not new)


def _visible_groups(principal: Principal, notice: Notice) -> set[int] | None:
    """None: every group (the ward's officials and administrators now); else the leader's
    groups. Having written the notice grants nothing once the role is gone."""
    if principal.has(Role.WARD_OFFICIAL, Role.WARD_ADMIN, ward_id=notice.ward_id):
        return None
    return {
        g.group_id
        for g in principal.grants
        if g.role is Role.GROUP_LEADER and g.ward_id == notice.ward_id and g.group_id
    }


@router.message(Command("coverage"))
async def cmd_coverage(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    arg = command_args(message).lstrip("#")
    if not arg.isdigit():
        await message.answer(_("coverage.usage"))
        return
    notice = await session.get(Notice, int(arg))
    if notice is None:
        await message.answer(_("notice.not_found").format(id=arg))
        return
    visible = _visible_groups(principal, notice) if principal else set()
    if visible is not None and not visible:
        await refuse(message, "coverage")
        return
    rows = await acks.coverage(session, notice.id, visible)
    lines = [_("coverage.title").format(id=notice.id)]
    empty = [esc(row.group) for row in rows if row.registered == 0]
    for row in rows:
        if row.registered == 0:  # listed once below, not as a column of "0/0"
            continue
        lines.append(
            _("coverage.group_line").format(
                group=esc(row.group), acknowledged=row.acknowledged, registered=row.registered
            )
        )
        if row.missing:
            shown = ", ".join(esc(a) for a in row.missing[:MAX_MISSING])
            more = len(row.missing) - MAX_MISSING
            lines.append(
                _("coverage.missing").format(addresses=shown) + (f" (+{more})" if more > 0 else "")
            )
    if empty:
        lines.append(_("coverage.no_households").format(groups=", ".join(empty)))
    if not rows:
        lines.append(_("coverage.none"))
    if notice.event_at is not None:
        lines += await _attendance_lines(session, notice.id, visible)
    await message.answer("\n".join(lines))


async def _attendance_lines(
    session: AsyncSession, notice_id: int, visible: set[int] | None
) -> list[str]:
    """The head count for an event: the total, then per group (a leader sees their groups)."""
    counted = await attendance.count(session, notice_id)
    lines = [_("coverage.attending").format(count=counted.total)]
    for row in sorted(counted.groups, key=lambda r: r.group_id is None):
        if row.group_id is None:
            if visible is None:
                lines.append(_("coverage.attending_unregistered").format(count=row.count))
        elif visible is None or row.group_id in visible:
            lines.append(
                _("coverage.attending_group").format(group=esc(row.group), count=row.count)
            )
    return lines
