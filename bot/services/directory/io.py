"""Importing and exporting the ward's own lists (groups.csv, households.csv).

Everything is validated before anything is written: a file with any bad row is rejected whole,
with one `file:line: problem` per problem. Rows are matched by natural keys (ward + group name;
group + house number + street, or ward + household code), so re-importing changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.common import audit
from bot.services.directory import csv_text
from models import Household, ResidentialGroup, Ward

GROUP_COLUMNS = ("ward", "group", "leader", "order")
HOUSEHOLD_COLUMNS = ("ward", "group", "house_number", "street", "household_code")
REQUIRED_GROUP = ("ward", "group")
REQUIRED_HOUSEHOLD = ("ward", "group", "house_number", "street")
MAX_LEN = {
    "ward": 120,
    "group": 80,
    "leader": 120,
    "house_number": 40,
    "street": 160,
    "household_code": 40,
}


class ImportRejected(Exception):
    """The files were rejected whole; `problems` are `file:line: message` strings (the first
    50, then a line counting the others); `total` counts them all."""

    def __init__(self, problems: list[str]) -> None:
        def where(p: str) -> tuple[str, int]:
            name, line, _ = p.split(":", 2)
            return name, int(line) if line.isdigit() else 0

        self.total = len(problems)
        self.problems = csv_text.capped(sorted(problems, key=where))
        super().__init__("\n".join(self.problems))


@dataclass
class ImportReport:
    wards_created: int = 0
    groups_created: int = 0
    groups_updated: int = 0
    households_created: int = 0
    households_updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.wards_created,
                self.groups_created,
                self.groups_updated,
                self.households_created,
                self.households_updated,
            )
        )


@dataclass
class _Rows:
    name: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())


def _read_csv(
    name: str, text: str, columns: tuple[str, ...], required: tuple[str, ...], problems: list[str]
) -> _Rows:
    out = _Rows(name)
    before = len(problems)
    header, table = csv_text.read_table(name, text, required, problems)
    if len(problems) > before:
        return out
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(
            f"{name}:1: missing column(s) {', '.join(missing)}; expected {','.join(columns)}"
        )
        return out
    for line, cells in table:
        if any(c.strip() for c in cells[len(header) :]):
            problems.append(f"{name}:{line}: too many values in this row")
            continue
        row = dict(zip(header, cells, strict=False))
        clean = {c: _norm(row.get(c)) for c in columns if c in header}
        if not any(clean.values()):
            continue  # blank line
        for col in required:
            if not clean.get(col):
                problems.append(f"{name}:{line}: empty {col}")
        for col, value in clean.items():
            if len(value) > MAX_LEN.get(col, 200):
                problems.append(f"{name}:{line}: {col} longer than {MAX_LEN[col]} characters")
        if clean.get("order") and not clean["order"].isdigit():
            problems.append(f"{name}:{line}: order must be a whole number, got {clean['order']!r}")
        out.rows.append((line, clean))
    return out


def _sort_key(group_name: str, order: str | None) -> int:
    if order:
        return int(order)
    digits = "".join(ch for ch in group_name if ch.isdigit())
    return int(digits) if digits else 0


async def import_directory(
    session: AsyncSession, groups_path: Path, households_path: Path | None = None
) -> ImportReport:
    """Validate both files, then upsert everything in one transaction (commits)."""
    problems: list[str] = []
    texts = {}
    for path in (groups_path, households_path):
        if path is None:
            continue
        try:
            if (size := path.stat().st_size) > csv_text.MAX_BYTES:
                problems.append(
                    f"{path.name}:0: file too large ({size:,} bytes; the limit is "
                    f"{csv_text.MAX_BYTES:,}): split it or remove other columns"
                )
                continue
            texts[path] = path.read_bytes().decode("utf-8")
        except (FileNotFoundError, IsADirectoryError):
            problems.append(f"{path.name}:0: file not found")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            problems.append(f"{path.name}:{line}: not UTF-8 text (save the file as CSV UTF-8)")
    if problems:
        raise ImportRejected(problems)
    groups = _read_csv(
        groups_path.name, texts[groups_path], GROUP_COLUMNS, REQUIRED_GROUP, problems
    )
    households = (
        _read_csv(
            households_path.name,
            texts[households_path],
            HOUSEHOLD_COLUMNS,
            REQUIRED_HOUSEHOLD,
            problems,
        )
        if households_path
        else _Rows("households.csv")
    )

    existing_wards = {
        w.name: w for w in await session.scalars(select(Ward).options(selectinload(Ward.groups)))
    }
    known_groups = {(w, g.name) for w, ward in existing_wards.items() for g in ward.groups}
    seen_groups: dict[tuple[str, str], int] = {}
    for line, row in groups.rows:
        key = (row["ward"], row["group"])
        if key in seen_groups:
            problems.append(
                f"{groups.name}:{line}: group {row['group']!r} of {row['ward']!r} "
                f"already listed on line {seen_groups[key]}"
            )
        seen_groups[key] = line
    all_groups = known_groups | set(seen_groups)
    seen_addr: dict[tuple[str, str, str, str], int] = {}
    seen_code: dict[tuple[str, str], int] = {}
    for line, row in households.rows:
        if (row["ward"], row["group"]) not in all_groups:
            problems.append(
                f'{households.name}:{line}: unknown group "{row["group"]}"'
                + (
                    ""
                    if row["ward"] in existing_wards
                    or any(w == row["ward"] for w, _ in seen_groups)
                    else f' (unknown ward "{row["ward"]}")'
                )
            )
        addr = (row["ward"], row["group"], row["house_number"].lower(), row["street"].lower())
        if addr in seen_addr:
            problems.append(f"{households.name}:{line}: same address as line {seen_addr[addr]}")
        seen_addr[addr] = line
        if code := row.get("household_code"):
            if (row["ward"], code) in seen_code:
                problems.append(
                    f"{households.name}:{line}: household code {code!r} already "
                    f"used on line {seen_code[(row['ward'], code)]}"
                )
            seen_code[(row["ward"], code)] = line
    if problems:
        raise ImportRejected(problems)
    return await _apply(session, groups, households, existing_wards)


async def _apply(
    session: AsyncSession, groups: _Rows, households: _Rows, wards: dict[str, Ward]
) -> ImportReport:
    report = ImportReport()
    group_index: dict[tuple[str, str], ResidentialGroup] = {
        (name, g.name): g for name, w in wards.items() for g in w.groups
    }
    for _, row in groups.rows:
        ward = wards.get(row["ward"])
        if ward is None:
            ward = wards[row["ward"]] = Ward(name=row["ward"])
            if row["ward"].lower().startswith("xã"):
                ward.kind_label, ward.group_label = "Xã", "Thôn"
            session.add(ward)
            report.wards_created += 1
        group = group_index.get((row["ward"], row["group"]))
        leader = row.get("leader") or None
        sort_key = _sort_key(row["group"], row.get("order"))
        if group is None:
            group = ResidentialGroup(
                ward=ward, name=row["group"], leader_name=leader, sort_key=sort_key
            )
            session.add(group)
            group_index[(row["ward"], row["group"])] = group
            report.groups_created += 1
        elif (group.leader_name, group.sort_key) != (leader, sort_key):
            group.leader_name, group.sort_key = leader, sort_key
            report.groups_updated += 1
        else:
            report.unchanged += 1
    await session.flush()

    group_ids = [g.id for g in group_index.values()]
    existing = list(
        await session.scalars(select(Household).where(Household.group_id.in_(group_ids)))
    )
    by_addr = {(h.group_id, h.house_number.lower(), h.street.lower()): h for h in existing}
    by_code = {(h.ward_id, h.code): h for h in existing if h.code}
    for _, row in households.rows:
        group = group_index[(row["ward"], row["group"])]
        code = row.get("household_code") or None
        h = by_code.get((group.ward_id, code)) if code else None
        h = h or by_addr.get((group.id, row["house_number"].lower(), row["street"].lower()))
        values = (group.id, row["house_number"], row["street"], code)
        if h is None:
            h = Household(
                ward_id=group.ward_id,
                group_id=group.id,
                house_number=values[1],
                street=values[2],
                code=code,
            )
            session.add(h)
            report.households_created += 1
        elif (h.group_id, h.house_number, h.street, h.code) != values:
            h.group_id, h.house_number, h.street, h.code = values
            report.households_updated += 1
        else:
            report.unchanged += 1
    if report.changed:
        audit.record(
            session,
            "directory.import",
            actor_id=None,
            **{k: v for k, v in vars(report).items() if v},
        )
    await session.commit()
    return report


async def export_directory(session: AsyncSession, ward_name: str | None = None) -> tuple[str, str]:
    """Return (groups.csv, households.csv) text in the import format, formula-safe."""
    stmt = (
        select(Ward)
        .options(selectinload(Ward.groups).selectinload(ResidentialGroup.households))
        .order_by(Ward.name)
    )
    if ward_name:
        stmt = stmt.where(Ward.name == ward_name)
    group_rows: list[list[object]] = [list(GROUP_COLUMNS)]
    household_rows: list[list[object]] = [list(HOUSEHOLD_COLUMNS)]
    for ward in await session.scalars(stmt):
        for g in ward.groups:
            group_rows.append([ward.name, g.name, g.leader_name or "", g.sort_key])
            for h in sorted(g.households, key=lambda h: h.id):  # the order they were imported
                household_rows.append([ward.name, g.name, h.house_number, h.street, h.code or ""])
    return csv_text.write_rows(group_rows), csv_text.write_rows(household_rows)
