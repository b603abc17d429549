"""One vote per household: cast, replaced until closing, entered on paper by the leader.

A vote is one row per (consultation, household), written with INSERT … ON CONFLICT DO NOTHING;
a replacement is a compare-and-swap on the row's `mark` (… WHERE mark = <the one we read>), and
the per-option counts move in the same transaction, always in option order (no deadlock). Two
presses at once from one household: one wins each round, the other retries on the new row.
In a secret ballot the row keeps no option (see models.engagement) and the audit entry says
that a vote changed, never to what.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.engagement.consultations import get
from bot.services.notices.announcements import is_official
from models import (
    Consultation,
    ConsultTally,
    ConsultVote,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    Role,
    rowcount,
    utcnow,
)

ATTEMPTS = 8
LIVE = (NoticeStatus.QUEUED, NoticeStatus.DONE)


@dataclass(frozen=True)
class Voted:
    address: str
    option: str
    outcome: str  # new | changed | same


@dataclass(frozen=True)
class Ballot:
    """What casting needs of a consultation, as plain values (a rollback expires rows)."""

    id: int
    secret: bool
    options: int

    @classmethod
    def of(cls, consult: Consultation) -> Ballot:
        return cls(consult.id, consult.secret, len(consult.options))


def seal(key: bytes, ballot: Ballot, household_id: int, option: int) -> str:
    """The row's mark: the option itself in an open ballot, a keyed hash in a secret one."""
    if not ballot.secret:
        return f"o{option}"
    msg = f"{ballot.id}:{household_id}:{option}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def unseal(key: bytes, ballot: Ballot, household_id: int, mark: str) -> int | None:
    for option in range(ballot.options):
        if hmac.compare_digest(seal(key, ballot, household_id, option), mark):
            return option
    return None


async def check_open(
    session: AsyncSession, consult: Consultation, option: int, now: datetime
) -> None:
    """Voting is open now (approved, started, not closed) and the option exists."""
    if consult.closed_at is not None or now >= consult.closes_at:
        raise Invalid("consult.closed", id=consult.id)
    status = await session.scalar(select(Notice.status).where(Notice.id == consult.notice_id))
    if status not in LIVE or now < consult.opens_at:
        raise Invalid("consult.not_open", id=consult.id)
    if not 0 <= option < len(consult.options):
        raise Invalid("consult.bad_option")


async def vote(
    session: AsyncSession,
    consult_id: int,
    option: int,
    telegram_id: int,
    key: bytes,
    now: datetime | None = None,
) -> Voted:
    """A registered resident votes for their household; commits."""
    now = now or utcnow()
    consult = await get(session, consult_id)
    await check_open(session, consult, option, now)
    row = (
        await session.execute(
            select(Household.id, Household.group_id, Household.house_number, Household.street)
            .join(Resident, Resident.household_id == Household.id)
            .where(Resident.telegram_id == telegram_id, Resident.consent_at.is_not(None))
        )
    ).first()
    if row is None:
        raise Forbidden("consult.not_resident")
    if row.group_id not in consult.group_ids:
        raise Forbidden("consult.other_group")
    label, ballot = consult.options[option], Ballot.of(consult)
    outcome = await cast(session, ballot, row.id, option, telegram_id, key, paper=False)
    return Voted(f"{row.house_number} {row.street}".strip(), label, outcome)


async def paper(
    session: AsyncSession,
    consult_id: int,
    option: int,
    household_ref: str,
    principal: Principal,
    key: bytes,
    now: datetime | None = None,
) -> Voted:
    """A leader enters a household's paper ballot (its address or ward code); commits."""
    now = now or utcnow()
    consult = await get(session, consult_id)
    await check_open(session, consult, option, now)
    ref = " ".join(household_ref.split()).casefold()
    households = await session.scalars(
        select(Household).where(Household.group_id.in_(consult.group_ids))
    )
    found = [h for h in households if ref in (h.address.casefold(), (h.code or "").casefold())]
    if not ref or not found:
        raise NotFound("consult.no_household", ref=household_ref[:60])
    if not is_official(principal, consult.ward_id):  # a leader: households of their groups
        found = [h for h in found if principal.has(
            Role.GROUP_LEADER, ward_id=consult.ward_id, group_id=h.group_id)]  # fmt: skip
        if not found:
            raise Forbidden("consult.paper_forbidden")
    if len(found) > 1:  # the same address in two groups: the ward code tells them apart
        raise Invalid("consult.ambiguous_household", ref=household_ref[:60])
    household = found[0]
    label, address = consult.options[option], household.address
    outcome = await cast(
        session, Ballot.of(consult), household.id, option, principal.telegram_id, key, paper=True
    )
    return Voted(address, label, outcome)


def _insert(session: AsyncSession) -> type:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert  # type: ignore[return-value]  # both dialects' insert() have on_conflict_do_nothing


async def cast(
    session: AsyncSession,
    ballot: Ballot,
    household_id: int,
    option: int,
    voter: int,
    key: bytes,
    *,
    paper: bool,
) -> str:
    """Write the household's vote and move the counts; "new", "changed" or "same"."""
    mark = seal(key, ballot, household_id, option)
    values = {
        "mark": mark,
        "option": None if ballot.secret else option,
        "voter_id": voter,
        "paper": paper,
        "at": utcnow(),
    }
    cid, secret = ballot.id, ballot.secret
    where = (ConsultVote.consultation_id == cid, ConsultVote.household_id == household_id)
    for _attempt in range(ATTEMPTS):
        try:
            stmt = (
                _insert(session)(ConsultVote)
                .values(consultation_id=cid, household_id=household_id, **values)
                .on_conflict_do_nothing(index_elements=["consultation_id", "household_id"])
            )
            if rowcount(await session.execute(stmt)) == 1:
                await _move(session, cid, None, option)
                outcome = "new"
            else:
                old_mark = await session.scalar(select(ConsultVote.mark).where(*where))
                if old_mark == mark:
                    await session.rollback()
                    return "same"
                old = unseal(key, ballot, household_id, old_mark or "")
                done = await session.execute(
                    update(ConsultVote)
                    .where(*where, ConsultVote.mark == old_mark)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if rowcount(done) != 1:  # changed under us: read it again
                    await session.rollback()
                    continue
                await _move(session, cid, old, option)
                outcome = "changed"
            details: dict[str, Any] = {} if secret else {"option": option}
            audit.record(
                session,
                f"consult.vote_{outcome}",
                actor_id=voter,
                target=f"consult:{cid}",
                household=household_id,
                paper=paper,
                **details,
            )
            await session.commit()
            return outcome
        except DBAPIError as exc:  # a deadlock or serialization failure: try again
            await session.rollback()
            if "deadlock" not in str(exc).lower() and "serializ" not in str(exc).lower():
                raise
    raise Invalid("consult.busy")


async def _move(session: AsyncSession, cid: int, old: int | None, new: int) -> None:
    deltas = {new: 1} if old is None else {old: -1, new: 1}
    for option in sorted(deltas):  # one order for every transaction
        await session.execute(
            update(ConsultTally)
            .where(ConsultTally.consultation_id == cid, ConsultTally.option == option)
            .values(count=ConsultTally.count + deltas[option])
            .execution_options(synchronize_session=False)
        )
