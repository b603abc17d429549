"""The report as an XLSX workbook (openpyxl): one sheet per table, numbers kept as numbers
(shares formatted as percentages), the charts as pictures on their own sheet."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.stats.report.layout import Document, Pct, Table

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
SHEET_CHARS = 31  # Excel's limit for a sheet name


def _table(ws: Worksheet, table: Table, row: int) -> int:
    """Write the table from `row`; returns the next free row."""
    ws.cell(row, 1, table.title).font = BOLD
    row += 1
    for col, name in enumerate(table.header, 1):
        cell = ws.cell(row, col, name)
        cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, vertical="top")
    for values in table.rows:
        row += 1
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col, value.value if isinstance(value, Pct) else value)
            if isinstance(value, Pct):
                cell.number_format = "0%"
            elif isinstance(value, float):
                cell.number_format = "0.0"
    if table.note:
        row += 1
        ws.cell(row, 1, table.note).font = Font(italic=True, size=9)
    for col, width in enumerate(table.widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(8, width * 12)
    return row + 2


def write_xlsx(doc: Document, out: Path) -> None:
    wb = Workbook()
    names = [n[:SHEET_CHARS] for n in doc.sheet_names]
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens with one worksheet
    ws.title = names[0]
    ws.cell(1, 1, doc.title).font = TITLE
    for i, (label, value) in enumerate(doc.cover, 3):
        ws.cell(i, 1, label).font = BOLD
        ws.cell(i, 2, value)
    _table(ws, doc.tables[0], len(doc.cover) + 4)
    for name, table in zip(names[1:], doc.tables[1:], strict=False):
        _table(wb.create_sheet(name), table, 1)
    if doc.charts:
        charts = wb.create_sheet(names[len(doc.tables)])
        row = 1
        for title, png in doc.charts:
            charts.cell(row, 1, title).font = BOLD
            image = Image(io.BytesIO(png))
            charts.add_image(image, f"A{row + 1}")
            row += 2 + int(image.height / 20) + 1  # rows are about 20 pixels high
    wb.save(out)
