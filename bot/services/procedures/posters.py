"""Printable A4 posters: one procedure per sheet, a large QR code, the Vietnamese title.

Made for the one-stop counter and notice boards: readable from a step away, black on white
(a cheap laser printer copes), with the link written out for people who cannot scan. The
font (DejaVu Sans, subset, in data/fonts) carries every Vietnamese letter.
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from fpdf import FPDF

from bot.services.procedures.guides import Guide
from bot.services.procedures.labels import Gettext, field_label
from bot.unit_words import UnitLabels, local_units

FONTS = Path(__file__).resolve().parents[3] / "data" / "fonts"
QR_MM = 120  # printed size of the code: scannable from about a metre


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules for `data` (error correction M, as the PNG/SVG files use)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


class _Poster(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        """Draw the code as vector squares: sharp at any printer resolution."""
        matrix = qr_matrix(data)
        cell = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                self.rect(x + start * cell, y + r * cell, (c - start) * cell, cell, style="F")


def write_posters(
    guides: list[tuple[Guide, str]],
    out: Path,
    gettext: Gettext,
    *,
    ward: str = "",
    units: UnitLabels | None = None,
) -> int:
    """One A4 page per (guide, link), in the words of `units` ("UBND xã" in a commune).
    Returns the number of pages written."""
    pdf = _Poster()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for guide, link in guides:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 13)
        pdf.set_text_color(90, 90, 90)
        header = field_label(gettext, guide.field) + (f" · {ward}" if ward else "")
        pdf.cell(width, 8, header, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        title = local_units(guide.title_vi, units, "vi")
        size, line = (26, 12) if len(title) < 70 else (20, 10)
        if len(title) > 140:  # the longest catalog titles run to four lines
            size, line = 16, 8
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, line, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("DejaVu", "", 15)
        summary = local_units(guide.summary_vi, units, "vi")
        pdf.multi_cell(width, 8, summary, align="C", new_x="LMARGIN", new_y="NEXT")
        top = max(pdf.get_y() + 6, 95)
        top = min(top, pdf.h - QR_MM - 45)
        pdf.qr(link, (pdf.w - QR_MM) / 2, top, QR_MM)
        pdf.set_y(top + QR_MM + 4)
        pdf.set_font("DejaVu", "B", 17)
        pdf.cell(width, 9, gettext("poster.scan"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(width, 7, link, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(
            width,
            6,
            gettext("poster.footer").format(code=guide.code),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return len(guides)
