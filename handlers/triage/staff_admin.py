"""The team's inbox and figures: /staffcode, /bindstaff, /queue, /triage_stats."""

from __future__ import annotations

import logging

from aiogram import F
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import Forbidden
from bot.services.directory import binding
from bot.services.directory.roles import Principal
from bot.services.triage import actions as ticket_actions
from bot.services.triage import stats as triage_stats
from handlers.common import code_from_group, command_args, esc, refuse, sender
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from handlers.triage.views import category_label, ticket_line
from models import Role, Ward, utcnow

logger = logging.getLogger(__name__)
router = RouterBlueprint("staff_admin")
GROUP_CHATS = {"group", "supergroup"}
MAX_WEEKS = 52


async def _official_ward(session: AsyncSession, principal: Principal, name: str) -> Ward | None:
    """The ward an official acts for: the one named, else their only one."""
    wards = list(await session.scalars(select(Ward).order_by(Ward.name)))
    if name:
        wards = [w for w in wards if w.name.casefold() == name.casefold()]
    allowed = [
        w for w in wards if principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL, ward_id=w.id)
    ]
    return allowed[0] if len(allowed) == 1 else None


@router.message(Command("staffcode"), F.chat.type == "private")
async def cmd_staffcode(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    if principal is None or not principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL):
        await refuse(message, "staffcode")
        return
    ward = await _official_ward(session, principal, command_args(message))
    if ward is None:
        await message.answer(_("staff.code_usage"))
        return
    code = await binding.create_staff_code(
        session, principal, ward.id, settings.bind_code_ttl_minutes
    )
    hours = max(1, settings.bind_code_ttl_minutes // 60)
    await message.answer(
        _("staff.code_created").format(ward=esc(ward.name), code=code.code, hours=hours)
    )


@router.message(Command("bindstaff"), F.chat.type.in_(GROUP_CHATS))
@quoting  # a refusal quotes the message it answers
async def cmd_bindstaff(message: Message, session: AsyncSession) -> None:
    code = await code_from_group(message, "bindstaff", _("staff.bind_usage"))
    if code is None:
        return
    await binding.bind_staff_chat(
        session,
        code,
        message.chat.id,
        message.chat.title,
        sender(message).id,
    )
    await message.answer(_("staff.bound"))


@router.message(Command("bindstaff"), F.chat.type == "private")
async def cmd_bindstaff_private(message: Message) -> None:
    await message.answer(_("staff.bind_in_group"))


@router.message(Command("queue"))
async def cmd_queue(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    try:
        q = await ticket_actions.queue(session, principal)
    except Forbidden:
        await refuse(message, "queue")
        return
    sections = []
    for title, rows in (
        (_("queue.new"), q.new),
        (_("queue.mine"), q.mine),
        (_("queue.overdue"), q.overdue),
    ):
        lines = [title.format(count=len(rows))]
        lines += [ticket_line(t, settings.tz, with_status=False) for t in rows] or [
            _("queue.empty")
        ]
        sections.append("\n".join(lines))
    await message.answer("\n\n".join(sections))


def _hours(minutes: float | None) -> str:
    return "—" if minutes is None else f"{minutes / 60:.1f}"


@router.message(Command("triage_stats"))
async def cmd_triage_stats(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    if principal is None or not principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL):
        await refuse(message, "triage_stats")
        return
    arg = command_args(message)
    weeks = min(int(arg), MAX_WEEKS) if arg.isdigit() and int(arg) > 0 else 4
    wards = (
        None
        if principal.superadmin
        else {g.ward_id for g in principal.grants if g.role in ticket_actions.OFFICIALS}
    )
    s = await triage_stats.compute(session, wards, now=utcnow(), weeks=weeks, tz=settings.tz)
    lines = [_("stats.title").format(weeks=weeks, total=s.total)]
    lines += [
        _("stats.week").format(week=w.strftime("%d/%m"), count=count) for w, count in s.weeks
    ]
    share = "—" if s.within_target is None else f"{s.within_target * 100:.0f}%"
    lines.append(
        _("stats.response").format(
            median=_hours(s.median_minutes),
            p90=_hours(s.p90_minutes),
            share=share,
            measured=s.measured,
            target=f"{settings.triage_first_response_hours:g}",
        )
    )
    lines.append(_("stats.ratings").format(good=s.good, bad=s.not_good))
    top = ", ".join(f"{category_label(c)} {n}" for c, n in s.categories) or "—"
    lines.append(_("stats.categories").format(top=top))
    await message.answer("\n".join(lines))
