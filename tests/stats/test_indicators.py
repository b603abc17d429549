"""`loa stats --json` on the sample ward equals the same figures computed here from raw rows,
by the README's definitions, row by row in Python (no SQL aggregates)."""

from __future__ import annotations

import asyncio
import json
import math
import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli.main import app
from bot.services.directory.seed import SAMPLE_WARD
from models import (
    Acknowledgement,
    Attendance,
    ChatMemberSample,
    Delivery,
    DeliveryOp,
    DeliveryStatus,
    Household,
    Lookup,
    Notice,
    Procedure,
    ProcedureScan,
    Resident,
    ResidentialGroup,
    SearchGap,
    TargetKind,
    Ticket,
    TicketRating,
)
from models.clock import ManualClock
from models.engagement import Checkin, CheckinAnswer, Consultation, ConsultVote
from models.engagement_reports import StreetReport
from tests.conftest import HCM
from tests.stats.world import FIRST, LAST, at, build


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _queued(n: Notice) -> datetime:
    """When the notice was queued: every notice these tests count was."""
    assert n.queued_at is not None
    return n.queued_at


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(moments: list[datetime]) -> list[int]:
    counts = [0] * 24
    for m in moments:
        counts[m.astimezone(HCM).hour] += 1
    return counts


def _best(counts: list[int]) -> int | None:
    return counts.index(max(counts)) if max(counts) else None


def _outcome(d: Delivery) -> str | None:
    if d.status is DeliveryStatus.SENT:
        return "sent"
    if d.status is DeliveryStatus.FAILED and (d.last_error or "").startswith("Forbidden"):
        return "blocked"
    if d.status is DeliveryStatus.SKIPPED and d.last_error == "blocked":
        return "blocked"
    return {DeliveryStatus.FAILED: "failed", DeliveryStatus.UNKNOWN: "unknown"}.get(d.status)


def _tally(rows: list[Delivery]) -> dict[str, int]:
    out = {"sent": 0, "failed": 0, "blocked": 0, "unknown": 0}
    for d in rows:
        if (kind := _outcome(d)) is not None:
            out[kind] += 1
    return out


async def _all(session: AsyncSession, model: Any) -> list[Any]:
    return list(await session.scalars(select(model)))


