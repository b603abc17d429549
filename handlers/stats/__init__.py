"""/stats: the ward's indicators for officials, a group's for its leader (last 30 days)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram import F
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.roles import Principal
from bot.services.stats import GroupStats, Period, WardStats, ward_stats
from bot.services.stats.charts import reach_by_group
from bot.services.stats.dash_links import issue_token, may_request_link
from bot.services.stats.goals import ward_goals
from handlers.common import esc, refuse
from handlers.registry import RouterBlueprint
from models import Role, Ward, utcnow

router = RouterBlueprint("stats")
DAYS = 30
OFFICIALS = (Role.WARD_ADMIN, Role.WARD_OFFICIAL)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else str(value)


def _group_line(g: GroupStats) -> str:
    return _("kpi.group_line").format(
        group=esc(g.name), registered=g.households_registered, known=g.households_known,
        reach=_pct(g.reach), days=_days(g.days_since_last_notice), acks=_pct(g.ack_rate),
    )  # fmt: skip


def _render(s: WardStats, groups: list[GroupStats], whole_ward: bool) -> str:
    lines = [_("kpi.title").format(ward=esc(s.ward), start=f"{s.start:%d/%m}",
                                    end=f"{s.end:%d/%m/%Y}")]  # fmt: skip
    if whole_ward:
        lines += [
            _("kpi.reach").format(registered=s.households_registered, known=s.households_known,
                                  reach=_pct(s.reach)),
            _("kpi.notices").format(notices=s.notices, days=_days(s.days_since_last_notice)),
            _("kpi.acks").format(rate=_pct(s.ack_rate)),
            _("kpi.questions").format(questions=s.questions,
                                      median=_days(s.first_response_median_minutes)),
        ]  # fmt: skip
    lines.append("")
    lines += [_group_line(g) for g in groups]
    return "\n".join(lines)


@router.message(Command("stats"))
async def cmd_stats(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    """Officials see their ward and every group; a group leader sees only their groups."""
    if principal is None or not principal.has(*OFFICIALS, Role.GROUP_LEADER):
        await refuse(message, "stats")
        return
    now = utcnow()
    today = now.astimezone(settings.tz).date()
    period = Period(today - timedelta(days=DAYS - 1), today, settings.tz)
    wards = list(await session.scalars(select(Ward).order_by(Ward.name)))
    texts, charts = [], []
    for ward in wards:
        whole = principal.has(*OFFICIALS, ward_id=ward.id)
        led = {g.group_name for g in principal.grants
               if g.role is Role.GROUP_LEADER and g.ward_id == ward.id}  # fmt: skip
        if not whole and not led:
            continue
        s = await ward_stats(session, ward, period, now)
        groups = s.groups if whole else [g for g in s.groups if g.name in led]
        texts.append(_render(s, groups, whole))
        if groups:
            charts.append((s.ward, groups, (await ward_goals(session, ward.id)).reach))
    await message.answer("\n\n".join(texts) or _("kpi.nothing"))
    for name, groups, target in charts:
        await _send_chart(message, name, groups, target)


async def _send_chart(
    message: Message, ward: str, groups: list[GroupStats], target: float
) -> None:
    """The reach of each group against the target, as a picture (drawn off the event loop)."""
    title = _("kpi.chart_reach").format(ward=ward)
    chart = await asyncio.to_thread(
        reach_by_group, [g.name for g in groups], [g.reach for g in groups], target,
        title=title, target_label=_("kpi.chart_target").format(target=_pct(target)),
    )  # fmt: skip
    await message.answer_photo(BufferedInputFile(chart.png, "loa-stats.png"), caption=esc(title))


@router.message(Command("dash"), F.chat.type == "private")
async def cmd_dash(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    """A one-time link to the web dashboard, for officials and group leaders only."""
    if principal is None or not may_request_link(principal):
        await refuse(message, "dash")
        return
    minutes = settings.dash_link_minutes
    token = await issue_token(session, principal.telegram_id, utcnow(), timedelta(minutes=minutes))
    link = f"{settings.public_url}/dash/login?t={token}"
    await message.answer(_("dash.link").format(link=esc(link), minutes=minutes))


@router.message(Command("dash"))
async def cmd_dash_in_group(message: Message) -> None:
    await message.answer(_("dash.private_only"))


# /targets registers on the same router (imported last: it needs `router` and OFFICIALS)
from handlers.stats import targets as _targets  # noqa: E402, F401
