"""Street reports: open one (photo required), move its Open311-style status, list it publicly.

Every status change is one conditional UPDATE on the status the team member saw, so two
presses at once cannot both win; "resolved" needs a photo of the finished work. The public
list carries category, status, place and public notes, never who reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.triage.actions import ensure_staff
from bot.services.triage.tickets import clean_text
from models import Resident, StreetReport, StreetReportEvent, Ward, rowcount, utcnow

CATEGORIES = ("drainage", "lighting", "rubbish", "road", "trees", "other")
STATUSES = ("received", "acknowledged", "in_progress", "resolved", "closed")
MAX_PHOTOS = 5
# A phone number typed into the text stays off the public page (9 digits or more, any spacing).
_PHONE = re.compile(r"\+?\d(?:[ .\-]?\d){8,}")
# Forward only; "closed" is reachable from every open status (a duplicate, a report elsewhere).
NEXT: dict[str, tuple[str, ...]] = {
    "received": ("acknowledged", "in_progress", "resolved", "closed"),
    "acknowledged": ("in_progress", "resolved", "closed"),
    "in_progress": ("resolved", "closed"),
    "resolved": ("closed",),
    "closed": (),
}


PAGE_LABELS = ("intro", "none", "place", "sent_at")  # the public page's own words


def text_keys() -> set[str]:
    """Catalog keys built from the names above (tests/app/test_i18n.py counts them as used)."""
    keys = {f"report.cat_{c}" for c in CATEGORIES} | {f"report.{k}" for k in PAGE_LABELS}
    keys |= {f"report.status_{s}" for s in STATUSES}
    keys |= {f"report.{kind}_{s}" for kind in ("to", "note") for s in STATUSES[1:]}
    return keys


@dataclass(frozen=True)
class Draft:
    """What the resident gave, before it is stored."""

    category: str
    photos: list[str]
    text: str
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


@dataclass(frozen=True)
class PublicNote:
    status: str
    note: str
    at: datetime


@dataclass(frozen=True)
class PublicReport:
    """A report as the public page shows it: no reporter, no Telegram ids."""

    id: int
    category: str
    status: str
    text: str
    place: str
    created_at: datetime
    notes: list[PublicNote] = field(default_factory=list)


def reporter_ward(resident: Resident | None) -> int:
    """The ward of a registered resident's household (the report goes to its team)."""
    if resident is None or resident.consent_at is None:
        raise Invalid("report.need_start")
    if resident.household is None:
        raise Invalid("report.need_group")
    return resident.household.ward_id


def add_photos(have: list[str], new: list[str]) -> tuple[list[str], bool]:
    """Keep at most MAX_PHOTOS; True when some were left out (the person is told once)."""
    room = MAX_PHOTOS - len(have)
    return [*have, *new[: max(room, 0)]], len(new) > room


async def open_report(
    session: AsyncSession, reporter_id: int, ward_id: int, language: str, draft: Draft
) -> StreetReport:
    """Store a new report as "received". Commits."""
    if draft.category not in CATEGORIES:
        raise Invalid("report.bad_category")
    if not draft.photos:
        raise Invalid("report.need_photo")
    if len(draft.photos) > MAX_PHOTOS:
        raise Invalid("report.too_many_photos", count=MAX_PHOTOS)
    text = clean_text(draft.text)
    if not text:
        raise Invalid("report.need_text")
    now = utcnow()
    report = StreetReport(
        ward_id=ward_id,
        reporter_tg_id=reporter_id,
        language=language,
        category=draft.category,
        photos=list(draft.photos),
        latitude=draft.latitude,
        longitude=draft.longitude,
        address=clean_text(draft.address) or None,
        text=text[:2000],
        status="received",
        created_at=now,
    )
    session.add(report)
    await session.flush()
    session.add(StreetReportEvent(report_id=report.id, to_status="received", note="", at=now))
    await session.commit()
    return report