async def _expected(session: AsyncSession) -> dict[str, Any]:
    since, until = at(1, 0), at(24, 9)
    groups = list(await session.scalars(select(ResidentialGroup).order_by(
        ResidentialGroup.sort_key, ResidentialGroup.id)))  # fmt: skip
    households, residents = await _all(session, Household), await _all(session, Resident)
    notices = [n for n in await _all(session, Notice)
               if n.parent_id is None and n.queued_at is not None]  # fmt: skip
    deliveries, acks = await _all(session, Delivery), await _all(session, Acknowledgement)
    tickets, ratings = await _all(session, Ticket), await _all(session, TicketRating)
    samples, attend = await _all(session, ChatMemberSample), await _all(session, Attendance)
    scans, gaps = await _all(session, ProcedureScan), await _all(session, SearchGap)
    looked, catalog = await _all(session, Lookup), await _all(session, Procedure)
    ward_id = groups[0].ward_id
    group_of = {h.id: h.group_id for h in households}
    joined = {r.household_id for r in residents if r.consent_at and r.household_id}
    joined_before = {r.household_id for r in residents
                     if r.consent_at and r.consent_at < since and r.household_id}  # fmt: skip
    period = [n for n in notices if since <= n.queued_at < until]
    ids = {n.id: n for n in period}
    in_chat = {(d.notice_id, d.group_id) for d in deliveries if d.target is TargetKind.GROUP}
    sends = [d for d in deliveries if d.notice_id in ids and d.op is DeliveryOp.SEND]
    period_acks = [a for a in acks if a.notice_id in ids and a.at < until]
    period_attend = [a for a in attend if a.notice_id in ids and a.at < until]

    def wait(a: Acknowledgement) -> float:
        return (a.at - ids[a.notice_id].queued_at).total_seconds() / 60

    def days(last: datetime | None) -> int | None:
        return None if last is None else (LAST - last.astimezone(HCM).date()).days

    out_groups, expected_total, acked_total = [], 0, 0
    for g in groups:
        known = sum(1 for h in households if h.group_id == g.id)
        reg = sum(1 for hid in joined if group_of[hid] == g.id)
        before = sum(1 for hid in joined_before if group_of[hid] == g.id)
        posted = [n for n in period if (n.id, g.id) in in_chat]
        acked = len({(a.notice_id, a.household_id) for a in acks for n in posted
                     if a.notice_id == n.id and group_of[a.household_id] == g.id
                     and a.at - _queued(n) <= timedelta(hours=24)})  # fmt: skip
        expected_total += reg * len(posted)
        acked_total += acked
        last = max((n.queued_at for n in notices if (n.id, g.id) in in_chat), default=None)
        mine = [a for a in period_acks if group_of[a.household_id] == g.id]
        counts = [s.members for s in sorted(samples, key=lambda s: s.day)
                  if s.group_id == g.id and FIRST <= s.day <= LAST]  # fmt: skip
        hours = _hours([a.at for a in mine])
        out_groups.append({
            "name": g.name, "households_known": known, "households_registered": reg,
            "reach": _share(reg, known), "days_since_last_notice": days(last),
            "ack_rate": _share(acked, reg * len(posted)), "notices": len(posted),
            "registered_at_start": before, "reach_trend": _share(reg - before, known),
            "chat_members": counts[-1] if counts else None,
            "chat_members_change": counts[-1] - counts[0] if counts else None,
            "delivery": _tally([d for d in sends if d.group_id == g.id]),
            "ack_median_minutes": _median([wait(a) for a in mine]),
            "attendance": sum(1 for a in period_attend
                              if a.household_id and group_of[a.household_id] == g.id),
            "questions": sum(1 for t in tickets if t.group_id == g.id and not t.spam
                             and since <= t.created_at < until),
            "acks_by_hour": hours, "best_hour": _best(hours),
        })  # fmt: skip

    leads = [(n.event_at - n.queued_at) / timedelta(days=1) for n in period if n.event_at]
    to_95 = []
    for n in period:
        mine = [
            d for d in sends if d.notice_id == n.id and d.status is not DeliveryStatus.CANCELLED
        ]
        sent = sorted(d.sent_at for d in mine if d.status is DeliveryStatus.SENT
                      and d.sent_at and d.sent_at < until)  # fmt: skip
        needed = math.ceil(0.95 * len(mine))
        if needed and len(sent) >= needed:
            start = max(n.queued_at, n.scheduled_at or n.queued_at)
            to_95.append(max(0.0, (sent[needed - 1] - start).total_seconds() / 60))
    asked = [t for t in tickets if not t.spam and since <= t.created_at < until]
    answered = [t for t in asked if t.first_response_at and t.first_response_at < until]
    waits = sorted((t.first_response_at - t.created_at).total_seconds() / 60 for t in answered)
    measurable = [t for t in asked if t in answered or t.due_at <= until]
    asked_ids = {t.id for t in asked}
    rated = [r for r in ratings if r.ticket_id in asked_ids and r.rated_at < until]
    in_scans = [s for s in scans if since <= s.at < until]
    in_gaps = [g for g in gaps if since <= g.at < until]
    mine = [x for x in looked if x.ward_id == ward_id and since <= x.at < until]
    titles = {p.code: p.title_vi for p in catalog}

    def top(counter: Counter[str]) -> list[list[Any]]:
        return [[k, n] for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]

    sampled = [g for g in out_groups if g["chat_members"] is not None]
    known_all, reg_all = len(households), len(joined)
    ack_hours = _hours([a.at for a in period_acks])
    return {
        "ward": SAMPLE_WARD, "from": FIRST.isoformat(), "to": LAST.isoformat(),
        "households_known": known_all, "households_registered": reg_all,
        "reach": _share(reg_all, known_all), "notices": len(period),
        "days_since_last_notice": days(max(n.queued_at for n in notices)),
        "ack_rate": _share(acked_total, expected_total), "questions": len(asked),
        "first_response_median_minutes": _median(waits), "groups": out_groups,
        "registered_at_start": len(joined_before),
        "reach_trend": _share(reg_all - len(joined_before), known_all),
        "chat_members": sum(g["chat_members"] for g in sampled),
        "chat_members_change": sum(g["chat_members_change"] for g in sampled),
        "notices_by_kind": dict(sorted(Counter(n.kind for n in period).items())),
        "events": len(leads), "event_lead_median_days": _median(leads),
        "short_notice": sum(1 for d in leads if d < 3),
        "delivery": _tally(sends), "delivery_95_median_minutes": _median(to_95),
        "delivery_95_reached": len(to_95),
        "ack_median_minutes": _median([wait(a) for a in period_acks]),
        "attendance": len(period_attend),
        "first_response_p90_minutes": round(waits[math.ceil(0.9 * len(waits)) - 1], 1),
        "first_response_within_target": _share(
            sum(1 for t in measurable if t in answered and t.first_response_at <= t.due_at),
            len(measurable)),
        "ratings": {"good": sum(r.good for r in rated),
                    "not_good": sum(not r.good for r in rated)},
        "categories": dict(sorted(Counter(t.category.value for t in asked).items())),
        "lookups": {
            "count": len(mine),
            "by_source": dict(sorted(Counter(x.source for x in mine).items())),
            "ward_top_guides": [[c, titles.get(c, c), n] for c, n in
                                top(Counter(x.code for x in mine if x.code))],
            "scans": len(in_scans),
            "scans_by_place": dict(sorted(Counter(s.place or "" for s in in_scans).items())),
            "top_guides": top(Counter(s.code for s in in_scans)),
            "gaps": len(in_gaps), "top_gaps": top(Counter(g.normalized for g in in_gaps)),
        },
        "activity_by_hour": {
            "acks": ack_hours, "questions": _hours([t.created_at for t in asked]),
            "lookups": _hours([x.at for x in mine]),
        },
        "best_hour": _best(ack_hours),
        "engagement": await _engagement(session, since, until, households),
    }  # fmt: skip


