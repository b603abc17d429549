"""The groups and notices tables: one definition for the page and for the CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.services.stats.indicators import GroupStats
from bot.web.dash.data import NoticeRow
from bot.web.dash.export import Cell

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Table:
    name: str  # sheet and file name
    headers: list[str]
    rows: list[list[Cell]]
    percent: set[int]  # columns holding 0..1 rates


def groups_table(_: Gettext, groups: Sequence[GroupStats]) -> Table:
    headers = [_("dash.col_group"), _("dash.col_known"), _("dash.col_registered"),
               _("dash.col_reach"), _("dash.col_days"), _("dash.col_notices"),
               _("dash.col_acks")]  # fmt: skip
    rows: list[list[Cell]] = [
        [g.name, g.households_known, g.households_registered, g.reach,
         g.days_since_last_notice, g.notices, g.ack_rate]
        for g in groups
    ]  # fmt: skip
    return Table("groups", headers, rows, {3, 6})


def notices_table(_: Gettext, notices: Sequence[NoticeRow]) -> Table:
    headers = [_("dash.col_id"), _("dash.col_sent"), _("dash.col_title"),
               _("dash.col_chat_groups"), _("dash.col_registered"), _("dash.col_acked"),
               _("dash.col_coverage")]  # fmt: skip
    rows: list[list[Cell]] = [
        [n.id, f"{n.at:%Y-%m-%d %H:%M}", n.title, n.groups, n.registered, n.acknowledged,
         n.coverage]
        for n in notices
    ]  # fmt: skip
    return Table("notices", headers, rows, {6})
