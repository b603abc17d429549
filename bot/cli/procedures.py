"""`loa procedures ...`: import, export, search, QR codes, posters, gaps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import db_session, fail, run_async, settings_or_exit
from bot.config import Settings
from bot.services.procedures.catalog import DEFAULT_CATALOG
from bot.services.procedures.guides import Guide

procedures_app = typer.Typer(
    help="Procedure guides: the catalog, search, QR codes and posters.", no_args_is_help=True
)


@procedures_app.command("import")
def procedures_import(
    path: Annotated[Path, typer.Argument(help="Catalog folder (or one .yaml file)")] = (
        DEFAULT_CATALOG
    ),
) -> None:
    """Validate every file, then store them. A folder replaces the whole catalog (guides not
    in it are removed); one file adds or updates that guide. Any problem rejects it all."""
    settings = settings_or_exit()
    from bot.services.procedures.catalog import CatalogRejected, load_catalog
    from bot.services.procedures.core import import_guides

    try:
        guides = load_catalog(path)
    except CatalogRejected as exc:
        typer.echo("\n".join(exc.problems), err=True)
        fail(f"import rejected: {len(exc.problems)} problem(s), nothing was written")

    async def go() -> str:
        async with db_session(settings) as session:
            r = await import_guides(session, guides, whole=path.is_dir())
        return (
            f"{len(guides)} guides: {r.created} created, {r.updated} updated, "
            f"{r.removed} removed, {r.unchanged} unchanged"
        )

    typer.echo(run_async(go))


@procedures_app.command("export")
def procedures_export(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for <field>/<code>.yaml")],
) -> None:
    """Write the catalog in use in the import format (the shipped one on a fresh database)."""
    settings = settings_or_exit()
    from bot.services.procedures.core import ensure_catalog, export_files

    async def go() -> dict[str, str]:
        async with db_session(settings) as session:
            await ensure_catalog(session)
            return await export_files(session)

    files = run_async(go)
    for name, text in files.items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(files)} files under {out_dir}")


@procedures_app.command("search")
def procedures_search(
    query: Annotated[str, typer.Argument(help='What a resident would type, e.g. "báo tử"')],
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many results")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Search the catalog as the bot does (not recorded as a gap)."""
    settings = settings_or_exit()
    from bot.services.procedures import core as procedures

    async def go() -> procedures.SearchResult:
        async with db_session(settings) as session:
            await procedures.ensure_catalog(session)
            return await procedures.search(session, query, limit=limit, record=False)

    result = run_async(go)
    rows = [
        {
            "code": h.guide.code,
            "title_vi": h.guide.title_vi,
            "title_en": h.guide.title_en,
            "field": h.guide.field,
            "score": h.score,
        }
        for h in result.hits
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not result.good:
        typer.echo("no good answer (the bot would record this search as a gap)", err=True)
    for r in rows:
        typer.echo(f"{r['score']:.2f}  {r['code']}  {r['title_vi']}")


def _links(settings: Settings, codes: list[str], place: str | None, web: bool) -> list[str]:
    """Telegram deep links (with the place tag), or web page links with --web."""
    from bot.services.procedures import core as procedures
    from bot.services.procedures.qr import bot_username

    if web:
        return [procedures.web_link(settings.public_url, c) for c in codes]
    username = run_async(lambda: bot_username(settings))
    return [procedures.bot_link(username, c, place) for c in codes]


@procedures_app.command("qr")
def procedures_qr(
    code: Annotated[str, typer.Argument(help="National code, e.g. 1.001193")],
    out: Annotated[Path, typer.Option(help="Output file: .png or .svg")],
    place: Annotated[
        str | None, typer.Option(help="Where it hangs: counter, to_13_board (a-z 0-9 _)")
    ] = None,
    web: Annotated[bool, typer.Option(help="Link the web page instead of Telegram")] = False,
) -> None:
    """A QR code that opens the guide in Telegram (t.me/<bot>?start=p-<code>[-<place>])."""
    settings = settings_or_exit()
    from bot.services.procedures import core as procedures
    from bot.services.procedures.qr import write_qr

    async def check() -> str:
        async with db_session(settings) as session:
            await procedures.ensure_catalog(session)
            procedures.check_place(place)
            return (await procedures.get_guide(session, code)).code

    (link,) = _links(settings, [run_async(check)], place, web)
    try:
        write_qr(link, out)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"{out}: {link}")


@procedures_app.command("posters")
def procedures_posters(
    out: Annotated[Path, typer.Option(help="Output PDF file")],
    codes: Annotated[
        list[str] | None, typer.Option("--code", help="Only these codes (repeatable)")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Place tag printed into every code")] = None,
    ward: Annotated[str, typer.Option(help="Ward name printed on top")] = "",
    web: Annotated[bool, typer.Option(help="Link the web pages instead of Telegram")] = False,
) -> None:
    """Printable A4 sheets: QR code, Vietnamese title and one line per procedure."""
    settings = settings_or_exit()
    from bot.i18n import create_i18n
    from bot.services.directory.units import labels_in_context
    from bot.services.procedures import core as procedures
    from bot.services.procedures.guides import FIELDS
    from bot.services.procedures.posters import write_posters

    if out.suffix.lower() != ".pdf":
        fail(f"{out}: the file name must end in .pdf")

    async def load() -> tuple[list[Guide], tuple[str, str]]:
        async with db_session(settings) as session:
            await procedures.ensure_catalog(session)
            procedures.check_place(place)
            units = await labels_in_context(session, [])  # "UBND xã" on a commune's posters
            if codes:
                return [await procedures.get_guide(session, c) for c in codes], units
            index = await procedures.get_index(session)
            in_force = [g for g in index.guides if g.in_force]
            return sorted(in_force, key=lambda g: (FIELDS.index(g.field), g.code)), units

    guides, units = run_async(load)
    links = _links(settings, [g.code for g in guides], place, web)
    i18n = create_i18n("vi")
    pages = write_posters(
        list(zip(guides, links, strict=True)),
        out,
        lambda key: i18n.gettext(key, locale="vi"),
        ward=ward,
        units=units,
    )
    typer.echo(f"{out}: {pages} A4 page(s)")


@procedures_app.command("gaps")
def procedures_gaps(
    days: Annotated[int, typer.Option(min=1, help="Look back this many days")] = 30,
) -> None:
    """The most frequent searches without a good answer (what the catalog lacks)."""
    settings = settings_or_exit()
    from bot.services.procedures.core import top_gaps

    async def go() -> list[str]:
        async with db_session(settings) as session:
            return [f"{g.count}\t{g.query}" for g in await top_gaps(session, days=days)]

    lines = run_async(go)
    for line in lines:
        typer.echo(line)
    if not lines:
        typer.echo(f"no search without a good answer in the last {days} days")


@procedures_app.command("stale")
def procedures_stale() -> None:
    """Guides to check again: checked over 180 days ago, then those nobody has checked."""
    settings = settings_or_exit()
    from bot.services.procedures.core import to_check
    from models import utcnow

    async def go() -> tuple[list[Guide], list[Guide]]:
        async with db_session(settings) as session:
            return await to_check(session, utcnow().date())

    stale, unverified = run_async(go)
    for g in stale:
        typer.echo(f"stale\t{g.verified_on}\t{g.verified_by}\t{g.code}\t{g.title_vi}")
    for g in unverified:
        typer.echo(f"unverified\t-\t-\t{g.code}\t{g.title_vi}")
    typer.echo(f"{len(stale)} stale, {len(unverified)} never checked", err=True)
