"""The indicators' scheduled work under `loa run`: sample group chat members daily, send the
weekly digest, and alert when a group falls below its reach target or goes silent.

Each `run_*` is a plain function of the time it is given (tests call it with the injected
clock's time); `add_stats_jobs` asks APScheduler to call them, passing nothing but the time.
Digests and alerts are recorded in `stats_messages` before they go out, so a second run (or a
second process) sends nothing twice; an alert is sent once per spell of its condition.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.units import labels_of
from bot.services.stats.digest import (
    Letter,
    alert_text,
    below_reach,
    digest_letters,
    last_week,
    leaders,
    silent,
)
from bot.services.stats.indicators import ward_stats
from bot.services.stats.period import Period
from bot.services.stats.targets import get_targets
from bot.services.triage.routing import officials
from bot.text import split_text
from bot.texts import Catalog
from broadcasts.client import ApiError, BotApi, NetworkError
from broadcasts.limiter import Limiter
from models import (
    ChatMemberSample,
    ChatStatus,
    ResidentialGroup,
    StatsMessage,
    Urgency,
    Ward,
    utcnow,
)

logger = logging.getLogger(__name__)
RETRIES = 3
ALERT_DAYS = 30  # alerts look at reach now and the last notice ever; the period only bounds


@dataclass
class JobReport:
    sent: list[int] = field(default_factory=list)  # chat ids reached
    failed: int = 0


async def _send(api: BotApi, limiter: Limiter | None, chat_id: int, text: str) -> None:
    """One message within the sender's limits (when given): a global slot in the lane of
    normal notices, the chat's own pace, and Telegram's 429 waits (a few, then give up)."""
    for attempt in range(RETRIES):
        if limiter is not None:
            if wait := limiter.chat_wait(chat_id):
                await asyncio.sleep(wait)
            limiter.chat_take(chat_id)
            await limiter.acquire(Urgency.NORMAL.priority)
        try:
            await api.call("sendMessage", {"chat_id": chat_id, "text": text})
            return
        except ApiError as exc:
            if exc.retry_after is None or attempt == RETRIES - 1:
                raise
            if limiter is not None:
                await limiter.pause(float(exc.retry_after))
            else:
                await asyncio.sleep(float(exc.retry_after))


async def deliver(
    api: BotApi, letters: list[Letter], report: JobReport, limiter: Limiter | None = None
) -> None:
    """Direct private messages, as staff notifications go (plain text, split at 4096)."""
    for letter in letters:
        try:
            for chunk in split_text(letter.text):
                await _send(api, limiter, letter.chat_id, chunk)
            report.sent.append(letter.chat_id)
        except (ApiError, NetworkError) as exc:  # blocked, never started: the others still go
            logger.info("stats message to a staff chat not delivered: %s", exc)
            report.failed += 1


async def _claim(session: AsyncSession, ward_id: int, group_id: int | None, kind: str,
                 key: str, now: datetime) -> bool:  # fmt: skip
    """Record that this message goes out; False if it went already."""
    found = await session.scalar(
        select(StatsMessage.id).where(
            StatsMessage.ward_id == ward_id, StatsMessage.kind == kind, StatsMessage.key == key
        )
    )
    if found is not None:
        return False
    session.add(StatsMessage(ward_id=ward_id, group_id=group_id, kind=kind, key=key, sent_at=now))
    try:
        await session.commit()
    except IntegrityError:  # another run got there first
        await session.rollback()
        return False
    return True


async def run_digest(
    now: datetime, factory: async_sessionmaker[AsyncSession], api: BotApi,
    settings: Settings, catalog: Catalog, limiter: Limiter | None = None,
) -> JobReport:  # fmt: skip
    """Last week's figures to each ward's officials and to each leader for their group."""
    report = JobReport()
    start, end = last_week(now.astimezone(settings.tz).date())
    period = Period(start, end, settings.tz)
    async with factory() as session:
        # ids, not objects: a claim lost to another run rolls back and expires loaded objects
        for ward_id in list(await session.scalars(select(Ward.id).order_by(Ward.id))):
            if not await _claim(session, ward_id, None, "digest", start.isoformat(), now):
                continue
            ward = await session.get(Ward, ward_id)
            if ward is None:
                continue
            s = await ward_stats(session, ward, period, now)
            targets = await get_targets(session, ward_id)
            cat = Catalog(catalog.default, labels_of(ward))  # the ward's own unit words
            letters = await digest_letters(session, s, ward_id, targets, cat)
            await deliver(api, letters, report, limiter)
    return report


async def run_alerts(
    now: datetime, factory: async_sessionmaker[AsyncSession], api: BotApi,
    settings: Settings, catalog: Catalog, limiter: Limiter | None = None,
) -> JobReport:  # fmt: skip
    """Alert officials and the group's leaders when a group is below its reach target or has
    been silent for the maximum days: once when it starts, again only after it cleared."""
    report = JobReport()
    today = now.astimezone(settings.tz).date()
    period = Period(today - timedelta(days=ALERT_DAYS - 1), today, settings.tz)
    async with factory() as session:
        for ward in list(await session.scalars(select(Ward).order_by(Ward.id))):
            await session.refresh(ward)  # an earlier ward's lost claim may have expired it
            ward_id = ward.id  # a lost claim below expires `ward`: keep plain values
            cat = Catalog(catalog.default, labels_of(ward))  # the ward's own unit words
            s = await ward_stats(session, ward, period, now)
            targets = await get_targets(session, ward_id)
            rows = await session.execute(
                select(ResidentialGroup.name, ResidentialGroup.id).where(
                    ResidentialGroup.ward_id == ward_id
                )
            )
            ids = {name: gid for name, gid in rows}
            open_ = {
                (m.group_id, m.kind): m
                for m in await session.scalars(
                    select(StatsMessage).where(
                        StatsMessage.ward_id == ward_id,
                        StatsMessage.kind.in_(("reach", "silent")),
                        StatsMessage.cleared_at.is_(None),
                    )
                )
            }
            staff, led = await officials(session, ward_id), await leaders(session, ward_id)
            for g in s.groups:
                for kind, on in (
                    ("reach", below_reach(g, targets)),
                    ("silent", silent(g, targets)),
                ):
                    spell = open_.get((ids[g.name], kind))
                    if not on:
                        if spell is not None:
                            spell.cleared_at = now
                            await session.commit()
                        continue
                    if spell is not None or not await _claim(
                        session, ward_id, ids[g.name], kind, f"g{ids[g.name]}:{today}", now
                    ):
                        continue
                    text = alert_text(kind, s.ward, g, targets, cat)
                    to = sorted(set(staff) | set(led.get(g.name, [])))
                    await deliver(api, [Letter(tg, text) for tg in to], report, limiter)
    return report


async def sample_members(
    now: datetime, factory: async_sessionmaker[AsyncSession], api: BotApi, settings: Settings
) -> int:
    """getChatMemberCount for each bound group chat, once a local day; how many sampled."""
    day = now.astimezone(settings.tz).date()
    done = 0
    async with factory() as session:
        groups = list(
            await session.scalars(
                select(ResidentialGroup).where(
                    ResidentialGroup.chat_id.is_not(None),
                    ResidentialGroup.chat_status == ChatStatus.ACTIVE,
                )
            )
        )
        have = set(
            await session.scalars(
                select(ChatMemberSample.group_id).where(ChatMemberSample.day == day)
            )
        )
        for g in groups:
            if g.id in have:
                continue
            try:
                count = await api.call("getChatMemberCount", {"chat_id": g.chat_id})
            except (ApiError, NetworkError) as exc:
                logger.info("member count of group %s not read: %s", g.id, exc)
                continue
            session.add(ChatMemberSample(group_id=g.id, day=day, members=int(count), at=now))
            done += 1
        await session.commit()
    return done


def add_stats_jobs(
    scheduler: AsyncIOScheduler, factory: async_sessionmaker[AsyncSession], api: BotApi,
    settings: Settings, catalog: Catalog, limiter: Limiter | None = None,
) -> None:  # fmt: skip
    """Daily member samples and alerts, the weekly digest (times in LOA_STATS_*, local)."""

    async def members() -> None:
        await _guarded("member samples", sample_members(utcnow(), factory, api, settings))

    async def digest() -> None:
        await _guarded("digest", run_digest(utcnow(), factory, api, settings, catalog, limiter))

    async def alerts() -> None:
        await _guarded("alerts", run_alerts(utcnow(), factory, api, settings, catalog, limiter))

    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[settings.stats_digest_weekday - 1]
    for job, name, at, extra in (
        (members, "loa-stats-members", settings.stats_sample_time, {}),
        (digest, "loa-stats-digest", settings.stats_digest_time, {"day_of_week": weekday}),
        (alerts, "loa-stats-alerts", settings.stats_alert_time, {}),
    ):
        scheduler.add_job(
            job, "cron", hour=at.hour, minute=at.minute, id=name, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=3600, **extra,
        )  # fmt: skip


async def _guarded(what: str, work: Awaitable[object]) -> None:
    try:
        await work
    except Exception:  # a failed round must not stop the next one
        logger.exception("stats %s failed", what)
