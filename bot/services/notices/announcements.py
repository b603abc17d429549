"""Announcements composed in Telegram: the draft, its checks, submission and approval.

The draft (drafts.py) lives in the composer's FSM data (so it survives a restart); a
Notice row exists from submission on: pending_approval until a second official approves
(ward-wide and emergency notices), then queued through the outbox like any other notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid
from bot.services.directory.roles import Principal
from bot.services.notices.drafts import (
    Audience,
    AudienceKind,
    Draft,
    Event,
    Media,
    MediaType,
    NoticeKind,
)
from bot.services.notices.quiet import release_time
from bot.services.notices.when import from_iso, weekday
from bot.texts import Catalog
from broadcasts import outbox
from models import (
    Notice,
    NoticeStatus,
    ResidentialGroup,
    Role,
    Urgency,
    Ward,
    utcnow,
)

MAX_TEXT = 4000  # one message with its header and event lines; longer: split it in two
OFFICIALS = (Role.WARD_OFFICIAL, Role.WARD_ADMIN)
EVENT_HOURS = 12  # an event notice expires this long after it starts, unless told otherwise


def check_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("announce.empty")
    if len(text) > MAX_TEXT:
        raise Invalid("announce.too_long", length=len(text), limit=MAX_TEXT)
    return text


def event_lines(draft: Draft, settings: Settings, catalog: Catalog) -> str:
    """The event's when/where/who/what-to-bring lines, as part of the notice text."""
    at = draft.event_at(settings)
    if at is None:
        return ""
    lang = settings.language
    local = at.astimezone(settings.tz)
    lines = [catalog.text("announce.ev_when", lang, when=weekday_date(local, catalog, lang))]
    ev = draft.event
    if ev.place:
        lines.append(catalog.text("announce.ev_place", lang, value=ev.place))
    if ev.eligible:
        lines.append(catalog.text("announce.ev_eligible", lang, value=ev.eligible))
    if ev.bring:
        lines.append(catalog.text("announce.ev_bring", lang, value=ev.bring))
    return "\n".join(lines)


def weekday_date(local: datetime, catalog: Catalog, lang: str) -> str:
    day = catalog.text(f"weekday.{weekday(local.date())}", lang)
    return f"{local:%H:%M}, {day} {local:%d/%m/%Y}"


def final_text(draft: Draft, settings: Settings, catalog: Catalog) -> str:
    lines = event_lines(draft, settings, catalog)
    return f"{draft.text}\n\n{lines}" if lines else draft.text


def send_time(draft: Draft, settings: Settings, now: datetime) -> tuple[datetime, bool]:
    """When it will go out, and whether quiet hours hold it (normal notices only)."""
    wanted = max(from_iso(draft.send_at) or now, now)
    if draft.level is not Urgency.NORMAL:
        return wanted, False
    held = release_time(wanted, settings.quiet_window, settings.tz)
    return held, held != wanted


def short_notice(draft: Draft, settings: Settings, now: datetime) -> float | None:
    """Hours left before the event when that is under the short-notice limit, else None."""
    at = draft.event_at(settings)
    if at is None:
        return None
    hours = (at - now).total_seconds() / 3600
    return hours if hours < settings.short_notice_hours else None


def expiry(draft: Draft, settings: Settings) -> datetime | None:
    if draft.expires_at:
        return from_iso(draft.expires_at)
    at = draft.event_at(settings)
    return at + timedelta(hours=EVENT_HOURS) if at else None


def validate(draft: Draft, settings: Settings, now: datetime) -> None:
    """Everything a draft must satisfy before it is submitted (and again at approval)."""
    check_text(draft.text)
    if draft.kind not in NoticeKind:
        raise Invalid("announce.bad_kind")
    at = draft.event_at(settings)
    if draft.kind is NoticeKind.EVENT and at is None:
        raise Invalid("announce.event_incomplete")
    if at is not None and at <= now:
        raise Invalid("when.past")
    go, _held = send_time(draft, settings, now)
    if (asked := from_iso(draft.send_at)) is not None and asked <= now:
        raise Invalid("when.past")
    if (end := expiry(draft, settings)) is not None and end <= go:
        raise Invalid("announce.expiry_before_send")
    if draft.audience.kind is AudienceKind.GROUPS and not draft.audience.group_ids:
        raise Invalid("announce.no_groups")


