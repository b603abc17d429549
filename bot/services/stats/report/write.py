"""Write a report document to a file whose name says the format."""

from __future__ import annotations

from pathlib import Path

from bot.services.common.errors import Invalid
from bot.services.stats.report.layout import Document

FORMATS = (".xlsx", ".pdf")


def check_out(out: Path) -> str:
    """The format the file name asks for; refused: another extension, a folder that is not
    there or not writable."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise Invalid("report.bad_format", path=str(out))
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir() or not folder.is_dir():
        raise Invalid("report.unwritable", path=str(out))
    return suffix


def write_report(doc: Document, out: Path) -> None:
    """XLSX or PDF by the file's extension (written whole, then moved into place)."""
    suffix = check_out(out)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if suffix == ".xlsx":
            from bot.services.stats.report.xlsx import write_xlsx

            write_xlsx(doc, tmp)
        else:
            from bot.services.stats.report.pdf import write_pdf

            write_pdf(doc, tmp)
        tmp.replace(out)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise Invalid("report.unwritable", path=str(out)) from None
