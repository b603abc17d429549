"""The dashboard's tables as CSV (UTF-8 with BOM, so Excel shows Vietnamese letters) and XLSX.

Text cells a spreadsheet could run as a formula are neutralised
(bot.services.directory.csv_text); in XLSX numbers stay numbers and rates are formatted as
percentages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.services.directory.csv_text import neutralise, write_rows

Cell = str | int | float | None


def _safe(value: Cell) -> Cell:
    return neutralise(value) if isinstance(value, str) else value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    table: list[Sequence[object]] = [
        list(headers),
        *[["" if c is None else c for c in row] for row in rows],
    ]
    return ("\ufeff" + write_rows(table)).encode("utf-8")


def to_xlsx(
    sheet: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]], percent: set[int]
) -> bytes:
    """One sheet; columns whose index is in `percent` hold 0..1 rates shown as percentages."""
    book = Workbook()
    ws: Any = book.active
    ws.title = sheet[:31]
    ws.append([_safe(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(c) for c in row])
    for index in percent:
        for (cell,) in ws.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = "0%"
    for i, header in enumerate(headers):
        width = max([len(str(header))] + [len(str(r[i])) for r in rows if r[i] is not None])
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = min(60, width + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