async def get(session: AsyncSession, report_id: int) -> StreetReport:
    report = await session.get(StreetReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound("report.not_found", number=report_id)
    return report


async def set_card(session: AsyncSession, report_id: int, chat_id: int, message_id: int) -> None:
    await session.execute(
        update(StreetReport)
        .where(StreetReport.id == report_id)
        .values(staff_chat_id=chat_id, staff_message_id=message_id)
    )
    await session.commit()


async def by_card(session: AsyncSession, chat_id: int, message_id: int) -> StreetReport | None:
    return await session.scalar(
        select(StreetReport).where(
            StreetReport.staff_chat_id == chat_id, StreetReport.staff_message_id == message_id
        )
    )


async def change_status(
    session: AsyncSession,
    report_id: int,
    principal: Principal | None,
    to_status: str,
    note: str,
    photo: str | None = None,
) -> StreetReport:
    """Move the report forward (the team of its ward only); "resolved" needs a photo. Commits."""
    report = await get(session, report_id)
    staff = ensure_staff(principal, report.ward_id)
    seen = report.status
    if to_status not in NEXT.get(seen, ()):
        raise Invalid("report.bad_status", number=report_id)
    if to_status == "resolved" and not photo:
        raise Invalid("report.resolve_needs_photo", number=report_id)
    now = utcnow()
    values: dict[str, object] = {"status": to_status}
    if to_status == "resolved":
        values["resolved_at"] = now
    won = await session.execute(
        update(StreetReport)
        .where(StreetReport.id == report_id, StreetReport.status == seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(won) != 1:  # someone else changed it first
        await session.rollback()
        raise Invalid("report.changed_meanwhile", number=report_id)
    session.add(
        StreetReportEvent(
            report_id=report_id,
            from_status=seen,
            to_status=to_status,
            note=clean_text(note)[:1000],
            photo=photo,
            actor_id=staff.telegram_id,
            at=now,
        )
    )
    await session.commit()
    return await get(session, report_id)


async def add_note(
    session: AsyncSession, report_id: int, principal: Principal | None, note: str
) -> StreetReport:
    """A public note without a status change. Commits."""
    report = await get(session, report_id)
    staff = ensure_staff(principal, report.ward_id)
    text = clean_text(note)
    if not text:
        raise Invalid("report.need_note")
    session.add(
        StreetReportEvent(
            report_id=report_id,
            from_status=report.status,
            to_status=report.status,
            note=text[:1000],
            actor_id=staff.telegram_id,
            at=utcnow(),
        )
    )
    await session.commit()
    return report


def public_text(text: str) -> str:
    """The text as the public page shows it: phone numbers masked."""
    return _PHONE.sub("***", text)


def place_of(report: StreetReport) -> str:
    if report.address:
        return report.address
    if report.latitude is not None and report.longitude is not None:
        return f"{report.latitude:.5f}, {report.longitude:.5f}"
    return ""


async def public_list(
    session: AsyncSession, ward: Ward, limit: int = 200
) -> tuple[list[PublicReport], dict[str, int]]:
    """The ward's reports, newest first, and the count per status (for the public page)."""
    reports = list(
        await session.scalars(
            select(StreetReport)
            .where(StreetReport.ward_id == ward.id)
            .order_by(StreetReport.id.desc())
            .limit(limit)
        )
    )
    ids = [r.id for r in reports]
    events = (
        list(
            await session.scalars(
                select(StreetReportEvent)
                .where(StreetReportEvent.report_id.in_(ids), StreetReportEvent.note != "")
                .order_by(StreetReportEvent.id)
            )
        )
        if ids
        else []
    )
    notes: dict[int, list[PublicNote]] = {}
    for e in events:
        notes.setdefault(e.report_id, []).append(
            PublicNote(e.to_status, public_text(e.note), e.at)
        )
    counts = Counter(r.status for r in reports)
    return [
        PublicReport(
            r.id,
            r.category,
            r.status,
            public_text(r.text),
            public_text(place_of(r)),
            r.created_at,
            notes.get(r.id, []),
        )
        for r in reports
    ], {s: counts.get(s, 0) for s in STATUSES}
