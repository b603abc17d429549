"""Safety check-in: an official asks, households answer (one row each), a need is described
and located, the leader chases the missing and marks by phone, officials follow the board and
take needs (one taker wins). Refusals change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import Checkin, CheckinAnswer, Notice, NoticeStatus, Role, Urgency, Ward
from sandbox import Sandbox
from tests.delivery_kit import deliver
from tests.engagement.kit import setup
from tests.harness import LEADER_ID, OFFICIAL_ID, BotHarness, last_message, texts

TECH_ID = 100_000_007
FOREIGN_OFFICIAL = 100_000_009


def checkin_message(sandbox: Sandbox, chat_id: int) -> dict[str, Any]:
    """The last message with check-in buttons ("ci:…") the bot sent to this chat."""
    for c in reversed(sandbox.calls):
        r = c.result if isinstance(c.result, dict) else None
        rows = ((r or {}).get("reply_markup") or {}).get("inline_keyboard") or []
        if c.ok and r and r["chat"]["id"] == chat_id and rows:
            if rows[0][0]["callback_data"].startswith("ci:"):
                return r
    raise AssertionError(f"no check-in sent to {chat_id}")


async def answers(session: AsyncSession, checkin_id: int) -> dict[int, CheckinAnswer]:
    stmt = select(CheckinAnswer).where(CheckinAnswer.checkin_id == checkin_id)
    rows = await session.scalars(stmt.execution_options(populate_existing=True))
    return {a.household_id: a for a in rows}


async def start(
    harness: BotHarness,
    session: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    first_line: str = "/checkin",
) -> Checkin:
    said = texts(await harness.send(OFFICIAL_ID, first_line + "\nMưa lũ đêm 8/12"))
    assert said[0].startswith("✅ Đã gửi hỏi thăm an toàn #"), said
    checkin = (await session.scalars(select(Checkin).order_by(Checkin.id.desc()))).first()
    assert checkin is not None
    await deliver(settings, sandbox, factory, {checkin.notice_id})
    return checkin


async def test_checkin_end_to_end(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, groups=2, households=8)
    group, mine, theirs = w["group"], w["mine"], w["theirs"]
    await grant_role(session, TECH_ID, Role.TECH_TEAM, ward_id=w["ward_id"])

    # A leader cannot start one; an official can, for the whole ward, with no second official.
    refused = texts(await harness.send(LEADER_ID, "/checkin\nMưa lũ"))
    assert "Chỉ cán bộ phường" in refused[0]
    checkin = await start(harness, session, session_factory, settings, sandbox)
    notice = await session.get(Notice, checkin.notice_id, populate_existing=True)
    assert notice is not None and notice.kind == "checkin"
    assert notice.urgency is Urgency.EMERGENCY and notice.status is not NoticeStatus.DRAFT
    assert len(checkin.group_ids) == 2

    in_group = checkin_message(sandbox, group.chat_id)
    assert "Mưa lũ đêm 8/12" in in_group["text"]
    labels = [b["text"] for row in in_group["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ An toàn", "🆘 Cần hỗ trợ", "🏠 Không có nhà"]
    assert checkin_message(sandbox, mine[0].telegram_id)  # every resident, privately too
    assert checkin_message(sandbox, theirs[0].telegram_id)

    a, b = mine[0], mine[1]
    said = texts(await harness.press_button(a.telegram_id, in_group, "An toàn"))
    assert said == [f"Cảm ơn! Đã ghi nhận hộ {a.address}: ✅ An toàn."]
    said = texts(await harness.press_button(a.telegram_id, in_group, "An toàn"))
    assert "đã trả lời" in said[0]
    # A second press replaces the first; "Cần hỗ trợ" asks what kind, in private.
    calls = await harness.press_button(a.telegram_id, in_group, "Cần hỗ trợ")
    said = texts(calls)
    assert said[0] == f"Đã đổi câu trả lời của hộ {a.address} thành: 🆘 Cần hỗ trợ."
    ask = last_message(calls)
    assert ask["chat"]["id"] == a.telegram_id and "cần hỗ trợ gì" in ask["text"]
    calls = await harness.press_button(a.telegram_id, ask, "Y tế")
    assert "vị trí" in texts(calls)[-1]
    location = {"location": {"latitude": 22.14701, "longitude": 105.83482}}
    said = texts(await harness.send(a.telegram_id, None, extra=location))
    assert said == ["📍 Đã ghi nơi ở. Cán bộ sẽ liên hệ sớm."]
    # Another household needs help and types an address.
    private = checkin_message(sandbox, b.telegram_id)
    ask = last_message(await harness.press_button(b.telegram_id, private, "Cần hỗ trợ"))
    await harness.press_button(b.telegram_id, ask, "Sơ tán")
    said = texts(await harness.send(b.telegram_id, "Nhà văn hóa, số 5 Ngõ 2"))
    assert said == ["📍 Đã ghi nơi ở. Cán bộ sẽ liên hệ sớm."]
    rows = await answers(session, checkin.id)
    assert len(rows) == 2
    assert (rows[a.household_id].status, rows[a.household_id].need) == ("can_ho_tro", "y_te")
    assert rows[a.household_id].place == "22.14701,105.83482"
    assert rows[b.household_id].place == "Nhà văn hóa, số 5 Ngõ 2"

    # The leader sees the households of their group that have not answered, marks one by phone.
    missing = texts(await harness.send(LEADER_ID, f"/checkin_missing {checkin.id}"))[0]
    assert f"{len(mine) - 2} hộ chưa trả lời" in missing
    assert mine[2].address in missing and theirs[0].address not in missing
    said = texts(
        await harness.send(LEADER_ID, f"/checkin_mark {checkin.id} {mine[2].address} khong_co_nha")
    )
    assert said == [f"📞 Đã ghi theo điện thoại, hộ {mine[2].address}: 🏠 Không có nhà."]
    marked = (await answers(session, checkin.id))[mine[2].household_id]
    assert marked.by_phone and marked.answered_by == LEADER_ID

    # Officials: the board by group and the needs; take (one wins) and close.
    status = texts(await harness.send(OFFICIAL_ID, f"/checkin_status {checkin.id}"))[0]
    assert f"{group.name}: 3/{len(mine)} hộ đã trả lời" in status
    assert "an toàn 0 · cần hỗ trợ 2 · không có nhà 1" in status
    assert f"{a.address}: 🏥 Y tế; nơi ở: 22.14701,105.83482 (chưa ai nhận)" in status
    board = last_message(await harness.send(OFFICIAL_ID, f"/checkin_status {checkin.id}"))
    need_a = rows[a.household_id].id
    said = texts(await harness.press_button(OFFICIAL_ID, board, f"Nhận #{need_a}"))
    assert said == [f"Ông/bà đã nhận việc #{need_a}. Khi xong, bấm «Xong» trong /checkin_status."]
    said = texts(await harness.press_button(TECH_ID, board, f"Nhận #{need_a}"))
    assert said[0].startswith("Việc này đã có người nhận:")
    taken = (await answers(session, checkin.id))[a.household_id]
    assert taken.taken_by == OFFICIAL_ID
    board = last_message(await harness.send(OFFICIAL_ID, f"/checkin_status {checkin.id}"))
    said = texts(await harness.press_button(OFFICIAL_ID, board, f"Xong #{need_a}"))
    assert said == [f"Đã đóng việc #{need_a}. Cảm ơn!"]
    assert (await answers(session, checkin.id))[a.household_id].closed_at is not None
    # The tech team takes the other need.
    need_b = rows[b.household_id].id
    said = texts(await harness.press_button(TECH_ID, board, f"Nhận #{need_b}"))
    assert said[0].startswith("Ông/bà đã nhận việc")


async def test_checkin_refusals_change_nothing(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, groups=2, households=6)
    group, mine, theirs = w["group"], w["mine"], w["theirs"]
    other = Ward(name="Phường Khác")
    session.add(other)
    await session.commit()
    await grant_role(session, FOREIGN_OFFICIAL, Role.WARD_OFFICIAL, ward_id=other.id)
    await grant_role(session, TECH_ID, Role.TECH_TEAM, ward_id=w["ward_id"])
    checkin = await start(
        harness, session, session_factory, settings, sandbox, f"/checkin {group.name}"
    )
    assert checkin.group_ids == [group.id]
    msg = checkin_message(sandbox, group.chat_id)
    cid = checkin.id

    said = texts(await harness.press_button(theirs[0].telegram_id, msg, "An toàn"))
    assert "dành cho các hộ của tổ khác" in said[0]
    said = texts(await harness.press_button(55_555, msg, "An toàn"))
    assert "chưa đăng ký hộ" in said[0]
    said = texts(await harness.press(mine[0].telegram_id, msg, f"ci:{cid}:7"))
    assert said and "Cảm ơn" not in said[0]  # a forged answer index
    said = texts(await harness.press(mine[0].telegram_id, msg, "ci:999:0"))
    assert "Không có đợt hỏi thăm số 999" in said[0]
    said = texts(await harness.press(mine[0].telegram_id, msg, f"cn:{cid}:0"))
    assert "chưa chọn «Cần hỗ trợ»" in said[0]  # a need without having asked for help
    # A leader marking a household of another group; a resident marking; a foreign official.
    said = texts(await harness.send(LEADER_ID, f"/checkin_mark {cid} {theirs[0].address} an_toan"))
    assert said and "Đã ghi" not in said[0]
    said = texts(
        await harness.send(mine[1].telegram_id, f"/checkin_mark {cid} {mine[0].address} an_toan")
    )
    assert said and "Đã ghi" not in said[0]
    said = texts(await harness.send(FOREIGN_OFFICIAL, f"/checkin_status {cid}"))
    assert "Chỉ cán bộ phường" in said[0]
    said = texts(await harness.send(FOREIGN_OFFICIAL, f"/checkin_missing {cid}"))
    assert "Chỉ cán bộ phường" in said[0]
    said = texts(await harness.send(LEADER_ID, f"/checkin_status {cid}"))
    assert "Chỉ cán bộ phường" in said[0]
    said = texts(await harness.send(mine[1].telegram_id, f"/checkin_missing {cid}"))
    assert "Chỉ cán bộ phường" in said[0]
    assert await answers(session, cid) == {}

    # /bo_qua skips the place; a resident, a leader or a foreign official cannot take a need
    # (a forged "cr:" press), the tech team cannot close one they have not taken.
    private = checkin_message(sandbox, mine[0].telegram_id)
    ask = last_message(await harness.press_button(mine[0].telegram_id, private, "Cần hỗ trợ"))
    await harness.press_button(mine[0].telegram_id, ask, "Lương thực")
    said = texts(await harness.send(mine[0].telegram_id, "/bo_qua"))
    assert said == ["Đã bỏ qua. Cán bộ sẽ liên hệ theo địa chỉ của hộ."]
    need = (await answers(session, cid))[mine[0].household_id]
    assert (need.need, need.place) == ("luong_thuc", None)
    for who in (mine[1].telegram_id, LEADER_ID, FOREIGN_OFFICIAL):
        said = texts(await harness.press(who, msg, f"cr:{need.id}:t"))
        assert said and "đã nhận việc" not in said[0]
    said = texts(await harness.press(TECH_ID, msg, f"cr:{need.id}:c"))  # not taken by them
    assert said and "Chỉ người đã nhận việc" in said[0]
    need = (await answers(session, cid))[mine[0].household_id]
    assert need.taken_by is None
