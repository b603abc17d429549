"""The table pages: groups, notices and one notice's coverage, questions, procedures, exports."""

from __future__ import annotations

import math

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.notices import acks
from bot.services.stats.goals import ward_goals
from bot.services.stats.indicators import ward_stats
from bot.services.triage import stats as triage_stats
from bot.web.dash.base import View
from bot.web.dash.data import notice_rows, procedure_use
from bot.web.dash.export import to_csv, to_xlsx
from bot.web.dash.overview import Overview
from bot.web.dash.tables import Table, groups_table, notices_table
from models import Notice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Lists(Overview):
    async def _groups_table(self, session: AsyncSession, view: View) -> Table:
        stats = await ward_stats(session, view.ward, view.period, view.now)
        return groups_table(self._, self.visible(view, stats.groups))

    async def groups(self, request: web.Request) -> web.Response:
        async with self.sessions() as session:
            view = await self.view(request, session)
            table = await self._groups_table(session, view)
            goals = await ward_goals(session, view.ward.id)
        levels = [
            (goals.rate_level(row[3], goals.reach),  # type: ignore[arg-type]  # groups_table: col 3 is the reach, float | None
             goals.silence_level(row[4]),  # type: ignore[arg-type]  # col 4 is the days silent, int | None
             goals.rate_level(row[6], goals.ack_rate))  # type: ignore[arg-type]  # col 6 is the ack rate, float | None
            for row in table.rows
        ]  # fmt: skip
        return self.page("groups.html", v=view, table=table, levels=levels)

    async def notices(self, request: web.Request) -> web.Response:
        async with self.sessions() as session:
            view = await self.view(request, session)
            rows = await notice_rows(session, view.scope, view.period, view.now)
        return self.page("notices.html", v=view, rows=rows, table=notices_table(self._, rows))

    async def notice(self, request: web.Request) -> web.Response:
        """Coverage of one notice per group; the households not yet reached are listed only
        for officials of the notice's ward, never for a leader or another ward."""
        notice_id = int(request.match_info["id"])
        async with self.sessions() as session:
            view = await self.view(request, session)
            notice = await session.get(Notice, notice_id)
            if notice is None or notice.ward_id != view.ward.id or notice.queued_at is None:
                raise self.refused(self._("dash.notice_not_found"), status=404)
            groups = None if view.scope.whole_ward else set(view.scope.group_ids)
            coverage = await acks.coverage(session, notice_id, groups)
        if not view.scope.whole_ward and not coverage:
            raise self.refused(self._("dash.notice_not_found"), status=404)
        return self.page("notice.html", v=view, notice=notice, coverage=coverage,
                         households=view.scope.whole_ward,
                         sent=notice.queued_at.astimezone(view.period.tz))  # fmt: skip

    async def questions(self, request: web.Request) -> web.Response:
        async with self.sessions() as session:
            view = await self.view(request, session, whole_ward=True)
            weeks = math.ceil(view.days / 7)
            stats = await triage_stats.compute(
                session, {view.ward.id}, now=view.now, weeks=weeks, tz=view.period.tz
            )
            goals = await ward_goals(session, view.ward.id)
        level = goals.rate_level(stats.within_target, goals.first_response_share)
        return self.page("questions.html", v=view, s=stats, weeks=weeks, level=level,
                         target=goals.first_response_share)  # fmt: skip

    async def procedures(self, request: web.Request) -> web.Response:
        async with self.sessions() as session:
            view = await self.view(request, session, whole_ward=True)
            use = await procedure_use(session, view.ward.id, view.period, view.now)
        return self.page("procedures.html", v=view, use=use)

    async def export(self, request: web.Request) -> web.Response:
        what, fmt = request.match_info["what"], request.match_info["fmt"]
        async with self.sessions() as session:
            view = await self.view(request, session)
            if what == "groups":
                table = await self._groups_table(session, view)
            else:
                rows = await notice_rows(session, view.scope, view.period, view.now)
                table = notices_table(self._, rows)
        name = f"loa-{table.name}-{view.period.start:%Y%m%d}-{view.period.end:%Y%m%d}.{fmt}"
        if fmt == "csv":
            body, ctype = to_csv(table.headers, table.rows), "text/csv"
        else:
            body = to_xlsx(table.name, table.headers, table.rows, table.percent)
            ctype = XLSX
        return web.Response(
            body=body, content_type=ctype, charset="utf-8" if fmt == "csv" else None,
            headers={"Content-Disposition": f'attachment; filename="{name}"',
                     "Cache-Control": "no-store"},
        )  # fmt: skip
