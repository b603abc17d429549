"""`loa stats`: a ward's indicators for a period, as a table or JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated

import typer

from bot.catalog import Catalog
from bot.cli_support import db_session, fail, run_async, settings_or_exit
from bot.services.stats import Period, WardStats, ward_stats

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
        "",
        cat.text("kpi.group_header"),
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
    from bot.services.directory import get_ward
    from models import utcnow

    now = utcnow()
    last = _day(end, "--to") or now.astimezone(settings.tz).date()
    first = _day(start, "--from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        fail(Catalog().text("kpi.bad_period"), 2)

    async def go() -> WardStats:
        async with db_session(settings) as session:
            w = await get_ward(session, ward)
            return await ward_stats(session, w, Period(first, last, settings.tz), now)

    result = run_async(go)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(result, Catalog(settings.language)))
