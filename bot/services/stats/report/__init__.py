"""The monthly report for the level above: the figures of one ward for one month (data.py),
laid out as titled tables and charts (layout.py), written as XLSX (xlsx.py) or PDF (pdf.py)."""

from bot.services.stats.report.data import MonthlyReport, NoticeLine, month_period, monthly_report
from bot.services.stats.report.layout import Document, Pct, Table, document
from bot.services.stats.report.write import FORMATS, write_report

__all__ = [
    "FORMATS",
    "Document",
    "MonthlyReport",
    "NoticeLine",
    "Pct",
    "Table",
    "document",
    "month_period",
    "monthly_report",
    "write_report",
]