async def ward_of(session: AsyncSession, principal: Principal) -> int | None:
    """The ward this person works in: their first grant's, or the only ward there is (a
    superadmin without a grant); None when that cannot be told."""
    if principal.grants:
        return principal.grants[0].ward_id
    ids = list(await session.scalars(select(Ward.id).limit(2)))
    return ids[0] if len(ids) == 1 else None


async def ward_groups(session: AsyncSession, ward_id: int) -> list[ResidentialGroup]:
    return list(
        await session.scalars(
            select(ResidentialGroup)
            .where(ResidentialGroup.ward_id == ward_id)
            .order_by(ResidentialGroup.sort_key)
        )
    )


def may_announce(principal: Principal | None) -> bool:
    return principal is not None and (
        principal.superadmin
        or principal.has(Role.WARD_OFFICIAL, Role.WARD_ADMIN, Role.GROUP_LEADER)
    )


def is_official(principal: Principal, ward_id: int) -> bool:
    return principal.has(*OFFICIALS, ward_id=ward_id)


def leader_groups(principal: Principal, ward_id: int) -> list[int]:
    return sorted(
        g.group_id
        for g in principal.grants
        if g.role is Role.GROUP_LEADER and g.ward_id == ward_id and g.group_id
    )


async def issuer_for(session: AsyncSession, principal: Principal, draft: Draft) -> str | None:
    """Who speaks in the header: the ward's People's Committee when an official sends,
    the group's leader ("Tổ trưởng Tổ 13") when a leader posts to their own group."""
    ward = await session.get(Ward, draft.ward_id)
    if ward is None:
        return None
    if is_official(principal, draft.ward_id) or principal.superadmin:
        return ward.council
    own = set(leader_groups(principal, draft.ward_id))
    led = [g for g in draft.audience.group_ids if g in own]
    group = await session.get(ResidentialGroup, led[0]) if led else None
    return ward.leader_of(group.name) if group is not None else ward.council


def check_audience(principal: Principal, draft: Draft) -> None:
    """A group leader may post only to their own groups; officials anywhere in the ward."""
    if is_official(principal, draft.ward_id):
        return
    own = set(leader_groups(principal, draft.ward_id))
    wanted = set(draft.audience.group_ids)
    if draft.audience.kind is not AudienceKind.GROUPS or not wanted or not wanted <= own:
        raise Forbidden("announce.leader_own_group")


async def needs_approval(session: AsyncSession, draft: Draft) -> bool:
    """Ward-wide and emergency notices need a second official."""
    if draft.level is Urgency.EMERGENCY:
        return True
    kind = draft.audience.kind
    if kind is AudienceKind.WARD:
        return True
    if kind is AudienceKind.GROUPS:
        every = {g.id for g in await ward_groups(session, draft.ward_id)}
        return bool(every) and set(draft.audience.group_ids) >= every
    return False


def break_glass(draft: Draft, principal: Principal, settings: Settings) -> bool:
    """An emergency may go out on one official's word when the ward allows it; a group
    leader's emergency always waits for an official's approval."""
    return (
        draft.level is Urgency.EMERGENCY
        and settings.emergency_break_glass
        and is_official(principal, draft.ward_id)
    )


@dataclass
class Submitted:
    notice: Notice
    pending: bool  # waits for a second official
    held_until: datetime | None = None  # quiet hours hold it until then
    break_glass: bool = False
    unbound: list[str] = field(default_factory=list)
    corrected: bool = False  # an approved correction, not a new notice
    proposer: int | None = None  # who asked for that correction


