"""The ward's record of processing (Decree 356/2025/NĐ-CP): what Loa holds, why, for whom,
how long, and how much of it there is today. `loa privacy record` prints it (Markdown or PDF)
for the ward's impact assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.units import home_ward, labels_of
from bot.services.procedures.posters import FONTS
from bot.texts import Catalog
from models import (
    AbuseMark,
    Acknowledgement,
    AskBlock,
    Attendance,
    AuditEntry,
    Delivery,
    Household,
    ProcedureScan,
    Resident,
    RoleGrant,
    SearchGap,
    TargetKind,
    Ticket,
    TicketMessage,
    utcnow,
)

CATEGORIES = (
    "profile",
    "household",
    "questions",
    "presses",
    "deliveries",
    "searches",
    "abuse",
    "staff",
)
PARTS = ("name", "data", "purpose", "recipients")
# categories whose period is a sentence of the catalog rather than a setting
OWN_RETENTION = ("profile", "household", "presses", "abuse", "staff")


def _count(model: Any, *where: Any) -> Select[tuple[int]]:
    return select(func.count()).select_from(model).where(*where)


def _queries() -> dict[str, list[tuple[str, Select[tuple[int]]]]]:
    """Per category (in CATEGORIES order), the counts that show how much of it Loa holds."""
    return {
        "profile": [("residents", _count(Resident))],
        "household": [
            ("with_household", _count(Resident, Resident.household_id.is_not(None))),
            ("typed_addresses", _count(Household, Household.listed.is_(False))),
        ],
        "questions": [
            ("questions", _count(Ticket, Ticket.resident_tg_id != 0)),
            ("messages", _count(TicketMessage, TicketMessage.text != "")),
        ],
        "presses": [
            ("acknowledgements", _count(Acknowledgement, Acknowledgement.telegram_id != 0)),
            ("attendances", _count(Attendance, Attendance.telegram_id > 0)),
        ],
        "deliveries": [
            (
                "private_chats",
                _count(Delivery, Delivery.target == TargetKind.RESIDENT, Delivery.chat_id > 0),
            )
        ],
        "searches": [("searches", _count(SearchGap)), ("scans", _count(ProcedureScan))],
        "abuse": [("marks", _count(AbuseMark)), ("blocks", _count(AskBlock))],
        "staff": [("roles", _count(RoleGrant)), ("audit", _count(AuditEntry))],
    }


def text_keys() -> set[str]:
    """The catalog keys the record is made of (built from names, so listed here for checks)."""
    keys = {f"record.count.{label}" for qs in _queries().values() for label, _q in qs}
    keys |= {f"record.col.{c}" for c in Row.__dataclass_fields__}
    keys |= {f"record.{c}.{part}" for c in CATEGORIES for part in PARTS}
    return keys | {f"record.{c}.retention" for c in OWN_RETENTION}


@dataclass(frozen=True)
class Row:
    category: str
    data: str
    purpose: str
    recipients: str
    retention: str
    counts: str


@dataclass(frozen=True)
class Record:
    title: str
    intro: str
    rows: list[Row]
    headers: list[str]


async def build(
    session: AsyncSession, settings: Settings, lang: str = "vi", now: datetime | None = None
) -> Record:
    """The record with today's counts, in `lang`."""
    home = await home_ward(session)
    cat = Catalog(lang, labels_of(home) if home is not None else None)
    ward = home.name if home is not None else cat.text("record.ward_unknown")
    when = (now or utcnow()).astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")
    retention = {
        "questions": cat.text("record.keep_months", months=settings.retention_question_days // 30),
        "deliveries": cat.text("record.keep_days", days=settings.retention_delivery_days),
        "searches": cat.text("record.keep_days", days=settings.retention_search_days),
    }
    rows = []
    for name, queries in _queries().items():
        counts = []
        for label, query in queries:
            n = await session.scalar(query) or 0
            counts.append(f"{cat.text(f'record.count.{label}')}: {n}")
        rows.append(
            Row(
                cat.text(f"record.{name}.name"),
                cat.text(f"record.{name}.data"),
                cat.text(f"record.{name}.purpose"),
                cat.text(f"record.{name}.recipients"),
                retention.get(name) or cat.text(f"record.{name}.retention"),
                "; ".join(counts),
            )
        )
    headers = [cat.text(f"record.col.{c}") for c in Row.__dataclass_fields__]
    return Record(
        cat.text("record.title"), cat.text("record.intro", ward=ward, at=when), rows, headers
    )


def markdown(record: Record) -> str:
    lines = [f"# {record.title}", "", record.intro, ""]
    lines.append("| " + " | ".join(record.headers) + " |")
    lines.append("|" + "---|" * len(record.headers))
    for row in record.rows:
        cells = (str(v).replace("|", "/") for v in row.__dict__.values())
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_pdf(record: Record, out: Path) -> None:
    """A4, one block per category (a table of long texts prints badly)."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, record.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, record.intro, new_x="LMARGIN", new_y="NEXT")
    for row in record.rows:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 6, row.category, new_x="LMARGIN", new_y="NEXT")
        for header, value in zip(record.headers[1:], list(row.__dict__.values())[1:], strict=True):
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 5, f"{header}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
