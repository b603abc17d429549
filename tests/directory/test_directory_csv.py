"""The ward's CSV files as people really make them: Excel, semicolons, quotes, formulas,
and files that are wrong or hostile (huge, binary, thousands of bad rows)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import csv_text
from bot.services.directory.io import ImportRejected, export_directory, import_directory
from models import Household, ResidentialGroup

WARD = "Phường Sông Cầu"
GROUPS = f"ward,group,leader,order\n{WARD},Tổ 13,Nguyễn Văn An,13\n{WARD},Tổ 14,,14\n"
TRICKY = [  # (house_number, street) a resident or a clerk may really type
    ("12", 'Ngõ 3, "Ao Sen"'),
    ("5", '=HYPERLINK("http://x.example","bấm")'),
    ("+7", "@Kon Tum"),
    ("-", "-Trường Chinh"),
    ("9", "'=đã có dấu nháy"),
    ("10", "'Nhà văn hóa"),
    ("11", "''+hai dấu nháy"),
]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def households_csv(rows: list[tuple[str, str]], sep: str = ",", safe: bool = False) -> str:
    """As Excel writes it (CRLF); `safe`: formula-like cells neutralised as Loa exports them."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(["ward", "group", "house_number", "street", "household_code"])
    for number, street in rows:
        cells = [WARD, "Tổ 13", number, street, ""]
        w.writerow([csv_text.neutralise(c) for c in cells] if safe else cells)
    return buf.getvalue()


async def count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def streets(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Household.house_number, Household.street).order_by(Household.id)
    )
    return [tuple(r) for r in rows]


async def test_own_export_reimports_byte_identically(
    session: AsyncSession, tmp_path: Path
) -> None:
    g = write(tmp_path, "groups.csv", GROUPS)
    await import_directory(session, g, write(tmp_path, "h.csv", households_csv(TRICKY, safe=True)))
    assert await streets(session) == TRICKY
    groups, households = await export_directory(session)
    # Formula-like cells are neutralised for spreadsheets (OWASP): a leading apostrophe.
    assert "'=HYPERLINK" in households and ",'@Kon Tum," in households
    assert ",'+7," in households and ",'-," in households
    again = await import_directory(
        session, write(tmp_path, "g2.csv", groups), write(tmp_path, "h2.csv", households)
    )
    assert not again.changed and await count(session, Household) == len(TRICKY)
    assert await streets(session) == TRICKY
    assert await export_directory(session) == (groups, households)


async def test_excel_csv_utf8_with_bom_and_semicolons(
    session: AsyncSession, tmp_path: Path
) -> None:
    text = "\ufeff" + households_csv([("12", 'Ngõ 3; "Ao Sen", ngách 4')], sep=";")
    g = write(tmp_path, "groups.csv", "\ufeff" + GROUPS.replace(",", ";"))
    await import_directory(session, g, write(tmp_path, "households.csv", text))
    assert await streets(session) == [("12", 'Ngõ 3; "Ao Sen", ngách 4')]
    leader = await session.scalar(select(ResidentialGroup.leader_name).limit(1))
    assert leader == "Nguyễn Văn An"


async def test_quoted_comma_and_doubled_quote_stay_one_cell(
    session: AsyncSession, tmp_path: Path
) -> None:
    text = (
        "ward,group,house_number,street,household_code\n"
        f'{WARD},Tổ 13,12,"Ngõ 3, ""Ao Sen""",SC-1\n'
    )
    g = write(tmp_path, "groups.csv", GROUPS)
    report = await import_directory(session, g, write(tmp_path, "households.csv", text))
    assert report.households_created == 1
    assert await streets(session) == [("12", 'Ngõ 3, "Ao Sen"')]


async def test_hand_made_formula_cells_import_as_typed(
    session: AsyncSession, tmp_path: Path
) -> None:
    rows = [("1", "=Kon Tum"), ("2", "'=Kon Tum"), ("3", "'Kon Tum")]
    g = write(tmp_path, "groups.csv", GROUPS)
    await import_directory(session, g, write(tmp_path, "h.csv", households_csv(rows)))
    # An apostrophe before a formula sign is the spreadsheet convention "as text": dropped.
    assert await streets(session) == [("1", "=Kon Tum"), ("2", "=Kon Tum"), ("3", "'Kon Tum")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GROUPS + f"{WARD},Tổ\x0015,,\n", "groups.csv:4: control character U+0000"),
        (GROUPS + f"{WARD},Tổ 15,\x1b[31m,\n", "groups.csv:4: control character U+001B"),
        (GROUPS + f"{WARD},Tổ 15,{'A' * 1500},\n", "groups.csv:4: a cell is longer than 1000"),
        (GROUPS + f'{WARD},"Tổ 15{"A" * 200_000}",,\n', "groups.csv:4: a cell is longer"),
    ],
)
async def test_hostile_cells_are_refused_with_their_line(
    session: AsyncSession, tmp_path: Path, text: str, problem: str
) -> None:
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, write(tmp_path, "groups.csv", text))
    assert any(p.startswith(problem) for p in exc.value.problems), exc.value.problems
    assert await count(session, ResidentialGroup) == 0


async def test_size_and_row_limits(
    session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_text, "MAX_BYTES", 200)
    big = GROUPS + "".join(f"{WARD},Tổ {n},,\n" for n in range(20, 40))
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, write(tmp_path, "groups.csv", big))
    assert exc.value.problems[0].startswith("groups.csv:0: file too large")
    monkeypatch.setattr(csv_text, "MAX_BYTES", 10_000)
    monkeypatch.setattr(csv_text, "MAX_ROWS", 5)
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, write(tmp_path, "groups.csv", big))
    assert exc.value.problems == ["groups.csv:7: more than 5 rows; split the file"]
    assert await count(session, ResidentialGroup) == 0


async def test_error_report_is_capped(session: AsyncSession, tmp_path: Path) -> None:
    bad = GROUPS + "".join(f"{WARD},Tổ {n},,x\n" for n in range(20, 140))
    with pytest.raises(ImportRejected) as exc:
        await import_directory(session, write(tmp_path, "groups.csv", bad))
    assert exc.value.total == 120 and len(exc.value.problems) == 51
    assert exc.value.problems[0].startswith("groups.csv:4: order must be a whole number")
    assert exc.value.problems[-1] == "... and 70 more problem(s) not shown"


@pytest.mark.parametrize("value", ["=1+2", "+84", "-", "@x", "\tx", "'=x", "''@", "'", "a=b", ""])
def test_neutralise_is_undone_exactly(value: str) -> None:
    safe = csv_text.neutralise(value)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_text.restore(safe) == value
