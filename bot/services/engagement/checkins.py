"""Safety check-ins: "is your household safe?", one answer per household, needs taken and closed.

A check-in rides on a Notice (kind "checkin", urgency emergency, to the groups' chats and every
registered resident in private) and is queued at once: in an emergency no second official is
waited for. Only the ward's officials start one. A household's answer is one row
(`checkin_answers`, unique per check-in and household), written with INSERT … ON CONFLICT DO
NOTHING and then replaced by an UPDATE, so many presses at once still leave one row a household.
Taking a need is a conditional UPDATE (… WHERE taken_by IS NULL): of two takers, one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.notices import announcements as ann
from bot.services.notices.drafts import Audience, AudienceKind
from bot.texts import Catalog
from models import (
    Checkin,
    CheckinAnswer,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    Urgency,
    Ward,
    rowcount,
    utcnow,
)

KIND = "checkin"
STATUSES = ("an_toan", "can_ho_tro", "khong_co_nha")
NEEDS = ("y_te", "so_tan", "luong_thuc", "khac")
HELP = STATUSES[1]
WHOLE = {"cả phường", "cả xã", "toàn phường", "toàn xã", "ca phuong", "ca xa", "all"}


@dataclass(frozen=True)
class Answered:
    checkin_id: int
    address: str
    status: str
    outcome: str  # new | changed | same


async def get(session: AsyncSession, checkin_id: int) -> Checkin:
    checkin = await session.get(Checkin, checkin_id, populate_existing=True)
    if checkin is None:
        raise NotFound("checkin.not_found", id=checkin_id)
    return checkin


def official(principal: Principal | None, ward_id: int) -> bool:
    return principal is not None and (principal.superadmin or ann.is_official(principal, ward_id))


async def pick_groups(session: AsyncSession, ward_id: int, names: str) -> list[int]:
    """The groups named ("Tổ 3, Tổ 5" or "3, 5"); none, or "cả phường", means the whole ward."""
    groups = await ann.ward_groups(session, ward_id)
    wanted = [n.strip() for n in names.replace(";", ",").split(",") if n.strip()]
    if not wanted or any(n.casefold() in WHOLE for n in wanted):
        return [g.id for g in groups]
    out = []
    for name in wanted:
        key = name.casefold()
        hit = [g for g in groups if key in (g.name.casefold(), g.name.casefold().split()[-1])]
        if not hit:
            raise Invalid("checkin.unknown_group", name=name[:40])
        out.append(hit[0].id)
    return sorted(set(out))


async def create(
    session: AsyncSession,
    principal: Principal,
    title: str,
    group_names: str,
    settings: Settings,
    catalog: Catalog,
    *,
    now: datetime | None = None,
) -> tuple[Checkin, list[str]]:
    """An official asks the households of some groups (or the whole ward); queued at once,
    as an emergency; commits. Returns the check-in and the groups without a bound chat."""
    now = now or utcnow()
    ward_id = await ann.ward_of(session, principal)
    if ward_id is None or not official(principal, ward_id):
        raise Forbidden("checkin.officials_only")
    group_ids = await pick_groups(session, ward_id, group_names)
    if not group_ids:
        raise Invalid("announce.no_groups")
    lang = settings.language
    title = " ".join(title.split())[:300] or catalog.text("checkin.default_title", lang)
    text = "\n".join([title, "", catalog.text("checkin.question", lang)])
    ann.check_text(text)
    labels = [
        catalog.text("checkin.status_an_toan", lang),
        catalog.text("checkin.status_can_ho_tro", lang),
        catalog.text("checkin.status_khong_co_nha", lang),
    ]  # in STATUSES order
    audience = Audience(AudienceKind.GROUPS, group_ids, every_resident=True)
    notice = Notice(
        ward_id=ward_id,
        kind=KIND,
        text=text,
        audience=audience.as_dict(),
        urgency=Urgency.EMERGENCY,
        created_by=principal.telegram_id,
        progress_chat_id=principal.telegram_id,
        status=NoticeStatus.DRAFT,
        issuer=(await session.get_one(Ward, ward_id)).council,
    )
    session.add(notice)
    await session.flush()
    checkin = Checkin(
        ward_id=ward_id,
        notice_id=notice.id,
        title=title,
        labels=labels,
        group_ids=group_ids,
        created_by=principal.telegram_id,
        created_at=now,
    )
    session.add(checkin)
    await session.flush()
    audit.record(
        session,
        "checkin.created",
        actor_id=principal.telegram_id,
        target=f"checkin:{checkin.id}",
        groups=len(group_ids),
    )
    done = await ann.queue(session, notice, settings, principal.telegram_id, now)
    return checkin, done.unbound


def _insert(session: AsyncSession) -> type:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert  # type: ignore[return-value]  # both dialects' insert() have on_conflict_do_nothing


async def _household_of(session: AsyncSession, telegram_id: int) -> Household:
    house = await session.scalar(
        select(Household)
        .join(Resident, Resident.household_id == Household.id)
        .where(Resident.telegram_id == telegram_id, Resident.consent_at.is_not(None))
    )
    if house is None:
        raise Forbidden("checkin.not_resident")
    return house


def _check_open(checkin: Checkin) -> None:
    if checkin.closed_at is not None:
        raise Invalid("checkin.closed", id=checkin.id)


async def write(
    session: AsyncSession,
    checkin_id: int,
    household_id: int,
    status: str,
    actor: int,
    *,
    by_phone: bool,
) -> str:
    """The household's answer: one row, a second answer replaces the first; commits."""
    now = utcnow()
    values = {"status": status, "by_phone": by_phone, "answered_by": actor, "at": now}
    stmt = (
        _insert(session)(CheckinAnswer)
        .values(checkin_id=checkin_id, household_id=household_id, **values)
        .on_conflict_do_nothing(index_elements=["checkin_id", "household_id"])
    )
    if rowcount(await session.execute(stmt)) == 1:
        outcome = "new"
    else:
        where = (
            CheckinAnswer.checkin_id == checkin_id,
            CheckinAnswer.household_id == household_id,
        )
        old = await session.scalar(select(CheckinAnswer.status).where(*where))
        outcome = "same" if old == status else "changed"
        if status != HELP:  # a need no longer stands once the household is safe or away
            values |= {"need": None, "place": None, "taken_by": None, "taken_at": None}
        await session.execute(
            update(CheckinAnswer)
            .where(*where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    audit.record(
        session,
        f"checkin.answer_{outcome}",
        actor_id=actor,
        target=f"checkin:{checkin_id}",
        household=household_id,
        status=status,
        by_phone=by_phone,
    )
    await session.commit()
    return outcome


async def answer(session: AsyncSession, checkin_id: int, index: int, telegram_id: int) -> Answered:
    """A registered resident answers for their household (a press on one of the buttons)."""
    checkin = await get(session, checkin_id)
    _check_open(checkin)
    if not 0 <= index < len(STATUSES):
        raise Invalid("checkin.bad_button")
    house = await _household_of(session, telegram_id)
    if house.group_id not in checkin.group_ids:
        raise Forbidden("checkin.other_group")
    address, status = house.address, STATUSES[index]
    outcome = await write(session, checkin_id, house.id, status, telegram_id, by_phone=False)
    return Answered(checkin_id, address, status, outcome)


async def _own_help_row(session: AsyncSession, checkin_id: int, telegram_id: int) -> int:
    checkin = await get(session, checkin_id)
    _check_open(checkin)
    house = await _household_of(session, telegram_id)
    row = await session.scalar(
        select(CheckinAnswer.id).where(
            CheckinAnswer.checkin_id == checkin_id,
            CheckinAnswer.household_id == house.id,
            CheckinAnswer.status == HELP,
        )
    )
    if row is None:
        raise Invalid("checkin.no_help_answer")
    return row


async def set_need(session: AsyncSession, checkin_id: int, index: int, telegram_id: int) -> str:
    """What kind of help the household needs; commits."""
    if not 0 <= index < len(NEEDS):
        raise Invalid("checkin.bad_button")
    row = await _own_help_row(session, checkin_id, telegram_id)
    await session.execute(update(CheckinAnswer).where(CheckinAnswer.id == row).values(
        need=NEEDS[index]))  # fmt: skip
    await session.commit()
    return NEEDS[index]


async def set_place(session: AsyncSession, checkin_id: int, telegram_id: int, place: str) -> None:
    """Where the household is: a typed address or a Telegram location ("lat,lon"); commits."""
    place = " ".join(place.split())[:300]
    if not place:
        raise Invalid("checkin.place_empty")
    row = await _own_help_row(session, checkin_id, telegram_id)
    await session.execute(update(CheckinAnswer).where(CheckinAnswer.id == row).values(
        place=place))  # fmt: skip
    await session.commit()


async def visible_groups(
    session: AsyncSession, checkin: Checkin, principal: Principal | None
) -> list[int]:
    """Officials see every group of the check-in; a leader their own; anyone else nothing."""
    if official(principal, checkin.ward_id):
        return list(checkin.group_ids)
    own = set(ann.leader_groups(principal, checkin.ward_id)) if principal else set()
    mine = [g for g in checkin.group_ids if g in own]
    if not mine:
        raise Forbidden("checkin.not_yours")
    return mine


async def mark(
    session: AsyncSession, checkin_id: int, ref: str, status: str, principal: Principal
) -> tuple[str, str]:
    """A leader (or an official) enters a household's answer taken by phone; commits."""
    checkin = await get(session, checkin_id)
    _check_open(checkin)
    if status not in STATUSES:
        raise Invalid("checkin.bad_status")
    groups = await visible_groups(session, checkin, principal)
    key = " ".join(ref.split()).casefold()
    houses = await session.scalars(
        select(Household).where(Household.group_id.in_(checkin.group_ids))
    )
    found = [h for h in houses if key and key in (h.address.casefold(), (h.code or "").casefold())]
    if not found:
        raise NotFound("checkin.no_household", ref=ref[:60])
    found = [h for h in found if h.group_id in groups]
    if not found:
        raise Forbidden("checkin.mark_forbidden")
    if len(found) > 1:
        raise Invalid("checkin.ambiguous_household", ref=ref[:60])
    house = found[0]
    address = house.address
    await write(session, checkin_id, house.id, status, principal.telegram_id, by_phone=True)
    return address, status
