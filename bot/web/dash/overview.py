"""The overview page: the ward's figures against its targets, with charts. Leaders see their
groups only (reach, silence and acknowledgements summed over them)."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from aiohttp import web

from bot.services.stats.activity import hourly_activity
from bot.services.stats.charts import activity_by_hour, reach_by_group
from bot.services.stats.goals import Goals, Level, ward_goals
from bot.services.stats.indicators import GroupStats, ward_stats
from bot.services.triage import stats as triage_stats
from bot.web.dash.base import DashBase, View, pct


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    target: str
    level: Level


def _combined(groups: list[GroupStats]) -> tuple[float | None, int | None, float | None]:
    """Reach, days since the last notice and acknowledgement rate over some groups (a
    leader's), weighted as `ward_stats` weights the whole ward."""
    known = sum(g.households_known for g in groups)
    registered = sum(g.households_registered for g in groups)
    expected = sum(g.households_registered * g.notices for g in groups)
    acked = sum((g.ack_rate or 0) * g.households_registered * g.notices for g in groups)
    days = [g.days_since_last_notice for g in groups if g.days_since_last_notice is not None]
    return (
        round(registered / known, 4) if known else None,
        min(days) if days else None,
        round(acked / expected, 4) if expected else None,
    )


class Overview(DashBase):
    async def overview(self, request: web.Request) -> web.Response:
        async with self.sessions() as session:
            view = await self.view(request, session)
            stats = await ward_stats(session, view.ward, view.period, view.now)
            goals = await ward_goals(session, view.ward.id)
            groups = self.visible(view, stats.groups)
            figures = self._figures(goals, stats.reach, stats.days_since_last_notice,
                                    stats.ack_rate)  # fmt: skip
            hours = None
            if view.scope.whole_ward:
                weeks = math.ceil(view.days / 7)
                triage = await triage_stats.compute(
                    session, {view.ward.id}, now=view.now, weeks=weeks, tz=view.period.tz
                )
                figures.append(
                    Figure(self._("dash.fig_answer").format(weeks=weeks),
                           pct(triage.within_target), pct(goals.first_response_share),
                           goals.rate_level(triage.within_target, goals.first_response_share))
                )  # fmt: skip
                hours = await hourly_activity(session, view.ward.id, view.period, view.now)
            else:
                figures = self._figures(goals, *_combined(groups))
        reach_svg = (await asyncio.to_thread(
            reach_by_group, [g.name for g in groups], [g.reach for g in groups], goals.reach,
            title=self._("dash.chart_reach"),
            target_label=self._("kpi.chart_target").format(target=pct(goals.reach)),
        )).svg  # fmt: skip
        hours_svg = None
        if hours is not None:
            hours_svg = (await asyncio.to_thread(
                activity_by_hour,
                [(self._("dash.series_acks"), hours.acks),
                 (self._("dash.series_questions"), hours.questions),
                 (self._("dash.series_lookups"), hours.lookups)],
                title=self._("dash.chart_hours"), hour_label=self._("dash.chart_hour"),
            )).svg  # fmt: skip
        return self.page("overview.html", v=view, figures=figures, stats=stats,
                         reach_svg=reach_svg, hours_svg=hours_svg)  # fmt: skip

    def _figures(
        self, goals: Goals, reach: float | None, days: int | None, ack: float | None
    ) -> list[Figure]:
        return [
            Figure(self._("dash.fig_reach"), pct(reach), pct(goals.reach),
                   goals.rate_level(reach, goals.reach)),
            Figure(self._("dash.fig_silence"), "—" if days is None else str(days),
                   self._("dash.at_most_days").format(days=goals.max_silent_days),
                   goals.silence_level(days)),
            Figure(self._("dash.fig_acks"), pct(ack), pct(goals.ack_rate),
                   goals.rate_level(ack, goals.ack_rate)),
        ]  # fmt: skip

    @staticmethod
    def visible(view: View, groups: list[GroupStats]) -> list[GroupStats]:
        """All groups for officials, a leader's own groups for a leader."""
        if view.scope.whole_ward:
            return groups
        names = {
            g.group_name
            for g in view.principal.grants
            if g.ward_id == view.ward.id and g.group_id in view.scope.group_ids
        }
        return [g for g in groups if g.name in names]
