"""The `loa` command line: run, db, seed, demo, directory, admin, procedures, stats, report."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import logs
from bot.cli.broadcast import broadcast_app
from bot.cli.directory import admin_app, directory_app
from bot.cli.privacy import privacy_app
from bot.cli.procedures import procedures_app
from bot.cli.report import report
from bot.cli.stats import stats, targets
from bot.cli.support import db_session, fail, run_async, settings_or_exit

app = typer.Typer(
    help="Loa — the ward loudspeaker on Telegram.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(directory_app, name="directory")
app.add_typer(admin_app, name="admin")
app.add_typer(broadcast_app, name="broadcast")
app.add_typer(procedures_app, name="procedures")
app.add_typer(privacy_app, name="privacy")
app.command("stats")(stats)
app.command("report")(report)
app.command("targets")(targets)


def _logging(level: str) -> None:
    logs.configure(level)


@app.command()
def run() -> None:
    """Start the bot (polling, or webhook when LOA_WEBHOOK_URL is set). Migrates first."""
    settings = settings_or_exit()
    if settings.bot_token is None:
        fail("configuration error: LOA_BOT_TOKEN is not set (get one from @BotFather)", 2)
    _logging(settings.log_level)
    from bot.runtime import serve

    run_async(lambda: serve(settings))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    settings = settings_or_exit()
    from bot import migrate

    run_async(lambda: migrate.upgrade(settings.database_url, revision))
    typer.echo(f"database at {revision}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the code's head."""
    settings = settings_or_exit()
    from bot import migrate

    rev, head = run_async(lambda: migrate.current(settings.database_url))
    state = "up to date" if rev == head else "needs `loa db upgrade`"
    typer.echo(f"database: {rev or '(empty)'}  code head: {head}  ({state})")


@app.command()
def seed(
    groups: Annotated[int, typer.Option(min=1, help="Residential groups")] = 10,
    households: Annotated[int, typer.Option(min=0, help="Households (one resident each)")] = 100,
    ward: Annotated[str, typer.Option(help="Ward name")] = "Phường Thử Nghiệm",
    sample: Annotated[bool, typer.Option(help="Import the sample ward Phường Sông Cầu")] = False,
) -> None:
    """Create a deterministic synthetic ward (or the sample ward) for trials and benchmarks."""
    settings = settings_or_exit()
    from bot.services.directory import seed as seeding

    async def go() -> str:
        async with db_session(settings) as session:
            if sample:
                report = await seeding.seed_sample(session)
                return (
                    f"sample ward: {report.groups_created} groups and "
                    f"{report.households_created} households created"
                )
            r = await seeding.seed_synthetic(session, groups, households, ward)
            if not r.created:
                return f"ward {ward!r} already exists: nothing changed"
            return (
                f"{r.ward}: {r.groups} groups, {r.households} households, {r.residents} residents"
            )

    typer.echo(run_async(go))


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Web server port")] = 8080,
    keep: Annotated[bool, typer.Option(help="Keep the web server up until Ctrl-C")] = True,
) -> None:
    """Offline demo: sample ward, sandbox Bot API, bot, and a scripted scene."""
    from bot.demo import run_demo

    _logging("WARNING")
    run_async(lambda: run_demo(port=port, keep=keep))


def main() -> None:
    app()
