"""The report as a document: a cover, titled tables and charts, every word from the catalogs.
Both writers (XLSX and PDF) read this one layout, so they always say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.services.stats.charts import activity_by_hour, reach_by_group
from bot.services.stats.report.data import MonthlyReport, NoticeLine
from bot.texts import Catalog
from models import NoticeStatus

TITLE_CHARS = 70


@dataclass(frozen=True)
class Pct:
    """A share (0..1) shown as a percentage; None is "no data"."""

    value: float | None


Cell = str | int | float | Pct | None


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    widths: list[float]  # relative column widths (the PDF's layout)
    note: str = ""


@dataclass
class Document:
    title: str
    cover: list[tuple[str, str]]
    tables: list[Table]
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # title, PNG
    sheet_names: list[str] = field(default_factory=list)  # one per table, then the charts'


def show(cell: Cell) -> str:
    """A cell as text (the PDF; the XLSX keeps numbers as numbers)."""
    if isinstance(cell, Pct):
        return "—" if cell.value is None else f"{cell.value * 100:.0f}%"
    if cell is None:
        return "—"
    if isinstance(cell, float):
        return f"{cell:.1f}".replace(".", ",")
    return str(cell)


def _first_line(text: str) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= TITLE_CHARS else line[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def document(report: MonthlyReport, catalog: Catalog, lang: str, tz_now: datetime) -> Document:
    """Lay the report out in `lang`; `tz_now` is the generation time in the ward's zone."""

    def gettext(key: str, **params: object) -> str:
        return catalog.text(key, lang, **params)

    s, goals, p = report.stats, report.goals, report.period
    month = f"{p.start:%m/%Y}"
    cover = [
        (gettext("report.ward"), report.ward),
        (gettext("report.month"), month),
        (gettext("report.period"), f"{p.start:%d/%m/%Y} – {p.end:%d/%m/%Y}"),
        (gettext("report.generated"), f"{tz_now:%H:%M %d/%m/%Y}"),
    ]
    if report.period.until > report.generated_at:
        cover.append((gettext("report.partial"), gettext("report.partial_text")))
    q = report.questions
    figures = Table(
        gettext("report.figures"),
        [gettext("report.col_indicator"), gettext("report.col_value"),
         gettext("report.col_target")],
        [
            [gettext("report.known"), s.households_known, None],
            [gettext("report.registered"), s.households_registered, None],
            [gettext("report.reach"), Pct(s.reach), Pct(goals.reach)],
            [gettext("report.notices"), s.notices, None],
            [gettext("report.silent"), s.days_since_last_notice,
             gettext("report.at_most", days=goals.max_silent_days)],
            [gettext("report.ack_rate"), Pct(s.ack_rate), Pct(goals.ack_rate)],
            [gettext("report.questions"), s.questions, None],
            [gettext("report.median"), s.first_response_median_minutes, None],
            [gettext("report.ninth_decile"), q.p90_minutes, None],
            [gettext("report.in_time"), Pct(q.within_target), Pct(goals.first_response_share)],
        ],
        [3, 1.2, 1.2],
        note=gettext("report.figures_note"),
    )  # fmt: skip
    groups = Table(
        gettext("report.groups"),
        [gettext("report.col_group"), gettext("report.col_known"),
         gettext("report.col_registered"), gettext("report.col_reach"),
         gettext("report.col_notices"), gettext("report.col_silent"),
         gettext("report.col_ack")],
        [[g.name, g.households_known, g.households_registered, Pct(g.reach), g.notices,
          g.days_since_last_notice, Pct(g.ack_rate)] for g in s.groups],
        [2.2, 1, 1.2, 1, 1, 1.3, 1.2],
    )  # fmt: skip
    notices = _notices(report.notices, gettext, tz_now)
    ratings = q.good + q.not_good
    categories: list[list[Cell]] = [[gettext(f"category.{c.value}"), n] for c, n in q.categories]
    questions = Table(
        gettext("report.questions_title"),
        [gettext("report.col_indicator"), gettext("report.col_value")],
        [
            [gettext("report.questions"), q.total],
            [gettext("report.median"), q.median_minutes],
            [gettext("report.ninth_decile"), q.p90_minutes],
            [gettext("report.in_time"), Pct(q.within_target)],
            [gettext("report.rated_good"), Pct(q.good / ratings if ratings else None)],
            *categories,
        ],
        [3, 1.2],
    )
    reach_title = gettext("kpi.chart_reach", ward=report.ward)
    hours_title = gettext("report.chart_hours")
    reach = reach_by_group(
        [g.name for g in s.groups], [g.reach for g in s.groups], goals.reach,
        title=reach_title, target_label=gettext("kpi.chart_target", target=show(Pct(goals.reach))),
    )  # fmt: skip
    hours = activity_by_hour(
        [(gettext("report.series_acks"), report.hourly.acks),
         (gettext("report.series_questions"), report.hourly.questions)],
        title=hours_title, hour_label=gettext("report.hour"),
    )  # fmt: skip
    return Document(
        title=gettext("report.title", ward=report.ward, month=month),
        cover=cover,
        tables=[figures, groups, notices, questions],
        charts=[(reach_title, reach.png), (hours_title, hours.png)],
        sheet_names=[gettext("report.sheet_overview"), gettext("report.sheet_groups"),
                     gettext("report.sheet_notices"), gettext("report.sheet_questions"),
                     gettext("report.sheet_charts")],
    )  # fmt: skip


def _notices(lines: list[NoticeLine], gettext: Callable[[str], str], tz_now: datetime) -> Table:
    audience = {
        "ward": gettext("report.aud_ward"),
        "groups": gettext("report.aud_groups"),
        "leaders": gettext("report.aud_leaders"),
        "tech": gettext("report.aud_tech"),
        "residents": gettext("report.aud_residents"),
    }
    cancelled = gettext("report.cancelled")
    rows: list[list[Cell]] = [
        [n.id, f"{n.published_at.astimezone(tz_now.tzinfo):%d/%m %H:%M}",
         _first_line(n.text) + (f" ({cancelled})" if n.status is NoticeStatus.CANCELLED else ""),
         audience.get(n.audience, n.audience), f"{n.chats_reached}/{n.chats_targeted}",
         n.households, n.acknowledged, Pct(n.ack_rate)]
        for n in lines
    ]  # fmt: skip
    return Table(
        gettext("report.notices_title"),
        [gettext("report.col_id"), gettext("report.col_sent"), gettext("report.col_text"),
         gettext("report.col_audience"), gettext("report.col_chats"),
         gettext("report.col_households"), gettext("report.col_acked"),
         gettext("report.col_ack")],
        rows,
        [0.6, 1.5, 3.6, 1.6, 1, 0.9, 0.9, 0.9],
        note=gettext("report.notices_note"),
    )  # fmt: skip
