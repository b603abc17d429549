"""Residents: consent, joining a household, language, seeing and deleting their data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.services.common import audit
from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.retention import Periods
from bot.services.directory.units import fold
from models import (
    Acknowledgement,
    AuditEntry,
    Household,
    Resident,
    ResidentialGroup,
    RoleGrant,
    Ticket,
    utcnow,
)

LANGUAGES = ("vi", "en")
MAX_ADDRESS = 160


# Built once: this runs for every update, and building a statement (and its cache key) cost
# more than running it.
_RESIDENT = (
    select(Resident)
    .where(Resident.telegram_id == bindparam("telegram_id"))
    .options(
        joinedload(Resident.household)
        .joinedload(Household.group)
        .joinedload(ResidentialGroup.ward)  # its unit words, for every message
    )
)


async def get_resident(session: AsyncSession, telegram_id: int) -> Resident | None:
    # One round trip (joined), not three: this runs for every update a resident sends.
    return await session.scalar(_RESIDENT, {"telegram_id": telegram_id})


async def give_consent(
    session: AsyncSession, telegram_id: int, display_name: str, language: str
) -> Resident:
    """Record explicit consent (the press of the consent button); commits."""
    resident = await get_resident(session, telegram_id)
    if resident is None:
        resident = Resident(
            telegram_id=telegram_id,
            display_name=display_name[:160],
            language=language if language in LANGUAGES else "vi",
        )
        session.add(resident)
    resident.consent_at = utcnow()
    audit.record(session, "resident.consent", actor_id=telegram_id)
    await session.commit()
    return resident


def _split_address(text: str) -> tuple[str, str]:
    """ "Số 12 ngõ 3 Trần Phú" → ("12", "ngõ 3 Trần Phú"); the first number is the house number."""
    words = text.split()
    if words and fold(words[0]) in ("so", "nha", "no", "no."):
        words = words[1:]
    if not words:
        raise Invalid("join.address_invalid")
    first = words[0].rstrip(",")
    if any(ch.isdigit() for ch in first) and len(words) > 1:
        return first, " ".join(words[1:]).lstrip(", ")
    raise Invalid("join.address_invalid")


async def join_household(
    session: AsyncSession,
    telegram_id: int,
    group_id: int,
    *,
    household_id: int | None = None,
    address: str | None = None,
) -> Household:
    """Attach a consenting resident to a household: an existing one, or by typed address."""
    resident = await get_resident(session, telegram_id)
    if resident is None or resident.consent_at is None:
        raise Invalid("join.consent_required")
    group = await session.get(ResidentialGroup, group_id)
    if group is None:
        raise NotFound("directory.group_not_found", group=str(group_id))
    if household_id is not None:
        household = await session.get(Household, household_id)
        # Picked by id: only the ward's own list (an address someone typed is theirs alone;
        # the same address typed again still finds it, below).
        if household is None or household.group_id != group_id or not household.listed:
            raise NotFound("join.household_not_found")
    else:
        text = " ".join((address or "").split())
        if not text or len(text) > MAX_ADDRESS:
            raise Invalid("join.address_invalid")
        number, street = _split_address(text)
        household = await _find_household(session, group_id, number, street)
        if household is None:
            household = Household(
                ward_id=group.ward_id,
                group_id=group_id,
                house_number=number,
                street=street,
                listed=False,
            )
            session.add(household)
            await session.flush()
            audit.record(
                session, "household.self_registered", actor_id=telegram_id, target=str(group_id)
            )
    moved = resident.household_id is not None and resident.household_id != household.id
    resident.household_id = household.id
    audit.record(
        session,
        "resident.moved" if moved else "resident.joined",
        actor_id=telegram_id,
        target=f"household:{household.id}",
    )
    await session.commit()
    await session.refresh(household, attribute_names=["group"])  # callers show the group name
    return household


async def _find_household(
    session: AsyncSession, group_id: int, number: str, street: str
) -> Household | None:
    rows = await session.scalars(
        select(Household).where(
            Household.group_id == group_id,
            func.lower(Household.house_number) == number.lower(),
        )
    )
    wanted = fold(street)
    return next((h for h in rows if fold(h.street) == wanted), None)


async def set_language(session: AsyncSession, telegram_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise Invalid("language.unknown")
    resident = await get_resident(session, telegram_id)
    if resident is not None:
        resident.language = language
        await session.commit()


async def set_private_notices(session: AsyncSession, telegram_id: int, enabled: bool) -> None:
    resident = await get_resident(session, telegram_id)
    if resident is None:
        raise NotFound("resident.not_registered")
    resident.private_notices = enabled
    await session.commit()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def my_data(
    session: AsyncSession, telegram_id: int, periods: Periods | None = None
) -> dict[str, Any]:
    """Everything Loa stores about this person, and until when (Law 91/2025/QH15 and Decree
    356/2025/NĐ-CP: the right to see one's data)."""
    resident = await get_resident(session, telegram_id)
    grants = list(
        await session.scalars(
            select(RoleGrant)
            .where(RoleGrant.telegram_id == telegram_id)
            .options(selectinload(RoleGrant.ward), selectinload(RoleGrant.group))
        )
    )
    actions = list(
        await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == telegram_id).order_by(AuditEntry.at)
        )
    )
    data: dict[str, Any] = {
        "telegram_id": telegram_id,
        "resident": None,
        "roles": [],
        "activity": [],
    }
    if resident is not None:
        h = resident.household
        data["resident"] = {
            "display_name": resident.display_name,
            "language": resident.language,
            "consent_at": _iso(resident.consent_at),
            "registered_at": _iso(resident.created_at),
            "private_notices": resident.private_notices,
            "household": None
            if h is None
            else {
                "address": h.address,
                "household_code": h.code,
                "group": h.group.name,
            },
        }
    data["roles"] = [
        {
            "role": g.role.value,
            "ward": g.ward.name,
            "group": g.group.name if g.group else None,
            "granted_at": _iso(g.granted_at),
        }
        for g in grants
    ]
    data["activity"] = [{"at": _iso(a.at), "action": a.action} for a in actions]
    questions = await session.scalars(
        select(Ticket).where(Ticket.resident_tg_id == telegram_id).order_by(Ticket.id)
    )
    data["questions"] = [
        {
            "number": t.id,
            "asked_at": _iso(t.created_at),
            "status": t.status.value,
            "text": t.summary,
            "kept_until": _iso(periods.question_until(t.created_at)) if periods else None,
        }
        for t in questions
    ]
    data["acknowledgements"] = [
        {"notice": a.notice_id, "at": _iso(a.at)}
        for a in await session.scalars(
            select(Acknowledgement).where(Acknowledgement.telegram_id == telegram_id)
        )
    ]
    return data
