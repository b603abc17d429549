"""`loa directory ...` and `loa admin ...` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import db_session, fail, run_async, settings_or_exit

directory_app = typer.Typer(
    help="The ward directory: import, export, QR codes.", no_args_is_help=True
)
admin_app = typer.Typer(
    help="Roles: who may post, bind groups, answer questions.", no_args_is_help=True
)


@directory_app.command("import")
def directory_import(
    groups_csv: Annotated[Path, typer.Argument(help="groups.csv: ward,group,leader,order")],
    households_csv: Annotated[
        Path | None,
        typer.Argument(help="households.csv: ward,group,house_number,street,household_code"),
    ] = None,
) -> None:
    """Import the ward's lists. Any bad row rejects the whole import; nothing is written."""
    settings = settings_or_exit()
    from bot.services.directory.io import ImportRejected, import_directory

    async def go() -> str:
        async with db_session(settings) as session:
            r = await import_directory(session, groups_csv, households_csv)
        if not r.changed:
            return "nothing changed (everything was already imported)"
        return (
            f"imported: {r.wards_created} wards, {r.groups_created} groups created, "
            f"{r.groups_updated} updated; {r.households_created} households created, "
            f"{r.households_updated} updated; {r.unchanged} unchanged"
        )

    try:
        typer.echo(run_async(go))
    except ImportRejected as exc:
        typer.echo("\n".join(exc.problems), err=True)
        fail(f"import rejected: {exc.total} problem(s), nothing was written")


@directory_app.command("export")
def directory_export(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the two files")] = Path(),
    ward: Annotated[str | None, typer.Option(help="Only this ward")] = None,
) -> None:
    """Write groups.csv and households.csv in the import format."""
    settings = settings_or_exit()
    from bot.services.directory.io import export_directory

    async def go() -> tuple[str, str]:
        async with db_session(settings) as session:
            return await export_directory(session, ward)

    groups, households = run_async(go)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "groups.csv").write_text(groups, encoding="utf-8")
    (out_dir / "households.csv").write_text(households, encoding="utf-8")
    typer.echo(f"wrote {out_dir / 'groups.csv'} and {out_dir / 'households.csv'}")


@directory_app.command("qr")
def directory_qr(
    group: Annotated[str, typer.Option(help='Residential group, e.g. "Tổ 13"')],
    out: Annotated[Path, typer.Option(help="Output file: .png or .svg")],
    ward: Annotated[str | None, typer.Option(help="Ward, when there are several")] = None,
) -> None:
    """A QR code with the group's join link (t.me/<bot>?start=join-<id>)."""
    settings = settings_or_exit()
    from bot.services.directory import units as directory
    from bot.services.procedures.qr import bot_username, join_link, write_qr

    async def go() -> str:
        async with db_session(settings) as session:
            w = await directory.get_ward(session, ward) if ward else None
            g = await directory.find_group(session, group, w.id if w else None)
            return join_link(await bot_username(settings), g.id)

    link = run_async(go)
    try:
        write_qr(link, out)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"{out}: {link}")


@admin_app.command("add")
def admin_add(
    telegram_id: Annotated[int, typer.Argument(help="The person's Telegram user id")],
    role: Annotated[str, typer.Option(help="ward_admin, ward_official, group_leader, tech_team")],
    group: Annotated[str | None, typer.Option(help='For group_leader: e.g. "Tổ 13"')] = None,
    ward: Annotated[str | None, typer.Option(help="Ward, when there are several")] = None,
) -> None:
    """Grant a role (written to the audit log)."""
    settings = settings_or_exit()
    from bot.services.directory.roles import grant_role
    from models import Role

    if role not in Role._value2member_map_ or role == Role.RESIDENT:
        fail("error: --role must be one of ward_admin, ward_official, group_leader, tech_team")

    async def go() -> bool:
        async with db_session(settings) as session:
            _, created = await grant_role(
                session, telegram_id, Role(role), ward_name=ward, group_name=group
            )
            return created

    created = run_async(go)
    typer.echo(f"{telegram_id}: {role} " + ("granted" if created else "was already granted"))


@admin_app.command("revoke")
def admin_revoke(
    telegram_id: int,
    role: Annotated[str | None, typer.Option(help="One role; all roles when omitted")] = None,
    ward: Annotated[str | None, typer.Option(help="Ward, when there are several")] = None,
) -> None:
    """Revoke a role, or all roles, of a person (written to the audit log)."""
    settings = settings_or_exit()
    from bot.services.directory.roles import revoke_role
    from models import Role

    if role is not None and role not in Role._value2member_map_:
        fail("error: unknown --role")

    async def go() -> int:
        async with db_session(settings) as session:
            return await revoke_role(
                session, telegram_id, Role(role) if role else None, ward_name=ward
            )

    typer.echo(f"{telegram_id}: {run_async(go)} role(s) revoked")


@admin_app.command("list")
def admin_list() -> None:
    """List every role grant."""
    settings = settings_or_exit()
    from bot.services.directory.roles import list_grants

    async def go() -> list[str]:
        async with db_session(settings) as session:
            return [
                f"{g.telegram_id}\t{g.role.value}\t{g.ward.name}\t"
                f"{g.group.name if g.group else ''}"
                for g in await list_grants(session)
            ]

    lines = run_async(go)
    for line in lines:
        typer.echo(line)
    if not lines:
        typer.echo("no roles granted yet (see `loa admin add --help`)")
