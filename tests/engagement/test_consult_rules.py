"""Ward-wide consultations wait for a second official; leaders ask only their own group; the
opening time holds votes back; the form refuses what it cannot read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import Invalid
from bot.services.directory import erasure
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_synthetic
from bot.services.engagement import form, votes
from bot.services.engagement.jobs import add_consult_job, closing_tick
from bot.texts import Catalog
from models import Consultation, Delivery, Notice, NoticeStatus, Role
from models.clock import ManualClock
from sandbox import Sandbox
from tests.delivery_kit import deliver
from tests.engagement.kit import (
    FORM,
    consult_message,
    household_without_telegram,
    setup,
    tallies,
    vote_rows,
)
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, BotHarness, texts


def last_card(sandbox: Sandbox, chat_id: int) -> dict[str, Any]:
    for c in reversed(sandbox.calls_for("sendMessage", chat_id=chat_id)):
        if c.ok and (c.result or {}).get("reply_markup"):
            return c.result
    raise AssertionError("no card")


async def test_ward_wide_consultation_needs_a_second_official(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session)
    said = texts(await harness.send(OFFICIAL_ID, FORM + "Tổ: cả phường\nĐóng: 30/11 20h"))
    assert said[-1].startswith("📨 Đã lập cuộc lấy ý kiến #1. Vì hỏi toàn phường")
    consult = (await session.scalars(select(Consultation))).one()
    notice = await session.get(Notice, consult.notice_id)
    assert notice is not None and notice.status is NoticeStatus.PENDING_APPROVAL
    assert await session.scalar(select(func.count()).select_from(Delivery)) == 0
    with pytest.raises(Invalid) as err:  # nothing to vote on before approval
        await votes.vote(session, consult.id, 0, w["mine"][0].telegram_id, settings.privacy_key)
    assert err.value.key == "consult.not_open"

    card = last_card(sandbox, ADMIN_ID)  # the same review card as a ward-wide notice
    refused = texts(await harness.press_button(LEADER_ID, card, "Duyệt"))
    assert refused and "Duyệt" not in refused[0]
    assert (await session.get(Notice, notice.id, populate_existing=True)).status is (  # type: ignore[union-attr]  # it exists
        NoticeStatus.PENDING_APPROVAL
    )
    await harness.press_button(ADMIN_ID, card, "Duyệt")
    notice = await session.get(Notice, consult.notice_id, populate_existing=True)
    assert notice is not None and notice.status is NoticeStatus.QUEUED
    await deliver(settings, sandbox, session_factory, {notice.id})
    for group in [w["group"], *w["others"]]:
        assert consult_message(sandbox, group.chat_id)
    far = w["theirs"][0]
    said = texts(
        await harness.press_button(
            far.telegram_id, consult_message(sandbox, far.telegram_id), "2."
        )
    )
    assert "Cảm ơn" in said[0]
    assert await tallies(session, consult.id) == {1: 1}


async def test_leader_asks_only_their_own_group(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    w = await setup(session)
    other = w["others"][0].name
    said = texts(await harness.send(LEADER_ID, FORM + f"Tổ: {other}\nĐóng: 30/11 20h"))
    assert said and "#" not in said[0]
    said = texts(await harness.send(LEADER_ID, FORM + "Tổ: cả phường\nĐóng: 30/11 20h"))
    assert said and "#" not in said[0]
    resident = w["mine"][0].telegram_id
    said = texts(await harness.send(resident, FORM + "Đóng: 30/11 20h"))
    assert said and "#" not in said[0]
    assert await session.scalar(select(func.count()).select_from(Consultation)) == 0
    said = texts(await harness.send(LEADER_ID, "/consult"))
    assert "Xin ý kiến các hộ" in said[0]  # the form, to copy


async def test_votes_wait_for_the_opening_time(
    harness: BotHarness,
    session: AsyncSession,
    settings: Settings,
    clock: ManualClock,
) -> None:
    w = await setup(session)
    said = texts(await harness.send(LEADER_ID, FORM + "Mở: 26/11 8h\nĐóng: 30/11 20h"))
    assert said[0].startswith("✅")
    consult = (await session.scalars(select(Consultation))).one()
    notice = await session.get(Notice, consult.notice_id)
    assert notice is not None and notice.scheduled_at == consult.opens_at
    voter = w["mine"][0].telegram_id
    with pytest.raises(Invalid) as err:
        await votes.vote(session, consult.id, 0, voter, settings.privacy_key)
    assert err.value.key == "consult.not_open"
    clock.set(consult.opens_at)
    done = await votes.vote(session, consult.id, 0, voter, settings.privacy_key)
    assert done.outcome == "new"


NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("- A\n- B\nĐóng: 30/11", "consult.no_question"),
        ("Hỏi: ?\n- A\nĐóng: 30/11", "consult.option_count"),
        (
            "Hỏi: ?\n" + "".join(f"- {i}\n" for i in range(7)) + "Đóng: 30/11",
            "consult.option_count",
        ),
        ("Hỏi: ?\n- A\n- a\nĐóng: 30/11", "consult.option_twice"),
        ("Hỏi: ?\n- A\n- B", "consult.no_close"),
        ("Hỏi: ?\n- A\n- B\nĐóng: 30/11\nTỷ lệ: 0", "consult.bad_quorum"),
        ("Hỏi: ?\n- A\n- B\nĐóng: 30/11\nBừa: x", "consult.bad_line"),
        ("Hỏi: ?\n- A\n- B\nĐóng: 31/02", "when.bad_date"),
    ],
)
def test_form_refuses(text: str, key: str) -> None:
    with pytest.raises(Invalid) as err:
        form.window(form.parse(text), NOW, TZ)
    assert err.value.key == key


def test_form_reads_what_officials_type() -> None:
    f = form.parse(
        "Câu hỏi: Lát ngõ?\n1. Có\n2) Không\nTổ: Tổ 1, 2\nKín: có\nTỷ lệ: 60%\nĐóng: 30/11 20h"
    )
    assert (f.options, f.groups, f.secret, f.quorum) == (["Có", "Không"], ["Tổ 1", "2"], True, 60)
    opens, closes = form.window(f, NOW, TZ)
    assert opens == NOW and closes == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as err:
        form.window(form.parse("Hỏi: ?\n- A\n- B\nMở: 30/11 9h\nĐóng: 30/11 8h"), NOW, TZ)
    assert err.value.key == "consult.closes_before_open"
    with pytest.raises(Invalid) as err:
        form.window(form.parse("Hỏi: ?\n- A\n- B\nĐóng: 23/11/2026 8h"), NOW, TZ)
    assert err.value.key == "when.past"


class _Sender:
    woken = 0

    def wake(self) -> None:
        self.woken += 1


async def test_closing_job_reads_the_clock(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: ManualClock,
) -> None:
    await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    sender = _Sender()
    add_consult_job(scheduler, sender, session_factory, settings, Catalog())
    job = scheduler.get_job("loa-consultations")
    assert job is not None
    assert await closing_tick(*job.args) == []  # not yet: the clock says 24/11
    clock.set(consult.closes_at)
    results = await closing_tick(*job.args)
    assert len(results) == 1 and sender.woken == 1
    result = await session.get(Notice, results[0])
    assert result is not None and "Chưa đủ số hộ tham gia" in result.text  # nobody voted
    closed = await session.get(Consultation, consult.id, populate_existing=True)
    assert closed is not None and closed.result_notice_id == results[0]


async def test_other_leaders_and_other_wards_cannot_follow_or_enter_ballots(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    other_leader, far_official = 300_000_001, 300_000_002
    await grant_role(session, other_leader, Role.GROUP_LEADER, group_name=w["others"][0].name)
    await seed_synthetic(session, groups=1, households=2, ward_name="Phường Khác")
    await grant_role(session, far_official, Role.WARD_OFFICIAL, ward_name="Phường Khác")
    house = (await household_without_telegram(session, w["group"].id)).address
    for who in (other_leader, far_official):
        said = texts(await harness.send(who, f"/consult_paper {consult.id} 1 {house}"))
        assert said and "Đã ghi phiếu" not in said[0], who
        said = texts(await harness.send(who, f"/consult_status {consult.id}"))
        assert "Chỉ người lập và cán bộ phường" in said[0]
        said = texts(await harness.send(who, f"/consult_remind {consult.id}"))
        assert "Chỉ người lập và cán bộ phường" in said[0]
    assert await tallies(session, consult.id) == {}
    said = texts(await harness.send(OFFICIAL_ID, f"/consult_paper {consult.id} 1 {house}"))
    assert said == [f"📝 Đã ghi phiếu giấy của hộ {house}: Đồng ý."]


async def test_forget_keeps_the_household_vote_without_who(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    voter = w["mine"][0].telegram_id
    await votes.vote(session, consult.id, 1, voter, settings.privacy_key)
    assert await erasure.forget(session, voter, settings.privacy_key)
    rows = await vote_rows(session, consult.id)
    assert [(r.voter_id, r.option) for r in rows] == [(0, 1)]
    assert await tallies(session, consult.id) == {1: 1}


async def test_opening_the_notice_again_shows_the_options(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    await deliver(settings, sandbox, session_factory, {consult.notice_id})
    resident = w["mine"][1].telegram_id
    shown = await harness.send(resident, f"/start n-{consult.notice_id}")
    again = [c.result for c in shown if c.ok and (c.result or {}).get("reply_markup")][-1]
    data = [b["callback_data"] for row in again["reply_markup"]["inline_keyboard"] for b in row]
    assert data == [f"cv:{consult.id}:0", f"cv:{consult.id}:1"]
    assert "Cảm ơn" in texts(await harness.press_button(resident, again, "2."))[0]
