"""The report as an A4 PDF (fpdf2, DejaVu Sans embedded: every Vietnamese letter prints):
a cover with the key figures, then the tables, then the charts."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from bot.services.procedures.posters import FONTS
from bot.services.stats.report.layout import Document, Pct, Table, show

MARGIN = 15
HEAD = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_title(title)
        self.set_creator("Loa")
        self.report_title = title

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.report_title} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table_of(self, table: Table) -> None:
        self.heading(table.title, 12)
        self.set_font("DejaVu", "", 8.5)
        numeric = [
            i for i in range(len(table.header))
            if table.rows and all(isinstance(r[i], int | float | Pct) or r[i] is None
                                  for r in table.rows)
        ]  # fmt: skip
        with self.table(
            col_widths=table.widths,
            headings_style=HEAD,
            line_height=5,
            text_align=["RIGHT" if i in numeric else "LEFT" for i in range(len(table.header))],
        ) as grid:
            grid.row(table.header)
            for values in table.rows:
                grid.row([show(v) for v in values])
        if table.note:
            self.set_font("DejaVu", "", 7.5)
            self.ln(1)
            self.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
        self.ln(5)


def write_pdf(doc: Document, out: Path) -> None:
    pdf = _Report(doc.title)
    pdf.add_page()
    pdf.heading(doc.title, 16)
    pdf.set_font("DejaVu", "", 11)
    for label, value in doc.cover:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(45, 7, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.table_of(doc.tables[0])
    for table in doc.tables[1:]:
        pdf.add_page()
        pdf.table_of(table)
    if doc.charts:
        pdf.add_page()
        tallest = (pdf.eph - 12) / 2  # two charts to a page
        for title, png in doc.charts:
            with Image.open(io.BytesIO(png)) as img:
                ratio = img.width / img.height
            width = min(pdf.epw, tallest * ratio)
            pdf.image(io.BytesIO(png), x=MARGIN + (pdf.epw - width) / 2, w=width, alt_text=title)
            pdf.ln(6)
    pdf.output(str(out))
