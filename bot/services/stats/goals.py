"""The ward's targets as the dashboard and /stats read them, and how a figure compares.

`ward_goals` is the one place the dashboard, /stats and the report read targets: the ward's own
(bot.services.stats.targets, set by `loa targets` or /targets), defaults where none was set.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.targets import get_targets


class Level(enum.StrEnum):
    GOOD = "good"  # meets the target (green)
    WATCH = "watch"  # close to it (amber)
    BAD = "bad"  # well off (red)
    UNKNOWN = "unknown"  # no data yet (grey)


@dataclass(frozen=True)
class Goals:
    reach: float = 0.9  # households registered / known
    max_silent_days: int = 10  # days without a notice; inspections fail an account at 14
    ack_rate: float = 0.7  # households acknowledging within 24 hours
    first_response_share: float = 0.9  # questions first answered within the working-time target
    # How far under a rate target still counts as amber, and how many days over the limit.
    rate_margin: float = 0.1
    silent_margin_days: int = 4

    def rate_level(self, value: float | None, target: float) -> Level:
        if value is None:
            return Level.UNKNOWN
        if value >= target:
            return Level.GOOD
        return Level.WATCH if value >= target - self.rate_margin else Level.BAD

    def silence_level(self, days: int | None) -> Level:
        if days is None:
            return Level.UNKNOWN
        if days <= self.max_silent_days:
            return Level.GOOD
        return Level.WATCH if days <= self.max_silent_days + self.silent_margin_days else Level.BAD


async def ward_goals(session: AsyncSession, ward_id: int) -> Goals:
    """The targets of one ward: what its administrators set, the defaults elsewhere."""
    t = await get_targets(session, ward_id)
    return Goals(
        reach=t.reach,
        max_silent_days=int(t.max_silent_days),
        ack_rate=t.ack_rate,
        first_response_share=t.first_response,
    )
