"""`loa report`: the monthly report for the level above, as XLSX or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import db_session, describe, fail, run_async, settings_or_exit
from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.units import labels_of
from bot.texts import Catalog


def report(
    month: Annotated[str, typer.Option(help="The month, YYYY-MM (e.g. 2026-11)")],
    out: Annotated[Path, typer.Option(help="The file to write: .xlsx or .pdf")],
    ward: Annotated[str | None, typer.Option(help="Ward name (default: the only ward)")] = None,
) -> None:
    """The monthly report of a ward (Vietnamese): figures, groups, notices, questions, charts."""
    settings = settings_or_exit()
    from bot.services.directory.units import get_ward
    from bot.services.stats.report import document, month_period, monthly_report, write_report
    from bot.services.stats.report.write import check_out
    from models import utcnow

    now = utcnow()
    try:
        period = month_period(month, settings.tz, now)
        check_out(out)
    except Invalid as err:
        fail(describe(err), 2)

    async def go() -> str:
        async with db_session(settings) as session:
            try:
                w = await get_ward(session, ward)
            except NotFound as err:
                fail(describe(err), 2)
            data = await monthly_report(session, w, period, now)
        catalog = Catalog(settings.language, labels_of(w))  # the ward's own unit words
        doc = document(data, catalog, settings.language, now.astimezone(settings.tz))
        try:
            write_report(doc, out)
        except Invalid as err:
            fail(describe(err), 2)
        return catalog.text("report.written", path=str(out), ward=w.name, month=month)

    typer.echo(run_async(go))
