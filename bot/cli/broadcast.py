"""`loa broadcast ...`: enqueue, watch, cancel and resume notices from scripts and benchmarks."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.support import db_session, fail, run_async, settings_or_exit
from bot.config import Settings

broadcast_app = typer.Typer(
    help="Send notices to the ward: enqueue, status, cancel, resume.", no_args_is_help=True
)

AUDIENCE_HELP = 'ward | groups:"Tổ 1,Tổ 2" | leaders | tech'


def _when(value: str | None, settings: Settings, option: str) -> datetime | None:
    """ISO time; without an offset it is local time in LOA_TIMEZONE."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"error: {option} must be an ISO time such as 2026-11-25T07:30")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.tz)


def _progress_line(p: dict[str, Any], width: int = 30) -> str:
    total = int(p["recipients"]) or 1
    done = total - int(p["pending"])
    filled = int(width * done / total)
    rate = int(p["sent"]) / max(float(p["seconds"]), 0.001)
    eta = int(p["pending"]) / rate if rate else 0
    return (
        f"[{'#' * filled}{'-' * (width - filled)}] {done}/{p['recipients']}  "
        f"sent {p['sent']}  failed {p['failed']}  unknown {p['unknown']}  "
        f"{rate:5.1f}/s  ETA {eta:4.0f}s"
    )


async def _deliver(settings: Settings, notice_ids: set[int] | None, show: int | None) -> None:
    """Run a sender here until the notices finish; draw progress for `show` on stderr."""
    from bot.db import create_engine, create_session_factory
    from bot.delivery import create_delivery
    from broadcasts import outbox
    from broadcasts.runner import run_until_done

    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    tty = sys.stderr.isatty()

    async def on_sweep(_finished: list[int]) -> None:
        if show is None:
            return
        async with factory() as session:
            p = (await outbox.progress(session, show)).as_dict()
        typer.echo(("\r" if tty else "") + _progress_line(p), err=True, nl=not tty)

    try:
        sender = create_delivery(settings, factory, on_sweep=on_sweep)
        await run_until_done(sender, factory, notice_ids)
        if show is not None and tty:
            typer.echo("", err=True)
    finally:
        await sender.api.close()
        await engine.dispose()


def _parse_audience(value: str) -> tuple[str, list[str]]:
    kind, _, rest = value.partition(":")
    kind = kind.strip().lower()
    if kind not in ("ward", "groups", "leaders", "tech"):
        fail(f"error: --audience must be {AUDIENCE_HELP}")
    names = [n.strip() for n in rest.split(",") if n.strip()]
    if kind == "groups" and not names:
        fail('error: name the groups, e.g. --audience groups:"Tổ 1,Tổ 2"')
    return kind, names


@broadcast_app.command("send")
def send(
    audience: Annotated[str, typer.Option(help=AUDIENCE_HELP)],
    text: Annotated[str | None, typer.Option(help="The notice text")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the text from a UTF-8 file")] = None,
    photo: Annotated[Path | None, typer.Option(help="Attach a photo")] = None,
    document: Annotated[Path | None, typer.Option(help="Attach a document")] = None,
    urgency: Annotated[str, typer.Option(help="normal | urgent | emergency")] = "normal",
    at: Annotated[str | None, typer.Option(help="Send at (ISO time, local if no offset)")] = None,
    expires: Annotated[str | None, typer.Option(help="Never send after (ISO time)")] = None,
    ward: Annotated[str | None, typer.Option(help="Ward, when there are several")] = None,
    wait: Annotated[bool, typer.Option(help="Deliver now, here, showing progress")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Queue a notice for every chat of the audience (delivered by `loa run`, or here with
    --wait)."""
    settings = settings_or_exit()
    from bot.services.directory import units as directory
    from broadcasts import audience as aud
    from broadcasts import outbox
    from models import Urgency

    if text is None and file is not None:
        text = file.read_text(encoding="utf-8")
    elif text is None or file is not None:
        fail("error: give exactly one of --text or --file")
    body = text
    if urgency not in Urgency._value2member_map_:
        fail("error: --urgency must be normal, urgent or emergency")
    kind, names = _parse_audience(audience)
    if photo and document:
        fail("error: attach a photo or a document, not both")
    media = None
    for kind_name, path in (("photo", photo), ("document", document)):
        if path is not None:
            if not path.is_file():
                fail(f"error: {path}: no such file")
            media = (kind_name, path.name, path.read_bytes())
    when, until = _when(at, settings, "--at"), _when(expires, settings, "--expires")

    async def go() -> dict[str, object]:
        async with db_session(settings) as session:
            w = await directory.get_ward(session, ward)
            ids = [(await directory.find_group(session, n, w.id)).id for n in names]
            notice, unbound = await outbox.enqueue(
                session,
                ward_id=w.id,
                text=body,
                audience=aud.spec(kind, ids),
                urgency=Urgency(urgency),
                scheduled_at=when,
                expires_at=until,
                media=media,
            )
            if unbound:
                typer.echo(f"warning: no bound chat for {', '.join(unbound)}", err=True)
            notice_id = notice.id
        if wait:
            await _deliver(settings, {notice_id}, None if as_json else notice_id)
        async with db_session(settings) as session:
            return (await outbox.progress(session, notice_id)).as_dict()

    if wait and settings.bot_token is None:
        fail("configuration error: --wait sends now, so LOA_BOT_TOKEN must be set", 2)
    result = run_async(go)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(
            f"notice {result['id']}: {result['recipients']} recipients, "
            f"{result['sent']} sent, {result['failed']} failed, "
            f"{result['unknown']} unknown, {result['pending']} pending"
        )


@broadcast_app.command("status")
def status(
    notice_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Where a notice stands: sent, failed, unknown, pending."""
    settings = settings_or_exit()
    from broadcasts import outbox

    async def go() -> dict[str, Any]:
        async with db_session(settings) as session:
            return (await outbox.progress(session, notice_id)).as_dict()

    result = run_async(go)
    typer.echo(
        json.dumps(result) if as_json else _progress_line(result) + f"  ({result['status']})"
    )


@broadcast_app.command("cancel")
def cancel(
    notice_id: int,
    delete: Annotated[
        bool, typer.Option(help="Delete delivered copies instead of marking")
    ] = False,
) -> None:
    """Stop pending copies and mark delivered ones "ĐÃ HỦY" (delivered by the running sender)."""
    settings = settings_or_exit()
    from broadcasts import outbox

    async def go() -> dict[str, object]:
        async with db_session(settings) as session:
            return (
                await outbox.cancel(session, notice_id, None, "delete" if delete else "mark")
            ).as_dict()

    result = run_async(go)
    typer.echo(
        f"notice {notice_id} cancelled: {result['cancelled']} pending copies stopped; "
        f"delivered copies are being {'deleted' if delete else 'marked'}"
    )


@broadcast_app.command("resume")
def resume() -> None:
    """Finish what a crash left: send every delivery that is due (`loa run` does this too)."""
    settings = settings_or_exit()
    if settings.bot_token is None:
        fail("configuration error: LOA_BOT_TOKEN is not set", 2)

    async def go() -> None:
        from bot import migrate

        await migrate.upgrade(settings.database_url)
        await _deliver(settings, None, None)

    run_async(go)
    typer.echo("nothing left to send")
