"""What the weekly digest and the alerts say, and to whom: pure functions of the indicators,
the targets and the role grants. bot.services.stats.jobs sends them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.figures import GroupStats, WardStats
from bot.services.stats.targets import Targets, shown
from bot.services.triage.routing import officials
from bot.texts import Catalog
from models import ResidentialGroup, Role, RoleGrant


@dataclass(frozen=True)
class Letter:
    chat_id: int
    text: str


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _trend(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f}%"


def _num(value: object) -> str:
    return "—" if value is None else str(value)


def _hour(value: int | None) -> str:
    return "—" if value is None else f"{value}:00"


def last_week(today: date) -> tuple[date, date]:
    """Monday..Sunday of the week before the one `today` is in."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def below_reach(g: GroupStats, targets: Targets) -> bool:
    return g.reach is not None and g.reach < targets.reach


def silent(g: GroupStats, targets: Targets) -> bool:
    """A group whose chat got notices before and none for the maximum days."""
    return g.days_since_last_notice is not None and (
        g.days_since_last_notice >= targets.max_silent_days
    )


def group_line(g: GroupStats, targets: Targets, cat: Catalog) -> str:
    flag = cat.text("digest.flag") if below_reach(g, targets) or silent(g, targets) else ""
    return cat.text(
        "digest.group", group=g.name, registered=g.households_registered,
        known=g.households_known, reach=_pct(g.reach), notices=g.notices,
        days=_num(g.days_since_last_notice), acks=_pct(g.ack_rate), hour=_hour(g.best_hour),
    ) + flag  # fmt: skip


def ward_digest(s: WardStats, targets: Targets, cat: Catalog) -> str:
    t = targets.as_dict()
    dates = {"start": f"{s.start:%d/%m}", "end": f"{s.end:%d/%m/%Y}"}
    lines = [
        cat.text("digest.title", ward=s.ward, **dates),
        cat.text("digest.reach", registered=s.households_registered, known=s.households_known,
                 reach=_pct(s.reach), target=shown("reach", t["reach"]),
                 trend=_trend(s.reach_trend)),
        cat.text("digest.notices", notices=s.notices, days=_num(s.days_since_last_notice),
                 max=shown("max_silent_days", t["max_silent_days"])),
        cat.text("digest.acks", rate=_pct(s.ack_rate), target=shown("ack_rate", t["ack_rate"])),
        cat.text("digest.questions", questions=s.questions,
                 within=_pct(s.first_response_within_target),
                 target=shown("first_response", t["first_response"])),
        "",
    ]  # fmt: skip
    lines += [group_line(g, targets, cat) for g in s.groups]
    return "\n".join(lines)


def group_digest(s: WardStats, g: GroupStats, targets: Targets, cat: Catalog) -> str:
    dates = {"start": f"{s.start:%d/%m}", "end": f"{s.end:%d/%m/%Y}"}
    return "\n".join(
        [cat.text("digest.leader_title", group=g.name, **dates), group_line(g, targets, cat)]
    )


async def leaders(session: AsyncSession, ward_id: int) -> dict[str, list[int]]:
    """{group name: Telegram ids of its leaders} in the ward."""
    rows = await session.execute(
        select(RoleGrant.telegram_id, ResidentialGroup.name)
        .join(ResidentialGroup, ResidentialGroup.id == RoleGrant.group_id)
        .where(RoleGrant.ward_id == ward_id, RoleGrant.role == Role.GROUP_LEADER)
        .order_by(RoleGrant.telegram_id)
    )  # fmt: skip
    out: dict[str, list[int]] = defaultdict(list)
    for tg_id, name in rows:
        out[name].append(tg_id)
    return out


async def digest_letters(
    session: AsyncSession, s: WardStats, ward_id: int, targets: Targets, cat: Catalog
) -> list[Letter]:
    """The ward's digest to each of its officials; each leader gets their own group's."""
    text = ward_digest(s, targets, cat)
    out = [Letter(tg, text) for tg in await officials(session, ward_id)]
    led = await leaders(session, ward_id)
    for g in s.groups:
        out += [Letter(tg, group_digest(s, g, targets, cat)) for tg in led.get(g.name, [])]
    return out


def alert_text(kind: str, ward: str, g: GroupStats, targets: Targets, cat: Catalog) -> str:
    t = targets.as_dict()
    if kind == "reach":
        return cat.text("alert.reach", group=g.name, ward=ward, reach=_pct(g.reach),
                        target=shown("reach", t["reach"]))  # fmt: skip
    return cat.text("alert.silent", group=g.name, ward=ward, days=g.days_since_last_notice,
                    max=shown("max_silent_days", t["max_silent_days"]))  # fmt: skip
