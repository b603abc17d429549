"""Adversarial review of check-ins and street reports: a role revoked a minute ago, a /forget
in the middle of a /report, forged ids. Each attack must change nothing it should not."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import Invalid
from bot.services.directory.role_holders import RoleHolders
from bot.services.directory.roles import grant_role, revoke_role
from bot.services.directory.seed import seed_synthetic
from bot.services.engagement import checkin_board
from bot.web.app import create_web_app
from models import (
    Consultation,
    FsmRecord,
    Notice,
    Role,
    StreetReport,
    StreetReportEvent,
    Ward,
)
from models.clock import ManualClock
from sandbox import Sandbox
from tests.delivery_kit import deliver, people
from tests.engagement.kit import (
    FORM,
    consult_message,
    household_without_telegram,
    setup,
    vote_rows,
)
from tests.engagement.report_kit import LOCATION, card, report, row, start
from tests.engagement.test_checkins import answers, checkin_message
from tests.engagement.test_checkins import start as start_checkin
from tests.harness import LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, last_message, texts
from tests.triage.triage_world import STAFF_CHAT, TECH_A, make_world

SECOND_OFFICIAL = 100_000_011


async def test_revoked_official_cannot_take_or_read_the_board(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, groups=1, households=3)
    await grant_role(session, SECOND_OFFICIAL, Role.WARD_OFFICIAL, ward_id=w["ward_id"])
    checkin = await start_checkin(harness, session, session_factory, settings, sandbox)
    a = w["mine"][0]
    private = checkin_message(sandbox, a.telegram_id)
    ask = last_message(await harness.press_button(a.telegram_id, private, "Cần hỗ trợ"))
    await harness.press_button(a.telegram_id, ask, "Y tế")
    await harness.send(a.telegram_id, "/bo_qua")
    need = (await answers(session, checkin.id))[a.household_id]
    board = last_message(await harness.send(SECOND_OFFICIAL, f"/checkin_status {checkin.id}"))
    # Revoked a minute ago: the old board's button and the command are refused.
    await revoke_role(session, SECOND_OFFICIAL, Role.WARD_OFFICIAL, ward_id=w["ward_id"])
    said = texts(await harness.press(SECOND_OFFICIAL, board, f"cr:{need.id}:t"))
    assert said and "đã nhận việc" not in said[0], said
    said = texts(await harness.send(SECOND_OFFICIAL, f"/checkin_status {checkin.id}"))
    assert "Chỉ cán bộ phường" in said[0], said
    assert (await answers(session, checkin.id))[a.household_id].taken_by is None
    # Taken by an official, who is then revoked: closing is refused too.
    await harness.press(OFFICIAL_ID, board, f"cr:{need.id}:t")
    assert (await answers(session, checkin.id))[a.household_id].taken_by == OFFICIAL_ID
    await grant_role(session, SECOND_OFFICIAL, Role.WARD_OFFICIAL, ward_id=w["ward_id"])
    await revoke_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL, ward_id=w["ward_id"])
    said = texts(await harness.press(OFFICIAL_ID, board, f"cr:{need.id}:c"))
    assert said and "Đã đóng" not in said[0], said
    assert (await answers(session, checkin.id))[a.household_id].closed_at is None


async def test_revoked_tech_member_cannot_move_a_report(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await report(harness)
    message = card(harness, number)
    ward_id = (await row(session, number)).ward_id
    await revoke_role(session, TECH_A, Role.TECH_TEAM, ward_id=ward_id)
    for to in (1, 2, 4):
        said = texts(await harness.press(TECH_A, message, f"rs:{number}:{to}"))
        assert "Chỉ tổ công nghệ số" in said[0], said
    assert (await row(session, number)).status == "received"
    assert await session.scalar(select(func.count(StreetReportEvent.id))) == 1


async def test_forget_in_the_middle_of_a_report_drops_the_draft(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    await report(harness)  # something Loa holds, so /forget has work to do
    await start(harness)
    await harness.send(RESIDENT_ID, None, photo=True)
    await harness.send(RESIDENT_ID, None, extra=LOCATION)
    drafts = select(FsmRecord).where(FsmRecord.key.like(f"%{RESIDENT_ID}%"))
    assert (await session.scalars(drafts)).all(), "the draft is kept while writing"
    confirm = last_message(await harness.send(RESIDENT_ID, "/forget"))
    await harness.press_button(RESIDENT_ID, confirm, "Xóa dữ liệu")
    session.expire_all()
    leftover = [r for r in (await session.scalars(drafts)).all() if r.state or r.data]
    assert leftover == [], [(r.key, r.state, r.data) for r in leftover]
    stored = (await session.scalars(select(StreetReport))).all()
    assert stored and all(r.reporter_tg_id is None for r in stored)
    # Finishing the old draft after /forget stores nothing new.
    said = texts(await harness.send(RESIDENT_ID, "Cống tắc."))
    assert not any("Đã gửi phản ánh" in t for t in said), said
    assert len((await session.scalars(select(StreetReport))).all()) == len(stored)


async def test_vote_at_the_closing_second_is_refused(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    clock: ManualClock,
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Kín: có\nĐóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    await deliver(settings, sandbox, session_factory, {consult.notice_id})
    in_group = consult_message(sandbox, w["group"].chat_id)
    a, b = w["mine"][0], w["mine"][1]
    clock.set(consult.closes_at - timedelta(seconds=1))
    said = texts(await harness.press_button(a.telegram_id, in_group, "Đồng ý"))
    assert "Cảm ơn" in said[0], said
    clock.set(consult.closes_at)  # the exact closing second: closed
    said = texts(await harness.press_button(b.telegram_id, in_group, "Không đồng ý"))
    assert said and "Cảm ơn" not in said[0], said
    said = texts(await harness.press_button(a.telegram_id, in_group, "Không đồng ý"))
    assert said and "Đã đổi" not in said[0] and "Cảm ơn" not in said[0], said
    rows = await vote_rows(session, consult.id)
    assert len(rows) <= 1  # a secret ballot may keep counts only
    # Neither the group's message nor any notice shows who voted what.
    notices = (await session.scalars(select(Notice))).all()
    for n in notices:
        for needle in (str(a.telegram_id), a.address):
            assert needle not in n.text, (needle, n.text)


async def test_revoked_leader_cannot_enter_a_paper_ballot(
    harness: BotHarness, session: AsyncSession
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    house = (await household_without_telegram(session, w["group"].id)).address
    await revoke_role(session, LEADER_ID, Role.GROUP_LEADER, ward_id=w["ward_id"])
    said = texts(await harness.send(LEADER_ID, f"/consult_paper {consult.id} 1 {house}"))
    assert said and "Đã ghi phiếu" not in said[0], said
    said = texts(await harness.send(LEADER_ID, f"/consult_status {consult.id}"))
    assert said and "Chỉ người lập và cán bộ phường" in said[0], said  # found a hole: fixed
    said = texts(await harness.send(LEADER_ID, f"/consult_remind {consult.id}"))
    assert said and "Chỉ người lập và cán bộ phường" in said[0], said
    assert await vote_rows(session, consult.id) == []
    # The ward's official still follows it.
    said = texts(await harness.send(OFFICIAL_ID, f"/consult_status {consult.id}"))
    assert "Lấy ý kiến #" in said[0], said


FOREIGN_TECH = 100_000_012


async def test_tech_team_of_another_ward_cannot_take_a_need(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, groups=1, households=3)
    other = Ward(name="Phường Khác")
    session.add(other)
    await session.commit()
    await grant_role(session, FOREIGN_TECH, Role.TECH_TEAM, ward_id=other.id)
    checkin = await start_checkin(harness, session, session_factory, settings, sandbox)
    a = w["mine"][0]
    private = checkin_message(sandbox, a.telegram_id)
    ask = last_message(await harness.press_button(a.telegram_id, private, "Cần hỗ trợ"))
    await harness.press_button(a.telegram_id, ask, "Y tế")
    await harness.send(a.telegram_id, "/bo_qua")
    need = (await answers(session, checkin.id))[a.household_id]
    # A forged "cr:" press with the id of another ward's need: found a hole, fixed.
    for act in ("t", "c"):
        said = texts(await harness.press(FOREIGN_TECH, private, f"cr:{need.id}:{act}"))
        assert said and "đã nhận việc" not in said[0] and "Đã đóng" not in said[0], said
    row_now = (await answers(session, checkin.id))[a.household_id]
    assert (row_now.taken_by, row_now.closed_at) == (None, None)
    said = texts(await harness.send(FOREIGN_TECH, f"/checkin_status {checkin.id}"))
    assert a.address not in said[0], said


async def test_tech_team_of_another_ward_cannot_move_a_report(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await report(harness)
    message = card(harness, number)
    other = Ward(name="Phường Khác")
    session.add(other)
    await session.commit()
    await grant_role(session, FOREIGN_TECH, Role.TECH_TEAM, ward_id=other.id)
    for to in (1, 2, 4):
        said = texts(await harness.press(FOREIGN_TECH, message, f"rs:{number}:{to}"))
        assert "Chỉ tổ công nghệ số" in said[0], said
    assert (await row(session, number)).status == "received"
    assert await session.scalar(select(func.count(StreetReportEvent.id))) == 1


async def test_forged_vote_from_another_ward_is_refused(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    w = await setup(session)
    await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h")
    consult = (await session.scalars(select(Consultation))).one()
    await seed_synthetic(session, groups=1, households=2, ward_name="Phường Khác")
    mine = {p.telegram_id for p in w["mine"] + w["theirs"]}
    stranger = next(p for p in await people(session) if p.telegram_id not in mine)
    fake = {"message_id": 1, "chat": {"id": stranger.telegram_id, "type": "private"}, "text": "x"}
    said = texts(await harness.press(stranger.telegram_id, fake, f"cv:{consult.id}:0"))
    assert said and "Cảm ơn" not in said[0], said
    assert await vote_rows(session, consult.id) == []


async def test_two_takes_at_once_one_wins(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, groups=1, households=3)
    await grant_role(session, SECOND_OFFICIAL, Role.WARD_OFFICIAL, ward_id=w["ward_id"])
    checkin = await start_checkin(harness, session, session_factory, settings, sandbox)
    a = w["mine"][0]
    private = checkin_message(sandbox, a.telegram_id)
    ask = last_message(await harness.press_button(a.telegram_id, private, "Cần hỗ trợ"))
    await harness.press_button(a.telegram_id, ask, "Y tế")
    await harness.send(a.telegram_id, "/bo_qua")
    need = (await answers(session, checkin.id))[a.household_id]
    holders = RoleHolders(admin_ids=())

    async def take(user: int) -> str:
        async with session_factory() as s:
            principal = await holders.principal(s, user)
            assert principal is not None
            try:
                await checkin_board.take(s, need.id, principal)
            except Invalid as err:
                return err.key
            return "won"

    results = await asyncio.gather(take(OFFICIAL_ID), take(SECOND_OFFICIAL))
    assert sorted(results) == ["checkin.taken_already", "won"], results
    taken = (await answers(session, checkin.id))[a.household_id].taken_by
    assert taken in (OFFICIAL_ID, SECOND_OFFICIAL)


async def test_public_page_escapes_and_hides_the_reporter(
    harness: BotHarness, session: AsyncSession, settings: Settings, engine: AsyncEngine
) -> None:
    await make_world(harness, session)
    number = await report(harness, text="<script>alert(1)</script> gọi +84 912 345 678")
    await harness.send(
        TECH_A, "Đã gọi số 0912345678", chat_id=STAFF_CHAT,
        reply_to=card(harness, number)["message_id"],
    )  # fmt: skip
    async with TestClient(TestServer(create_web_app(settings, engine))) as client:
        html = await (await client.get("/r/phuong-song-cau")).text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Đã gọi số ***" in html
    for needle in ("912 345 678", "0912345678", str(RESIDENT_ID), str(TECH_A), "Bà Lan"):
        assert needle not in html, needle
