from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.io import ImportRejected, export_directory, import_directory
from bot.services.directory.seed import SAMPLE_DIR, seed_sample, seed_synthetic
from models import AuditEntry, Household, Resident, ResidentialGroup, Ward

GROUPS = (
    "ward,group,leader,order\nPhường Sông Cầu,Tổ 13,Nguyễn Văn An,13\nPhường Sông Cầu,Tổ 14,,\n"
)
HOUSEHOLDS = (
    "ward,group,house_number,street,household_code\n"
    "Phường Sông Cầu,Tổ 13,12,ngõ 3 Trường Chinh,SC-13-001\n"
    "Phường Sông Cầu,Tổ 14,5,Kon Tum,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_import_then_reimport_changes_nothing(session: AsyncSession, tmp_path: Path) -> None:
    g, h = write(tmp_path, "groups.csv", GROUPS), write(tmp_path, "households.csv", HOUSEHOLDS)
    report = await import_directory(session, g, h)
    assert (report.wards_created, report.groups_created, report.households_created) == (1, 2, 2)
    audits = await count(session, AuditEntry)
    again = await import_directory(session, g, h)
    assert not again.changed and again.unchanged == 4
    assert await count(session, Household) == 2
    assert await count(session, AuditEntry) == audits  # nothing changed, nothing audited


async def test_bad_row_rejects_whole_file_with_line_numbers(
    session: AsyncSession, tmp_path: Path
) -> None:
    bad = HOUSEHOLDS + "Phường Sông Cầu,Tổ 31,7,Hùng Vương,\nPhường Sông Cầu,Tổ 13,,Kon Tum,\n"
    g, h = write(tmp_path, "groups.csv", GROUPS), write(tmp_path, "households.csv", bad)
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, g, h)
    assert exc.value.problems == [
        'households.csv:4: unknown group "Tổ 31"',
        "households.csv:5: empty house_number",
    ]
    assert await count(session, Ward) == 0 and await count(session, Household) == 0


@pytest.mark.parametrize(
    ("groups", "households", "problem"),
    [
        (
            "ward,name\nX,Tổ 1\n",
            None,
            "groups.csv:1: missing column(s) group; expected ward,group,leader,order",
        ),
        (
            GROUPS + "Phường Sông Cầu,Tổ 13,,\n",
            None,
            "groups.csv:4: group 'Tổ 13' of 'Phường Sông Cầu' already listed on line 2",
        ),
        (
            GROUPS,
            HOUSEHOLDS + "Phường Sông Cầu,Tổ 13,12,Ngõ 3 trường chinh,\n",
            "households.csv:4: same address as line 2",
        ),
        (
            GROUPS,
            HOUSEHOLDS + "Phường Sông Cầu,Tổ 14,9,Kon Tum,SC-13-001\n",
            "households.csv:4: household code 'SC-13-001' already used on line 2",
        ),
        (
            GROUPS + "Phường Sông Cầu,Tổ 15,,x\n",
            None,
            "groups.csv:4: order must be a whole number, got 'x'",
        ),
    ],
)
async def test_each_kind_of_problem(
    session: AsyncSession, tmp_path: Path, groups: str, households: str | None, problem: str
) -> None:
    g = write(tmp_path, "groups.csv", groups)
    h = write(tmp_path, "households.csv", households) if households else None
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, g, h)
    assert problem in exc.value.problems
    assert await count(session, ResidentialGroup) == 0


async def test_not_utf8_is_reported(session: AsyncSession, tmp_path: Path) -> None:
    g = tmp_path / "groups.csv"
    g.write_bytes(b"ward,group\nPh\xd0\xf5\xeang,T\xd4 1\n")  # legacy TCVN3-style bytes
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, g, None)
    assert exc.value.problems[0].startswith("groups.csv:2: not UTF-8")


async def test_export_roundtrip(session: AsyncSession, tmp_path: Path) -> None:
    await seed_sample(session)
    groups, households = await export_directory(session)
    assert groups == (SAMPLE_DIR / "groups.csv").read_text(encoding="utf-8")
    g, h = write(tmp_path, "g.csv", groups), write(tmp_path, "h.csv", households)
    assert not (await import_directory(session, g, h)).changed


async def test_leader_change_is_an_update(session: AsyncSession, tmp_path: Path) -> None:
    await import_directory(session, write(tmp_path, "groups.csv", GROUPS))
    changed = GROUPS.replace("Nguyễn Văn An", "Trần Thị Bình")
    report = await import_directory(session, write(tmp_path, "groups.csv", changed))
    assert report.groups_updated == 1
    leader = await session.scalar(
        select(ResidentialGroup.leader_name).where(ResidentialGroup.name == "Tổ 13")
    )
    assert leader == "Trần Thị Bình"


async def test_seed_is_deterministic_and_idempotent(session: AsyncSession) -> None:
    r = await seed_synthetic(session, groups=3, households=10, ward_name="Phường A")
    assert r.created and (r.groups, r.households, r.residents) == (3, 10, 10)
    again = await seed_synthetic(session, groups=3, households=10, ward_name="Phường A")
    assert not again.created
    assert await count(session, Resident) == 10
    chats = list(
        await session.scalars(select(ResidentialGroup.chat_id).order_by(ResidentialGroup.sort_key))
    )
    assert all(c is not None and c < 0 for c in chats) and len(set(chats)) == 3
