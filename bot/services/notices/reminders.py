"""Reminders for announcements: households that have not pressed "Đã nhận", and events.

`run_reminders` is a plain function of the time it is given (tests drive it with a fixed
clock; `loa run` calls it every minute). Each step is claimed with a conditional UPDATE of the
notice's stage in the same transaction that queues the reminder, so two overlapping runs can
never both send it. Reminders are child notices (parent_id set, kind "reminder") going through
the ordinary outbox; their buttons count for the parent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer

from bot.config import Settings
from bot.services.common import audit
from bot.services.directory.units import unit_words
from bot.services.notices import acks
from bot.services.notices.quiet import release_time
from bot.texts import Catalog
from broadcasts import audience, outbox
from models import Notice, NoticeStatus, Resident, Urgency, Ward, rowcount

logger = logging.getLogger(__name__)

KIND = "reminder"
MAX_ADDRESSES = 30  # an escalation lists this many households, then "+N more"
LIVE = (NoticeStatus.QUEUED, NoticeStatus.DONE)


@dataclass
class ReminderReport:
    reminded: list[int] = field(default_factory=list)  # parents whose households were reminded
    escalated: list[int] = field(default_factory=list)  # parents escalated to group leaders
    events: list[int] = field(default_factory=list)  # parents whose event was recalled
    children: list[int] = field(default_factory=list)  # reminder notices queued

    @property
    def queued(self) -> bool:
        return bool(self.children)


@dataclass
class _Run:
    now: datetime
    session: AsyncSession
    settings: Settings
    catalog: Catalog
    report: ReminderReport

    def text(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, self.settings.language, **params)


async def run_reminders(
    now: datetime,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    catalog: Catalog,
) -> ReminderReport:
    """Queue every reminder due at `now`: acknowledgement reminders to households, escalation
    to group leaders, and the eve and morning reminders of events."""
    report = ReminderReport()
    async with session_factory() as session:
        acked = await _candidates(session, Notice.remind_stage, Notice.remind_after_hours)
        events = await _candidates(session, Notice.event_stage, Notice.event_at)
    steps = [(_ack_step, n) for n in acked] + [(_event_step, n) for n in events]
    for step, notice in steps:
        async with session_factory() as session:  # one transaction per step
            try:
                await step(_Run(now, session, settings, catalog, report), notice)
            except Exception:  # one bad notice must not hold back the others
                logger.exception("reminder for notice %s failed", notice.id)
    if report.queued:
        logger.info(
            "reminders: households %s, leaders %s, events %s",
            report.reminded,
            report.escalated,
            report.events,
        )
    return report


async def _candidates(session: AsyncSession, stage: Any, needed: Any) -> list[Notice]:
    """Top-level live notices with this feature switched on and not yet through its stages."""
    stmt = (
        select(Notice)
        .options(defer(Notice.media_bytes))
        .where(
            Notice.parent_id.is_(None),
            Notice.kind != KIND,
            Notice.status.in_(LIVE),
            Notice.queued_at.is_not(None),
            needed.is_not(None),
            stage < 2,
        )
        .order_by(Notice.id)
    )
    return list(await session.scalars(stmt))


def _went_out(notice: Notice) -> datetime:
    """When the notice was due to go out (a scheduled one counts from its time)."""
    assert notice.queued_at is not None
    return max(notice.queued_at, notice.scheduled_at or notice.queued_at)


async def _advance(run: _Run, notice: Notice, column: str, to: int) -> bool:
    """Move the stage from the one we read to `to`; False if another run got there first.

    Not committed: the caller commits it with the reminder it queues (or alone)."""
    frm = getattr(notice, column)
    done = await run.session.execute(
        update(Notice)
        .where(Notice.id == notice.id, getattr(Notice, column) == frm)
        .values({column: to})
        .execution_options(synchronize_session=False)
    )
    if not rowcount(done):
        await run.session.commit()  # nothing changed; ends the transaction
        return False
    setattr(notice, column, to)
    return True


async def _ack_step(run: _Run, notice: Notice) -> None:
    assert notice.remind_after_hours is not None
    every = timedelta(hours=notice.remind_after_hours)
    start, stage = _went_out(notice), notice.remind_stage
    if notice.remind_after_hours <= 0 or (notice.expires_at and notice.expires_at <= run.now):
        if await _advance(run, notice, "remind_stage", 2):
            await run.session.commit()
        return
    if run.now < start + every * (stage + 1):
        return
    if not await _advance(run, notice, "remind_stage", stage + 1):
        return
    groups = [g for g in await acks.coverage(run.session, notice.id) if g.missing_ids]
    if stage == 0:
        await _remind_households(run, notice, [h for g in groups for h in g.missing_ids])
    else:
        for group in groups:
            await _escalate(run, notice, group)
    await run.session.commit()  # the stage alone, when nobody needed a reminder


async def _remind_households(run: _Run, notice: Notice, household_ids: list[int]) -> None:
    resident_ids = list(
        await run.session.scalars(
            select(Resident.id).where(
                Resident.household_id.in_(household_ids), Resident.consent_at.is_not(None)
            )
        )
    )
    if not resident_ids:
        return
    spec = audience.spec("residents", resident_ids=resident_ids)
    await _child(run, notice, run.text("reminder.ack"), spec)
    run.report.reminded.append(notice.id)


async def _escalate(run: _Run, notice: Notice, group: acks.GroupCoverage) -> None:
    spec = audience.spec("leaders", [group.group_id])
    if not (await audience.resolve(run.session, notice.ward_id, spec, notice.urgency)).targets:
        logger.info("notice %s: group %s has no leader to escalate to", notice.id, group.group_id)
        return
    shown = group.missing[:MAX_ADDRESSES]
    lines = [
        run.text(
            "reminder.escalation",
            id=notice.id,
            title=notice.text.strip().splitlines()[0][:120],
            group=group.group,
            count=len(group.missing),
            hours=(notice.remind_after_hours or 0) * 2,
            **unit_words(await run.session.get(Ward, notice.ward_id), run.settings.language),
        ),
        *(f"• {address}" for address in shown),
    ]
    if len(group.missing) > len(shown):
        lines.append(run.text("reminder.escalation_more", count=len(group.missing) - len(shown)))
    await _child(run, notice, "\n".join(lines), spec, with_original=False)
    run.report.escalated.append(notice.id)


def _moment(day: datetime, at: time, run: _Run) -> datetime:
    return datetime.combine(day.date(), at, tzinfo=run.settings.tz)


async def _event_step(run: _Run, notice: Notice) -> None:
    """Stage 0 → the eve reminder, 1 → the morning reminder, 2 → done (also once it passed)."""
    assert notice.event_at is not None
    local = notice.event_at.astimezone(run.settings.tz)
    eve = _moment(local - timedelta(days=1), run.settings.event_eve_time, run)
    morning = _moment(local, run.settings.event_morning_time, run)
    start, stage, at = _went_out(notice), notice.event_stage, f"{local:%H:%M}"
    head: str | None = None
    if run.now >= notice.event_at or (notice.expires_at and notice.expires_at <= run.now):
        stage = 2
    elif stage == 0 and run.now < eve:
        return
    elif stage == 0 and start < eve and run.now < morning:
        stage, head = 1, run.text("reminder.event_eve", time=at)
    elif run.now < morning:  # announced after the eve time: the morning one is enough
        stage = 1
    elif start < morning:
        stage, head = 2, run.text("reminder.event_today", time=at)
    else:  # announced on the day itself, after the morning time
        stage = 2
    if stage == notice.event_stage or not await _advance(run, notice, "event_stage", stage):
        return
    if head is not None:
        await _child(run, notice, head, notice.audience, event_at=notice.event_at)
        run.report.events.append(notice.id)
    await run.session.commit()


async def _child(
    run: _Run,
    parent: Notice,
    head: str,
    spec: dict[str, Any],
    *,
    with_original: bool = True,
    event_at: datetime | None = None,
) -> int:
    """Queue one reminder of `parent`; commits it with the stage already advanced."""
    text = head
    if with_original:
        room = outbox.MAX_TEXT - len(head) - 2
        text = f"{head}\n\n{parent.text.strip()[:room]}"
    scheduled = None
    if parent.urgency is Urgency.NORMAL:  # quiet hours hold normal reminders until morning
        release = release_time(run.now, run.settings.quiet_window, run.settings.tz)
        scheduled = release if release > run.now else None
    # Written with parent_id before it is queued: the sender must never see it without one.
    draft = Notice(ward_id=parent.ward_id, text=text, urgency=parent.urgency, kind=KIND,
                   audience=spec, parent_id=parent.id, event_at=event_at,
                   issuer=parent.issuer)  # fmt: skip
    run.session.add(draft)
    child, _ = await outbox.enqueue(
        run.session,
        ward_id=parent.ward_id,
        text=text,
        audience=spec,
        urgency=parent.urgency,
        scheduled_at=scheduled,
        notice=draft,
    )
    audit.record(run.session, "notice.reminder", actor_id=None, target=f"notice:{parent.id}",
                 reminder=child.id, audience=spec["kind"])  # fmt: skip
    await run.session.commit()
    run.report.children.append(child.id)
    return child.id
