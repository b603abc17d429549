"""The sender: claims due deliveries, sends them at the allowed rate, writes what happened.

Five cooperating tasks: the claimer keeps a small backlog of claimed rows in memory; the
dispatcher picks the most urgent job whose chat may receive now, waits for a global slot and
starts it (as many in flight as the measured round trip needs at the current rate, so throughput
does not depend on latency); the writer commits finished jobs in batches (one row per commit at
low rates, hundreds at high rates); the sweeper expires late rows, re-queues copies that raced
an update or a cancel and marks notices finished; the heartbeat renews the rows' leases.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts import store
from broadcasts.client import ApiError, BotApi, NetworkError
from broadcasts.heartbeat import keep_leases
from broadcasts.limiter import Limiter
from broadcasts.render import Marks
from broadcasts.store import Job, Result
from broadcasts.telegram_ops import MediaCache, NoticeView, consult_options, perform
from models import (
    DeliveryOp,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    TargetKind,
    Urgency,
    utcnow,
)

logger = logging.getLogger(__name__)
STOP_SECONDS = 15.0  # at stop, how long the claimer or the sweeper may take to end its round
MAX_ATTEMPTS = 8
Hook = Callable[[list[int]], Awaitable[None]]
# What the directory does about a chat (the caller passes it in; the sender commits after):
Migrated = Callable[[AsyncSession, int, int], Awaitable[object]]  # old chat id, new chat id
Unreachable = Callable[[AsyncSession, TargetKind, int], Awaitable[object]]  # 403 for good


async def _finish(task: asyncio.Task[None]) -> None:
    """Let `task` end by itself (it was told to stop), then cancel it if it has not."""
    try:
        await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
    except TimeoutError:
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)


class Sender:
    def __init__(
        self,
        api: BotApi,
        factory: async_sessionmaker[AsyncSession],
        limiter: Limiter,
        marks_for: Callable[[Urgency], Marks],
        *,
        rate: float = 30.0,
        lease_seconds: float = 60.0,
        max_inflight: int = 1024,
        batch: int | None = None,
        sweep_seconds: float = 1.0,
        backoff_base: float = 1.0,
        idle_poll: float = 0.5,
        on_sweep: Hook | None = None,
        on_migrated: Migrated | None = None,
        on_unreachable: Unreachable | None = None,
    ) -> None:
        self.api, self.factory, self.limiter, self.marks_for = api, factory, limiter, marks_for
        self.claim_id = uuid.uuid4().hex[:16]
        self.lease = timedelta(seconds=lease_seconds)
        # A job this close to losing its lease is left for whoever claims the row next.
        self.lease_margin = timedelta(seconds=min(2.0, lease_seconds / 4))
        self.max_inflight = max_inflight  # a hard cap; the limiter sizes the window below it
        self.batch = batch or max(20, min(2000, int(rate * 2)))  # about 2 s of work
        self.sweep_seconds = sweep_seconds
        self.backoff_base = backoff_base
        self.idle_poll = idle_poll  # with a ticker calling wake(), this can be long
        self.on_sweep = on_sweep
        self.on_migrated, self.on_unreachable = on_migrated, on_unreachable
        self.media = MediaCache(factory)
        self.stats: Counter[str] = Counter()
        self.notices: dict[int, NoticeView] = {}
        self._ready: list[tuple[int, int, Job]] = []
        self._delayed: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: asyncio.Queue[Result | None] = asyncio.Queue()
        self._slot_free = asyncio.Event()
        self._running: dict[int, Job] = {}  # jobs whose request is under way, by delivery id
        self._halt = asyncio.Event()  # set once at stop (wakes the heartbeat)
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._stopping = False
        self.idle = asyncio.Event()  # nothing in memory and the last claim found nothing

    # ------------------------------------------------------------------ lifecycle
    def wake(self) -> None:
        """A notice was just queued: claim now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish requests in flight and give back the rest."""
        claimer = asyncio.create_task(self._claimer())
        dispatcher = asyncio.create_task(self._dispatcher())
        writer = asyncio.create_task(self._writer())
        sweeper = asyncio.create_task(self._sweeper(stop))
        heartbeat = asyncio.create_task(
            keep_leases(self.factory, self.claim_id, self.lease, self._held, self._halt)
        )
        try:
            await stop.wait()
        finally:
            self._stopping = True
            self._wake.set()
            self._halt.set()
            self._changed.set()
            dispatcher.cancel()  # it only waits for slots and the limiter: nothing to lose
            await asyncio.gather(dispatcher, return_exceptions=True)
            await _finish(heartbeat)
            # The claimer and the sweeper end their round by themselves now; cancelling one
            # mid-query would drop a database connection in the middle of a transaction.
            await _finish(claimer)
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._results.put(None)
            await writer
            await _finish(sweeper)
            left = [j.id for _, _, j in self._ready] + [j.id for _, _, j in self._delayed]
            await store.release(self.factory, self.claim_id, left)
            await store.sweep(self.factory)

    # ------------------------------------------------------------------ claimer
    async def _claimer(self) -> None:
        while not self._stopping:
            backlog = len(self._ready) + len(self._delayed) + len(self._tasks)
            if backlog < self.batch // 2:
                jobs = await store.claim(self.factory, self.claim_id, self.batch, self.lease)
                if jobs:
                    self.idle.clear()
                    await self._load_notices({j.notice_id for j in jobs})
                    for job in jobs:
                        self._push(job)
                    self.stats["claimed"] += len(jobs)
                    continue
                if backlog == 0 and self._results.empty():
                    self.idle.set()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.idle_poll if backlog == 0 else 0.05)
            except TimeoutError:
                pass

    async def _load_notices(self, ids: set[int], *, refresh: bool = False) -> None:
        wanted = ids if refresh else ids - set(self.notices)
        if not wanted:
            return
        cols = (Notice.id, Notice.text, Notice.version, Notice.urgency, Notice.status,
                Notice.media_type, Notice.media_name, Notice.media_file_id, Notice.expires_at,
                Notice.cancel_mode, Notice.pin, Notice.parent_id, Notice.event_at, Notice.issuer,
                Notice.kind)  # fmt: skip
        async with self.factory() as session:
            rows = await session.execute(select(*cols).where(Notice.id.in_(wanted)))
            views = [NoticeView(*row) for row in rows]
            await consult_options(session, views)
            for view in views:
                old = self.notices.get(view.id)
                if old is not None and old.media_file_id and not view.media_file_id:
                    view.media_file_id = old.media_file_id
                self.notices[view.id] = view

    # ------------------------------------------------------------------ dispatcher
    def _push(self, job: Job, delay: float = 0.0) -> None:
        if delay > 0:
            heapq.heappush(self._delayed, (time.monotonic() + delay, next(self._seq), job))
        else:
            heapq.heappush(self._ready, (job.priority, next(self._seq), job))
        self._changed.set()

    async def _next_job(self) -> Job | None:
        while not self._stopping:
            now = time.monotonic()
            while self._delayed and self._delayed[0][0] <= now:
                _, _, job = heapq.heappop(self._delayed)
                heapq.heappush(self._ready, (job.priority, next(self._seq), job))
            if self._ready:
                _, _, job = heapq.heappop(self._ready)
                if (verdict := self._check(job)) is not None:
                    await self._results.put(verdict)
                    continue
                if job.lease_until - utcnow() < self.lease_margin:
                    self.stats["lease_dropped"] += 1  # another sender may take it now
                    continue
                if job.chat_id in self._busy:
                    self._push(job, 0.05)
                    continue
                if (wait := self.limiter.chat_wait(job.chat_id)) > 0:
                    self._push(job, wait)
                    continue
                return job
            self._changed.clear()
            timeout = self._delayed[0][0] - now if self._delayed else None
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
            except TimeoutError:
                pass
        return None

    def _check(self, job: Job) -> Result | None:
        """Rows that must not be sent any more: cancelled or expired notices."""
        notice = self.notices[job.notice_id]
        if job.op is DeliveryOp.SEND:
            if notice.status == NoticeStatus.CANCELLED:
                return Result(job, DeliveryStatus.CANCELLED, error="cancelled before sending")
            if notice.expires_at is not None and notice.expires_at <= utcnow():
                return Result(job, DeliveryStatus.SKIPPED, error="expired")
        return None

    async def _dispatcher(self) -> None:
        while (job := await self._next_job()) is not None:
            while len(self._running) >= min(self.max_inflight, self.limiter.inflight()):
                self._slot_free.clear()
                await self._slot_free.wait()
            await self.limiter.acquire(job.priority)
            self.limiter.chat_take(job.chat_id)
            self._busy.add(job.chat_id)
            self._running[job.id] = job
            task = asyncio.create_task(self._run_job(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _gate(self, chat_id: int, lane: int) -> None:
        """Between the parts of one delivery: the chat's pace, then a global slot."""
        if (wait := self.limiter.chat_wait(chat_id)) > 0:
            await asyncio.sleep(wait)
        await self.limiter.acquire(lane)  # the job's own lane, not a faster one
        self.limiter.chat_take(chat_id)

    # ------------------------------------------------------------------ one job
    async def _run_job(self, job: Job) -> None:
        notice = self.notices[job.notice_id]
        result: Result | None = None
        try:
            await perform(self.api, job, notice, self.marks_for(notice.urgency), self.media,
                          lambda chat_id: self._gate(chat_id, job.priority))  # fmt: skip
            done = DeliveryStatus.CANCELLED if job.op is DeliveryOp.CANCEL else DeliveryStatus.SENT
            result = Result(job, done, sent=job.op is DeliveryOp.SEND, version=notice.version,
                            error=job.extra.get("pin_error"))  # fmt: skip
            self.stats["sent"] += 1
        except ApiError as exc:
            result = await self._after_api_error(job, exc)
        except NetworkError as exc:
            result = self._after_network_error(job, notice, exc)
        except Exception as exc:  # a bug must not lose the row: retry later, and log
            logger.exception("delivery %s failed unexpectedly", job.id)
            result = self._retry(job, f"{type(exc).__name__}: {exc}")
        finally:
            self._busy.discard(job.chat_id)
            self._running.pop(job.id, None)
            self._slot_free.set()
            self._changed.set()
        if result is not None:
            await self._results.put(result)

    def _retry(self, job: Job, error: str) -> Result:
        """5xx or a connection error: capped exponential backoff with jitter."""
        job.attempts += 1
        self.stats["retried"] += 1
        if job.attempts >= MAX_ATTEMPTS:
            return Result(job, DeliveryStatus.FAILED, error=f"gave up: {error}")
        delay = min(300.0, 2.0**job.attempts) * random.uniform(0.5, 1.0)
        return Result(
            job,
            DeliveryStatus.PENDING,
            error=error,
            next_attempt_at=utcnow() + timedelta(seconds=delay),
        )

    async def _after_api_error(self, job: Job, exc: ApiError) -> Result | None:
        """Telegram answered with an error: wait, follow, give up, or retry, as it says."""
        if exc.code == 429 or exc.retry_after is not None:
            self.stats["429"] += 1
            if await self.limiter.pause(float(exc.retry_after or 1)):
                self.stats["slowdowns"] += 1
            self._push(job)  # not an attempt: Telegram asked us to wait
            return None
        if exc.migrate_to_chat_id is not None:
            return await self._migrated(job, exc.migrate_to_chat_id)
        if exc.code >= 500:
            return self._retry(job, exc.description)
        if exc.code == 403:  # blocked, kicked, deactivated: for good
            await self._unreachable(job)
        return Result(job, DeliveryStatus.FAILED, error=exc.description)

    def _after_network_error(self, job: Job, notice: NoticeView, exc: NetworkError
                             ) -> Result | None:  # fmt: skip
        if not exc.maybe_sent:
            return self._retry(job, str(exc))  # could not connect: nothing was sent
        # The request went out and no answer came: maybe delivered. Emergencies are sent once
        # more (a duplicate is better than a miss); everything else stays "unknown".
        self.stats["unknown"] += 1
        if notice.urgency is Urgency.EMERGENCY and not job.resent:
            job.resent = True
            self._push(job)
            return None
        return Result(job, DeliveryStatus.UNKNOWN, error=str(exc))

    async def _migrated(self, job: Job, new_chat_id: int) -> Result | None:
        if self.on_migrated is not None:
            async with self.factory() as session:
                await self.on_migrated(session, job.chat_id, new_chat_id)
                await session.commit()
        if job.migrated:
            return Result(job, DeliveryStatus.FAILED, error="chat migrated twice")
        job.migrated, job.chat_id = True, new_chat_id
        self._push(job)
        return None

    async def _unreachable(self, job: Job) -> None:
        """403: the resident blocked the bot, or the bot was removed from the group."""
        if self.on_unreachable is not None:
            async with self.factory() as session:
                await self.on_unreachable(session, job.target, job.chat_id)
                await session.commit()

    # ------------------------------------------------------------------ heartbeat
    def _held(self) -> list[Job]:
        waiting = [j for _, _, j in self._ready] + [j for _, _, j in self._delayed]
        return waiting + list(self._running.values())

    # ------------------------------------------------------------------ writer, sweeper
    async def _writer(self) -> None:
        stop = False
        while not stop:
            first = await self._results.get()
            batch = [] if first is None else [first]
            stop = first is None
            while not self._results.empty() and len(batch) < 1000:
                item = self._results.get_nowait()
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[Result]) -> None:
        try:
            await store.write(self.factory, self.claim_id, batch)
        except Exception:  # e.g. a migrated chat colliding with an existing row
            logger.exception("batch write failed; writing %d results one by one", len(batch))
            for result in batch:
                try:
                    await store.write(self.factory, self.claim_id, [result])
                except Exception:
                    logger.exception("could not record delivery %s", result.job.id)
        self.stats["written"] += len(batch)

    async def _sweeper(self, stop: asyncio.Event) -> None:
        while not stop.is_set() and not self._stopping:
            try:
                finished = await store.sweep(self.factory)
                for notice_id in finished:  # no open rows left, so no job refers to it
                    self.notices.pop(notice_id, None)
                await self._load_notices(set(self.notices), refresh=True)
                if self.on_sweep is not None:
                    await self.on_sweep(finished)
            except Exception:
                logger.exception("sweep failed")
            try:
                await asyncio.wait_for(stop.wait(), self.sweep_seconds)
            except TimeoutError:
                pass
