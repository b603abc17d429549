"""`loa stats`: a ward's indicators for a period, as a table or JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated

import typer

from bot.cli.support import db_session, fail, run_async, settings_or_exit
from bot.services.stats import Period, WardStats, ward_stats
from bot.texts import Catalog

DEFAULT_DAYS = 30


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {Catalog().text('kpi.bad_date', value=value)}", 2)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value: object) -> str:
    return "—" if value is None else str(value)


def _more(s: WardStats, cat: Catalog) -> list[str]:
    """The figures beyond the first five: trend, delivery, events, answers, best hour."""
    trend = "—" if s.reach_trend is None else f"{s.reach_trend * 100:+.0f}%"
    d = s.delivery
    return [
        cat.text("kpi.trend", trend=trend, members=_num(s.chat_members),
                 change=_num(s.chat_members_change)),
        cat.text("kpi.delivery", sent=d["sent"], failed=d["failed"] + d["unknown"],
                 blocked=d["blocked"], minutes=_num(s.delivery_95_median_minutes)),
        cat.text("kpi.events", events=s.events, lead=_num(s.event_lead_median_days),
                 short=s.short_notice, attendance=s.attendance),
        cat.text("kpi.answers", p90=_num(s.first_response_p90_minutes),
                 within=_pct(s.first_response_within_target), good=s.ratings["good"],
                 bad=s.ratings["not_good"]),
        cat.text("kpi.best_hour", hour="—" if s.best_hour is None else f"{s.best_hour}:00"),
    ]  # fmt: skip


def render(s: WardStats, cat: Catalog) -> str:
    """The indicators as a short table people can read in a terminal."""
    lines = [
        cat.text("kpi.title", ward=s.ward, start=f"{s.start:%d/%m/%Y}", end=f"{s.end:%d/%m/%Y}"),
        cat.text(
            "kpi.reach", registered=s.households_registered, known=s.households_known,
            reach=_pct(s.reach),
        ),
        cat.text("kpi.notices", notices=s.notices, days=_num(s.days_since_last_notice)),
        cat.text("kpi.acks", rate=_pct(s.ack_rate)),
        cat.text(
            "kpi.questions", questions=s.questions,
            median=_num(s.first_response_median_minutes),
        ),
        *_more(s, cat),
        "",
        cat.text("kpi.group_header", **cat.words()),
    ]  # fmt: skip
    for g in s.groups:
        lines.append(
            f"{g.name:<14} {g.households_registered:>4}/{g.households_known:<4} "
            f"{_pct(g.reach):>5} {_num(g.days_since_last_notice):>5} {_pct(g.ack_rate):>6}"
        )
    return "\n".join(lines)


def stats(
    ward: Annotated[str | None, typer.Option(help="Ward name (default: the only ward)")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 30 days ago)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """A ward's indicators: reach, regularity, acknowledgements, questions (per group too)."""
    settings = settings_or_exit()
    from bot.services.directory.units import get_ward
    from models import utcnow

    now = utcnow()
    last = _day(end, "--to") or now.astimezone(settings.tz).date()
    first = _day(start, "--from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        fail(Catalog().text("kpi.bad_period"), 2)

    async def go() -> tuple[WardStats, tuple[str, str]]:
        async with db_session(settings) as session:
            w = await get_ward(session, ward)
            stats = await ward_stats(session, w, Period(first, last, settings.tz), now)
            return stats, (w.kind_label, w.group_label)

    result, units = run_async(go)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(result, Catalog(settings.language, units)))


def targets(
    ward: Annotated[str | None, typer.Option(help="Ward name (default: the only ward)")] = None,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="key=value, e.g. reach=85 (repeatable)")
    ] = None,
) -> None:
    """A ward's targets (reach, max_silent_days, ack_rate, first_response); --set changes them."""
    settings = settings_or_exit()
    from bot.services.directory.units import get_ward
    from bot.services.stats.targets import Targets, get_targets, set_targets, shown

    async def go() -> tuple[str, Targets]:
        async with db_session(settings) as session:
            w = await get_ward(session, ward)
            if assignments:
                return w.name, await set_targets(session, w.id, assignments)
            return w.name, await get_targets(session, w.id)

    name, result = run_async(go)
    cat = Catalog(settings.language)
    typer.echo(cat.text("targets.title", ward=name))
    for key, value in result.as_dict().items():
        label = cat.text(f"targets.{key}")
        typer.echo(cat.text("targets.line", label=label, name=key, value=shown(key, value)))
