"""`loa privacy ...`: the retention purge now, and the ward's record of processing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.cli.support import db_session, fail, run_async, settings_or_exit

privacy_app = typer.Typer(
    help="Personal data: retention purge and the record of processing.", no_args_is_help=True
)


@privacy_app.command("purge")
def privacy_purge() -> None:
    """Erase what is older than its retention period now (`loa run` does it every night)."""
    settings = settings_or_exit()
    from bot.services.directory import retention

    async def go() -> retention.PurgeReport:
        async with db_session(settings) as session:
            return await retention.purge(session, retention.Periods.from_settings(settings))

    r = run_async(go)
    typer.echo(
        f"purged: {r.questions} questions, {r.deliveries} private deliveries, "
        f"{r.searches} searches, {r.scans} scans, {r.drafts} drafts"
    )


@privacy_app.command("record")
def privacy_record(
    fmt: Annotated[Literal["md", "pdf"], typer.Option("--format", help="md or pdf")] = "md",
    out: Annotated[Path | None, typer.Option(help="File to write (PDF needs one)")] = None,
    lang: Annotated[Literal["vi", "en"], typer.Option(help="Language")] = "vi",
) -> None:
    """Print the record of processing: categories, purposes, recipients, retention, counts."""
    settings = settings_or_exit()
    from bot.services.directory import processing_record

    if fmt == "pdf" and out is None:
        fail("--format pdf needs --out FILE")

    async def go() -> processing_record.Record:
        async with db_session(settings) as session:
            return await processing_record.build(session, settings, lang)

    record = run_async(go)
    if fmt == "pdf":
        assert out is not None
        processing_record.write_pdf(record, out)
        typer.echo(f"wrote {out}")
    elif out is not None:
        out.write_text(processing_record.markdown(record), encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(processing_record.markdown(record), nl=False)
