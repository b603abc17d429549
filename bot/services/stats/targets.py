"""Each ward's targets, as data its administrators edit; a key never set takes its default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid
from bot.services.directory.roles import Principal
from models import Role, WardTarget, utcnow


@dataclass(frozen=True)
class Spec:
    default: float
    low: float
    high: float
    integer: bool = False


# Shares are fractions (0.9 = 90%); people may also type "90" or "90%".
SPECS: dict[str, Spec] = {
    "reach": Spec(0.9, 0.0, 1.0),  # registered / known households
    "max_silent_days": Spec(10, 1, 365, integer=True),  # days without a notice in a group
    "ack_rate": Spec(0.7, 0.0, 1.0),  # acknowledged within 24 h
    "first_response": Spec(0.9, 0.0, 1.0),  # questions answered within the working-hours target
}
DEFAULTS = {key: spec.default for key, spec in SPECS.items()}


@dataclass(frozen=True)
class Targets:
    reach: float
    max_silent_days: int
    ack_rate: float
    first_response: float

    def as_dict(self) -> dict[str, float]:
        return {key: getattr(self, key) for key in SPECS}


def _targets(values: dict[str, float]) -> Targets:
    merged = {**DEFAULTS, **values}
    return Targets(
        reach=merged["reach"],
        max_silent_days=int(merged["max_silent_days"]),
        ack_rate=merged["ack_rate"],
        first_response=merged["first_response"],
    )


async def get_targets(session: AsyncSession, ward_id: int) -> Targets:
    """The ward's targets, defaults where none was set."""
    rows = await session.execute(
        select(WardTarget.key, WardTarget.value).where(WardTarget.ward_id == ward_id)
    )
    return _targets({key: value for key, value in rows if key in SPECS})


def parse(assignment: str) -> tuple[str, float]:
    """`key=value` → (key, value) checked against the key's range; shares accept "90%"."""
    key, sep, raw = assignment.partition("=")
    key, raw = key.strip(), raw.strip().rstrip("%").strip().replace(",", ".")
    if not sep or key not in SPECS:
        raise Invalid("targets.bad_key", key=key or assignment, keys=", ".join(SPECS))
    spec = SPECS[key]
    try:
        value = float(raw)
    except ValueError:
        raise Invalid("targets.bad_value", key=key, value=raw) from None
    if spec.high == 1.0 and 1.0 < value <= 100.0:  # "90" means 90%
        value = value / 100
    if (spec.integer and value != int(value)) or not spec.low <= value <= spec.high:
        raise Invalid("targets.bad_value", key=key, value=raw)
    return key, int(value) if spec.integer else value


async def set_targets(
    session: AsyncSession,
    ward_id: int,
    assignments: list[str],
    *,
    by: Principal | None = None,
) -> Targets:
    """Set some targets (by None = the CLI; otherwise an administrator of the ward). All or
    nothing: one bad assignment changes none. Audited; commits."""
    if by is not None and not by.has(Role.WARD_ADMIN, ward_id=ward_id):
        raise Forbidden("targets.not_admin")
    values = dict(parse(a) for a in assignments)
    existing = {
        t.key: t
        for t in await session.scalars(select(WardTarget).where(WardTarget.ward_id == ward_id))
    }
    actor = by.telegram_id if by is not None else None
    for key, value in values.items():
        row = existing.get(key)
        if row is None:
            session.add(WardTarget(ward_id=ward_id, key=key, value=value, updated_by=actor))
        else:
            row.value, row.updated_by, row.updated_at = value, actor, utcnow()
    details: dict[str, Any] = dict(values)  # the targets set, as the audit line's details
    audit.record(session, "targets.set", actor_id=actor, target=f"ward:{ward_id}", **details)
    await session.commit()
    return await get_targets(session, ward_id)


def shown(key: str, value: float) -> str:
    """A target as people read it: 90%, 10."""
    return str(int(value)) if SPECS[key].integer else f"{value * 100:g}%"
