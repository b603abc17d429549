"""Putting a question to households: the consultation, its notice, approval and delivery.

A consultation rides on a Notice (kind "consult"): the same second-official approval when it
concerns the whole ward (bot.services.notices.announcements.needs_approval and the review cards
of handlers.notices.review), the same outbox and sender. Its option buttons carry ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.engagement.form import Form, window
from bot.services.notices import announcements as ann
from bot.services.notices.drafts import Audience, AudienceKind, Draft, NoticeKind
from bot.texts import Catalog
from models import Consultation, ConsultTally, Notice, NoticeStatus, Role, utcnow

KIND = "consult"


@dataclass(frozen=True)
class Created:
    consult: Consultation
    notice: Notice
    pending: bool  # waits for a second official (ward-wide)
    unbound: list[str]


async def get(session: AsyncSession, consult_id: int) -> Consultation:
    consult = await session.get(Consultation, consult_id, populate_existing=True)
    if consult is None:
        raise NotFound("consult.not_found", id=consult_id)
    return consult


async def pick_groups(
    session: AsyncSession, form: Form, principal: Principal, ward_id: int
) -> list[int]:
    """The groups named on the form (by name, or by number: "Tổ 3" or "3"); a leader who
    names none means their own groups, an official the whole ward."""
    groups = await ann.ward_groups(session, ward_id)
    if form.whole_ward or (form.groups is None and ann.is_official(principal, ward_id)):
        return [g.id for g in groups]
    if form.groups is None:
        return ann.leader_groups(principal, ward_id)
    out = []
    for name in form.groups:
        key = name.casefold()
        hit = [g for g in groups if key in (g.name.casefold(), g.name.casefold().split()[-1])]
        if not hit:
            raise Invalid("consult.unknown_group", name=name[:40])
        out.append(hit[0].id)
    return sorted(set(out))


def notice_text(
    consult: Consultation, settings: Settings, catalog: Catalog, *, reminder: bool = False
) -> str:
    """What residents read above the option buttons."""
    lang = settings.language
    closes = ann.weekday_date(consult.closes_at.astimezone(settings.tz), catalog, lang)
    lines = [catalog.text("consult.reminder_head", lang)] if reminder else []
    lines += [consult.question, ""]
    lines += [f"{i}. {option}" for i, option in enumerate(consult.options, 1)]
    lines += [
        "",
        catalog.text("consult.how", lang),
        catalog.text("consult.until", lang, when=closes),
    ]
    if consult.secret:
        lines.append(catalog.text("consult.secret_note", lang))
    return "\n".join(lines)


async def create(
    session: AsyncSession,
    form: Form,
    principal: Principal,
    settings: Settings,
    catalog: Catalog,
    *,
    name: str = "",
    now: datetime | None = None,
) -> Created:
    """Check the form against the person's role, write the consultation and its notice, and
    either queue it or hold it for a second official; commits."""
    now = now or utcnow()
    if not ann.may_announce(principal):
        raise Forbidden("error.forbidden")
    ward_id = await ann.ward_of(session, principal)
    if ward_id is None:
        raise Forbidden("error.forbidden")
    group_ids = await pick_groups(session, form, principal, ward_id)
    if not group_ids:
        raise Invalid("announce.no_groups")
    opens, closes = window(form, now, settings.tz)
    draft = Draft(
        ward_id=ward_id,
        author=principal.telegram_id,
        kind=NoticeKind.NOTICE,
        text=form.question,
        audience=Audience(AudienceKind.GROUPS, group_ids, every_resident=True),
        send_at=opens.isoformat() if opens > now else None,
        expires_at=closes.isoformat(),
        remind=False,
    )
    ann.check_audience(principal, draft)  # a leader: their own groups only
    ann.validate(draft, settings, now)
    consult = Consultation(
        ward_id=ward_id,
        question=form.question,
        options=form.options,
        group_ids=group_ids,
        opens_at=opens,
        closes_at=closes,
        secret=form.secret,
        quorum_pct=form.quorum,
        created_by=principal.telegram_id,
    )
    notice = Notice(
        ward_id=ward_id,
        kind=KIND,
        text=notice_text(consult, settings, catalog),
        audience=draft.audience.as_dict(),
        created_by=principal.telegram_id,
        author_name=name[:160] or None,
        progress_chat_id=principal.telegram_id,
        scheduled_at=opens if opens > now else None,
        expires_at=closes,
        status=NoticeStatus.DRAFT,
        issuer=await ann.issuer_for(session, principal, draft),
    )
    session.add(notice)
    await session.flush()
    consult.notice_id = notice.id
    session.add(consult)
    await session.flush()
    await session.execute(
        insert(ConsultTally),
        [
            {"consultation_id": consult.id, "option": i, "count": 0}
            for i in range(len(form.options))
        ],
    )
    audit.record(
        session,
        "consult.created",
        actor_id=principal.telegram_id,
        target=f"consult:{consult.id}",
        groups=len(group_ids),
        secret=form.secret,
    )
    if await ann.needs_approval(session, draft):
        notice.status = NoticeStatus.PENDING_APPROVAL
        audit.record(
            session,
            "notice.submitted",
            actor_id=principal.telegram_id,
            target=f"notice:{notice.id}",
        )
        await session.commit()
        return Created(consult, notice, True, [])
    done = await ann.queue(session, notice, settings, principal.telegram_id, now)
    return Created(consult, done.notice, False, done.unbound)


def may_follow(consult: Consultation, principal: Principal | None) -> bool:
    """Its author (while still leading one of its groups) and the ward's officials (now) see
    turnout and send reminders: a leader whose role was revoked follows no more."""
    if principal is None:
        return False
    if ann.is_official(principal, consult.ward_id):
        return True
    return consult.created_by == principal.telegram_id and any(
        principal.has(Role.GROUP_LEADER, ward_id=consult.ward_id, group_id=g)
        for g in consult.group_ids
    )


async def of_notice(session: AsyncSession, notice_id: int) -> Consultation | None:
    return await session.scalar(select(Consultation).where(Consultation.notice_id == notice_id))
