"""Turnout per group against the participation rule, reminders, and the result at closing.

The rule (Law 10/2022/QH15 on grassroots democracy): a decision of the households counts only
when more than `quorum_pct` % of the concerned households took part (default: more than half).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common import audit
from bot.services.engagement.consultations import notice_text
from bot.texts import Catalog
from broadcasts import audience, outbox
from models import (
    Consultation,
    ConsultTally,
    ConsultVote,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    ResidentialGroup,
    Urgency,
    rowcount,
    utcnow,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupTurnout:
    group_id: int
    name: str
    households: int
    voted: int
    paper: int


@dataclass(frozen=True)
class Turnout:
    groups: list[GroupTurnout]
    counts: list[int]  # per option, in the options' order
    households: int
    voted: int
    quorum_pct: int

    @property
    def percent(self) -> int:
        return round(100 * self.voted / self.households) if self.households else 0

    @property
    def met(self) -> bool:
        """More than quorum_pct % of the households took part (strictly more)."""
        return self.households > 0 and 100 * self.voted > self.quorum_pct * self.households


async def turnout(session: AsyncSession, consult: Consultation) -> Turnout:
    """Households and votes per concerned group, and the counts per option."""
    groups = (
        await session.execute(
            select(ResidentialGroup.id, ResidentialGroup.name, func.count(Household.id))
            .outerjoin(Household, Household.group_id == ResidentialGroup.id)
            .where(ResidentialGroup.id.in_(consult.group_ids))
            .group_by(ResidentialGroup.id, ResidentialGroup.name, ResidentialGroup.sort_key)
            .order_by(ResidentialGroup.sort_key)
        )
    ).all()
    votes = {
        gid: (n, p or 0)
        for gid, n, p in (
            await session.execute(
                select(
                    Household.group_id,
                    func.count(ConsultVote.id),
                    func.sum(cast(ConsultVote.paper, Integer)),
                )
                .join(Household, Household.id == ConsultVote.household_id)
                .where(ConsultVote.consultation_id == consult.id)
                .group_by(Household.group_id)
            )
        ).tuples()
    }
    tallies: dict[int, int] = dict(
        (
            await session.execute(
                select(ConsultTally.option, ConsultTally.count).where(
                    ConsultTally.consultation_id == consult.id
                )
            )
        )
        .tuples()
        .all()
    )
    rows = [GroupTurnout(gid, name, total, *votes.get(gid, (0, 0))) for gid, name, total in groups]
    return Turnout(
        rows,
        [tallies.get(i, 0) for i in range(len(consult.options))],
        sum(r.households for r in rows),
        sum(r.voted for r in rows),
        consult.quorum_pct,
    )


def lines(consult: Consultation, t: Turnout, catalog: Catalog, lang: str) -> list[str]:
    """Counts per option, then turnout per group and against the rule."""
    out = [
        catalog.text("consult.count_line", lang, n=i + 1, option=option, count=t.counts[i])
        for i, option in enumerate(consult.options)
    ]
    for g in t.groups:
        out.append(
            catalog.text(
                "consult.group_line",
                lang,
                group=g.name,
                voted=g.voted,
                households=g.households,
                paper=g.paper,
            )
        )
    out.append(
        catalog.text(
            "consult.turnout",
            lang,
            voted=t.voted,
            households=t.households,
            percent=t.percent,
            quorum=t.quorum_pct,
        )
    )
    if t.met:
        out.append(catalog.text("consult.rule_met", lang, quorum=t.quorum_pct))
    else:
        out.append(catalog.text("consult.rule_not_met", lang, quorum=t.quorum_pct))
    return out


async def missing_residents(session: AsyncSession, consult: Consultation) -> list[int]:
    """Registered residents of households that have not voted yet (for a reminder)."""
    voted = select(ConsultVote.household_id).where(ConsultVote.consultation_id == consult.id)
    return list(
        await session.scalars(
            select(Resident.id)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Household.group_id.in_(consult.group_ids),
                Resident.consent_at.is_not(None),
                Household.id.not_in(voted),
            )
            .order_by(Resident.id)
        )
    )


async def remind(
    session: AsyncSession, consult: Consultation, settings: Settings, catalog: Catalog, actor: int
) -> int:
    """Send the question again, with its buttons, to residents whose household has not voted;
    returns how many residents it goes to; commits."""
    residents = await missing_residents(session, consult)
    if not residents:
        return 0
    text = notice_text(consult, settings, catalog, reminder=True)
    notice = Notice(
        ward_id=consult.ward_id,
        kind="consult",
        urgency=Urgency.NORMAL,
        text=text,
        parent_id=consult.notice_id,
        created_by=actor,
        expires_at=consult.closes_at,
        audience=audience.spec("residents", resident_ids=residents),
    )
    session.add(notice)
    await outbox.enqueue(
        session,
        ward_id=consult.ward_id,
        text=text,
        audience=notice.audience,
        created_by=actor,
        expires_at=consult.closes_at,
        notice=notice,
    )
    return len(residents)


async def close(
    session: AsyncSession, consult_id: int, settings: Settings, catalog: Catalog, now: datetime
) -> Notice | None:
    """Close it once (a conditional UPDATE) and queue the result notice to its groups."""
    done = await session.execute(
        update(Consultation)
        .where(Consultation.id == consult_id, Consultation.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        await session.rollback()
        return None
    consult = await session.get(Consultation, consult_id, populate_existing=True)
    assert consult is not None
    status = await session.scalar(select(Notice.status).where(Notice.id == consult.notice_id))
    if status not in (NoticeStatus.QUEUED, NoticeStatus.DONE):  # never approved: no result
        await session.commit()
        return None
    t = await turnout(session, consult)
    lang = settings.language
    text = "\n".join(
        [
            catalog.text("consult.result_head", lang),
            consult.question,
            "",
            *lines(consult, t, catalog, lang),
        ]
    )
    audit.record(
        session,
        "consult.closed",
        actor_id=None,
        target=f"consult:{consult.id}",
        voted=t.voted,
        households=t.households,
        met=t.met,
    )
    notice, _unbound = await outbox.enqueue(
        session,
        ward_id=consult.ward_id,
        text=text,
        created_by=consult.created_by,
        audience={**audience.spec("groups", consult.group_ids), "every_resident": True},
    )
    await session.execute(
        update(Consultation)
        .where(Consultation.id == consult_id)
        .values(result_notice_id=notice.id)
    )
    await session.commit()
    return notice


async def close_due(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    catalog: Catalog,
    now: datetime | None = None,
) -> list[int]:
    """Close every consultation whose closing time has come; the ids of the result notices."""
    now = now or utcnow()
    async with factory() as session:
        due = list(
            await session.scalars(
                select(Consultation.id)
                .where(Consultation.closed_at.is_(None), Consultation.closes_at <= now)
                .order_by(Consultation.id)
            )
        )
    out = []
    for cid in due:
        async with factory() as session:
            if (notice := await close(session, cid, settings, catalog, now)) is not None:
                out.append(notice.id)
    return out
