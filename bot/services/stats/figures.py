"""What `ward_stats` returns: one WardStats with a GroupStats per residential group.

The first fields of each are the keys `loa stats --json` has always had (others read them:
keep them stable); the rest came with targets, the digest and the dashboard.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


def _counts() -> dict[str, int]:
    return {"sent": 0, "failed": 0, "blocked": 0, "unknown": 0}


@dataclass
class GroupStats:
    name: str
    households_known: int
    households_registered: int
    reach: float | None
    days_since_last_notice: int | None
    ack_rate: float | None
    notices: int = 0
    registered_at_start: int = 0
    reach_trend: float | None = None
    chat_members: int | None = None
    chat_members_change: int | None = None
    delivery: dict[str, int] = field(default_factory=_counts)
    ack_median_minutes: float | None = None
    attendance: int = 0
    questions: int = 0
    acks_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    best_hour: int | None = None


@dataclass
class WardStats:
    ward: str
    start: date
    end: date
    households_known: int
    households_registered: int
    reach: float | None
    notices: int
    days_since_last_notice: int | None
    ack_rate: float | None
    questions: int
    first_response_median_minutes: float | None
    groups: list[GroupStats] = field(default_factory=list)
    registered_at_start: int = 0
    reach_trend: float | None = None
    chat_members: int | None = None
    chat_members_change: int | None = None
    notices_by_kind: dict[str, int] = field(default_factory=dict)
    events: int = 0
    event_lead_median_days: float | None = None
    short_notice: int = 0
    delivery: dict[str, int] = field(default_factory=_counts)
    delivery_95_median_minutes: float | None = None
    delivery_95_reached: int = 0
    ack_median_minutes: float | None = None
    attendance: int = 0
    first_response_p90_minutes: float | None = None
    first_response_within_target: float | None = None
    ratings: dict[str, int] = field(default_factory=lambda: {"good": 0, "not_good": 0})
    categories: dict[str, int] = field(default_factory=dict)
    lookups: dict[str, Any] = field(default_factory=dict)
    activity_by_hour: dict[str, list[int]] = field(default_factory=dict)
    best_hour: int | None = None
    engagement: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"], data["to"] = data.pop("start").isoformat(), data.pop("end").isoformat()
        return data