async def _engagement(
    session: AsyncSession, since: datetime, until: datetime, households: list[Household]
) -> dict[str, Any]:
    """Turnout, time to account for every household, reports resolved: row by row."""
    votes, answers = await _all(session, ConsultVote), await _all(session, CheckinAnswer)
    size = Counter(h.group_id for h in households)
    consults = sorted((c for c in await _all(session, Consultation)
                       if since <= c.opens_at < until), key=lambda c: (c.opens_at, c.id))
    checkins = sorted((k for k in await _all(session, Checkin)
                       if since <= k.created_at < until), key=lambda k: (k.created_at, k.id))
    reports = [r for r in await _all(session, StreetReport) if since <= r.created_at < until]
    c_items = []
    for c in consults:
        n = sum(size[g] for g in c.group_ids)
        v = sum(1 for x in votes if x.consultation_id == c.id and x.at < until)
        c_items.append({"id": c.id, "households": n, "voted": v, "turnout": _share(v, n)})
    k_items = []
    for k in checkins:
        n = sum(size[g] for g in k.group_ids)
        mine = [a.at for a in answers if a.checkin_id == k.id and a.at < until]
        wait = (max(mine) - k.created_at).total_seconds() / 60 if mine else 0
        full = round(wait, 1) if len(mine) == n else None
        k_items.append({"id": k.id, "households": n, "answered": len(mine),
                        "minutes_to_all": full})  # fmt: skip
    waits = [(r.resolved_at - r.created_at).total_seconds() / 60 for r in reports
             if r.resolved_at is not None and r.resolved_at < until]
    return {
        "consultations": {"count": len(c_items), "items": c_items},
        "checkins": {"count": len(k_items), "items": k_items},
        "street_reports": {"count": len(reports), "resolved": len(waits),
                           "resolved_median_minutes": _median(waits)},
    }  # fmt: skip


async def test_stats_json_equals_figures_from_the_raw_rows(
    session: AsyncSession, db_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await build(session, clock)
    expected = await _expected(session)
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)
    args = ["stats", "--json", "--from", FIRST.isoformat(), "--to", LAST.isoformat()]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert set(got) >= {"ward", "from", "to", "households_known", "households_registered",
                        "reach", "notices", "days_since_last_notice", "ack_rate", "questions",
                        "first_response_median_minutes", "groups"}  # fmt: skip
    for key in expected:  # one key at a time: a failure names the figure
        assert got[key] == expected[key], key
    assert got == expected
    # the figures mean something: each is neither empty nor trivial on this world
    assert 0 < got["reach"] < 1 and 0 < got["ack_rate"] < 1 and got["notices"] == 4
    assert any(g["days_since_last_notice"] is None for g in got["groups"])
    assert 0 < got["registered_at_start"] < got["households_registered"]
    assert got["events"] == 2 and got["short_notice"] == 1 and got["attendance"] > 0
    assert all(got["delivery"][k] > 0 for k in ("sent", "failed", "blocked", "unknown"))
    assert got["chat_members"] == 35 + 37 + 39 and got["chat_members_change"] == 5 + 6 + 7
    assert got["ratings"]["good"] and got["ratings"]["not_good"]
    assert 0 < got["first_response_within_target"] < 1
    assert got["lookups"]["scans"] == 11 and got["best_hour"] is not None
    assert 0 < got["lookups"]["count"] < len(await _all(session, Lookup))
    assert len(got["lookups"]["by_source"]) == 5
    e = got["engagement"]
    assert e["consultations"]["count"] == 2 and e["checkins"]["count"] == 2
    assert 0 < e["consultations"]["items"][0]["turnout"] < 1
    assert e["consultations"]["items"][1]["turnout"] == 0
    assert e["checkins"]["items"][0]["minutes_to_all"] is not None
    assert e["checkins"]["items"][1]["minutes_to_all"] is None
    assert e["street_reports"] == {"count": 5, "resolved": 3, "resolved_median_minutes": 90.0}
    assert ["2.000986", "Đăng ký kết hôn"] in [t[:2] for t in got["lookups"]["ward_top_guides"]]

    table = await asyncio.to_thread(CliRunner().invoke, app, args[:1] + args[2:])
    assert table.exit_code == 0 and "Hộ đã đăng ký Loa" in table.stdout


async def test_stats_refuses_bad_dates_in_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)
    for args, needle in ((["--from", "1/11/2026"], "NĂM-THÁNG-NGÀY"),
                         (["--from", "2026-11-10", "--to", "2026-11-01"], "--from")):  # fmt: skip
        result = await asyncio.to_thread(CliRunner().invoke, app, ["stats", *args])
        assert result.exit_code == 2 and needle in result.output
        assert "Traceback" not in result.output