async def submit(
    session: AsyncSession,
    draft: Draft,
    principal: Principal,
    settings: Settings,
    catalog: Catalog,
    now: datetime | None = None,
    *,
    name: str = "",
) -> Submitted:
    """Check the draft again, then either wait for approval or queue it; commits."""
    now = now or utcnow()
    if not may_announce(principal):
        raise Forbidden("error.forbidden")
    check_audience(principal, draft)
    validate(draft, settings, now)
    notice = Notice(
        ward_id=draft.ward_id,
        kind=draft.kind.value,
        urgency=draft.level,
        text=final_text(draft, settings, catalog),
        audience=draft.audience.as_dict(),
        created_by=draft.author,
        author_name=name[:160] or None,
        progress_chat_id=draft.author,
        pin=draft.level is not Urgency.NORMAL,
        event=draft.event.as_dict() or None,
        event_at=draft.event_at(settings),
        remind_after_hours=settings.ack_reminder_hours if draft.remind else None,
        scheduled_at=from_iso(draft.send_at),
        expires_at=expiry(draft, settings),
        status=NoticeStatus.DRAFT,
        issuer=await issuer_for(session, principal, draft),
    )
    if draft.media:
        notice.media_type = draft.media.type.value
        notice.media_name = draft.media.name
        notice.media_file_id = draft.media.file_id
    session.add(notice)
    await session.flush()
    audit.record(session, "notice.drafted", actor_id=draft.author, target=f"notice:{notice.id}",
                 kind=draft.kind.value, urgency=draft.level.value)  # fmt: skip
    approval = await needs_approval(session, draft)
    glass = approval and break_glass(draft, principal, settings)
    if approval and not glass:
        notice.status = NoticeStatus.PENDING_APPROVAL
        audit.record(session, "notice.submitted", actor_id=draft.author,
                     target=f"notice:{notice.id}")  # fmt: skip
        await session.commit()
        return Submitted(notice, pending=True)
    if glass:
        notice.break_glass, notice.approved_by, notice.decided_at = True, draft.author, now
        audit.record(session, "notice.break_glass", actor_id=draft.author,
                     target=f"notice:{notice.id}")  # fmt: skip
    return await queue(session, notice, settings, draft.author, now, glass)


async def queue(
    session: AsyncSession,
    notice: Notice,
    settings: Settings,
    actor: int,
    now: datetime,
    glass: bool = False,
) -> Submitted:
    wanted = max(notice.scheduled_at or now, now)
    go = wanted
    if notice.urgency is Urgency.NORMAL:
        go = release_time(wanted, settings.quiet_window, settings.tz)
    if notice.expires_at is not None and notice.expires_at <= go:
        raise Invalid("announce.expiry_before_send")
    notice, unbound = await outbox.enqueue(
        session,
        ward_id=notice.ward_id,
        text=notice.text,
        audience=notice.audience,
        created_by=actor,
        scheduled_at=go if go > now else None,
        expires_at=notice.expires_at,
        notice=notice,
    )
    return Submitted(notice, False, go if go != wanted else None, glass, unbound)


def media_of(notice: Notice) -> Media | None:
    """A notice's photo or document as the composer keeps it (sent again by file_id)."""
    if notice.media_type and notice.media_file_id:
        return Media(MediaType(notice.media_type), notice.media_file_id, notice.media_name or "")
    return None


def draft_of(notice: Notice) -> Draft:
    """A submitted notice seen as a draft again (for its summary on approval cards)."""
    return Draft(
        ward_id=notice.ward_id,
        author=notice.created_by or 0,
        kind=NoticeKind.of(notice.kind),
        text=notice.text,
        media=media_of(notice),
        event=Event.from_dict(notice.event),
        audience=Audience.from_dict(notice.audience),
        urgency=Urgency.NORMAL if notice.urgency is Urgency.EMERGENCY else notice.urgency,
        send_at=notice.scheduled_at.isoformat() if notice.scheduled_at else None,
        expires_at=notice.expires_at.isoformat() if notice.expires_at else None,
        remind=notice.remind_after_hours is not None,
    )
