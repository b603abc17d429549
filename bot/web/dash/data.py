"""The dashboard's figures beyond `ward_stats`: notices with their coverage, procedures.

Read-only queries scoped to one ward (and, for a leader, to their groups); plain values out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.indicators import Period
from bot.services.stats.lookups import ward_top_guides
from bot.web.dash.auth import Scope
from models import (
    Acknowledgement,
    Delivery,
    Household,
    Lookup,
    Notice,
    ProcedureScan,
    Resident,
    SearchGap,
    TargetKind,
)

NOTICE_LIMIT = 200
TITLE_CHARS = 90


@dataclass(frozen=True)
class NoticeRow:
    id: int
    at: datetime  # local time the notice went out
    kind: str
    urgency: str
    title: str
    groups: int  # residential groups whose chat it went to (within the viewer's scope)
    registered: int  # registered households in those groups
    acknowledged: int  # of them, households that pressed "Đã nhận" (any time)

    @property
    def coverage(self) -> float | None:
        return round(self.acknowledged / self.registered, 4) if self.registered else None


def title_of(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


async def registered_by_group(session: AsyncSession, ward_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(Household.group_id, func.count(distinct(Household.id)))
        .join(Resident, Resident.household_id == Household.id)
        .where(Household.ward_id == ward_id, Resident.consent_at.is_not(None))
        .group_by(Household.group_id)
    )
    return {gid: int(n) for gid, n in rows.tuples()}


async def notice_rows(
    session: AsyncSession, scope: Scope, period: Period, now: datetime
) -> list[NoticeRow]:
    """Published notices of the period, newest first, with acknowledgements per notice counted
    over the groups the viewer may see. Four queries whatever the number of notices."""
    notices = list(
        await session.scalars(
            select(Notice)
            .where(
                Notice.ward_id == scope.ward_id,
                Notice.parent_id.is_(None),
                Notice.queued_at.is_not(None),
                Notice.queued_at >= period.since,
                Notice.queued_at < min(period.until, now),
            )
            .order_by(Notice.queued_at.desc(), Notice.id.desc())
            .limit(NOTICE_LIMIT)
        )
    )
    ids = [n.id for n in notices]
    targeted: dict[int, set[int]] = defaultdict(set)
    for nid, gid in (
        await session.execute(
            select(Delivery.notice_id, Delivery.group_id)
            .where(Delivery.notice_id.in_(ids), Delivery.target == TargetKind.GROUP)
            .distinct()
        )
    ).tuples():
        if gid is not None and scope.sees_group(gid):
            targeted[nid].add(gid)
    acks: Counter[tuple[int, int]] = Counter()
    for nid, gid, count in (
        await session.execute(
            select(Acknowledgement.notice_id, Household.group_id, func.count())
            .join(Household, Household.id == Acknowledgement.household_id)
            .where(Acknowledgement.notice_id.in_(ids))
            .group_by(Acknowledgement.notice_id, Household.group_id)
        )
    ).tuples():
        acks[(nid, gid)] = int(count)
    registered = await registered_by_group(session, scope.ward_id)
    rows = []
    for n in notices:
        groups = targeted.get(n.id, set())
        if not scope.whole_ward and not groups:
            continue  # a leader sees the notices that reached their groups
        reg = sum(registered.get(g, 0) for g in groups)
        acked = sum(min(acks[(n.id, g)], registered.get(g, 0)) for g in groups)
        assert n.queued_at is not None  # the query selects queued notices
        rows.append(
            NoticeRow(
                n.id, n.queued_at.astimezone(period.tz), n.kind, str(n.urgency),
                title_of(n.text), len(groups), reg, acked,
            )
        )  # fmt: skip
    return rows


@dataclass(frozen=True)
class ProcedureUse:
    scans: int
    by_place: list[tuple[str, int]]
    top_guides: list[tuple[str, str, int]]  # code, title, lookups by the ward's people
    gaps: list[tuple[str, int]]  # searches without a good answer, most frequent first
    lookups: int = 0  # the ward's
    by_source: list[tuple[str, int]] = field(default_factory=list)


async def procedure_use(
    session: AsyncSession, ward_id: int, period: Period, now: datetime
) -> ProcedureUse:
    """The ward's lookups (count, by source, top guides); QR openings by place and unanswered
    searches, whose rows name no ward, for the whole installation."""
    until = min(period.until, now)
    mine = (Lookup.ward_id == ward_id, Lookup.at >= period.since, Lookup.at < until)
    sources = (
        await session.execute(
            select(Lookup.source, func.count()).where(*mine).group_by(Lookup.source)
        )
    ).tuples()
    by_source = sorted(((s, int(n)) for s, n in sources), key=lambda sn: (-sn[1], sn[0]))
    window = (ProcedureScan.at >= period.since, ProcedureScan.at < until)
    by_place = (
        await session.execute(
            select(ProcedureScan.place, func.count())
            .where(*window)
            .group_by(ProcedureScan.place)
            .order_by(func.count().desc())
        )
    ).tuples()
    places = [(place or "—", int(n)) for place, n in by_place]
    top = await ward_top_guides(session, ward_id, period.since, until, limit=10)
    gaps = (
        await session.execute(
            select(SearchGap.normalized, func.count())
            .where(SearchGap.at >= period.since, SearchGap.at < until)
            .group_by(SearchGap.normalized)
            .order_by(func.count().desc(), SearchGap.normalized)
            .limit(10)
        )
    ).tuples()
    return ProcedureUse(
        scans=sum(n for _, n in places),
        by_place=places,
        top_guides=[(code, title, n) for code, title, n in top],
        gaps=[(q, int(n)) for q, n in gaps],
        lookups=sum(n for _, n in by_source),
        by_source=by_source,
    )
