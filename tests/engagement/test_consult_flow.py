"""A group leader asks their households; residents vote in the group chat and privately; the
leader enters a paper ballot, follows turnout, reminds; at closing the result goes out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.engagement import turnout
from bot.texts import Catalog
from models import AuditEntry, Consultation, Delivery, Notice, Resident, utcnow
from models.clock import ManualClock
from sandbox import Sandbox
from tests.delivery_kit import deliver
from tests.engagement.kit import (
    FORM,
    consult_message,
    household_without_telegram,
    raw_counts,
    setup,
    tallies,
    vote_rows,
)
from tests.harness import LEADER_ID, OFFICIAL_ID, BotHarness, texts


async def test_leader_consultation_end_to_end(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    clock: ManualClock,
) -> None:
    w = await setup(session)
    group, mine, theirs = w["group"], w["mine"], w["theirs"]
    chat = group.chat_id
    paper_house = await household_without_telegram(session, group.id)

    reply = texts(await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h"))
    assert reply[0].startswith("✅ Đã gửi cuộc lấy ý kiến #1.")
    consult = (await session.scalars(select(Consultation))).one()
    assert consult.group_ids == [group.id] and not consult.secret and consult.quorum_pct == 50
    notice = await session.get(Notice, consult.notice_id)
    assert notice is not None and notice.kind == "consult"
    await deliver(settings, sandbox, session_factory, {notice.id})

    in_group = consult_message(sandbox, chat)
    assert "Mỗi hộ góp 200.000 đồng" in in_group["text"]
    buttons = [b for row in in_group["reply_markup"]["inline_keyboard"] for b in row]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("1. Đồng ý", f"cv:{consult.id}:0"),
        ("2. Không đồng ý", f"cv:{consult.id}:1"),
    ]
    # Every registered resident of the group also has it in a private chat, other groups not.
    assert consult_message(sandbox, mine[0].telegram_id)
    delivered = set(await session.scalars(select(Delivery.chat_id)))
    assert not {p.telegram_id for p in theirs} & delivered

    first, second, third = mine[0], mine[1], mine[2]
    said = texts(await harness.press_button(first.telegram_id, in_group, "Đồng ý"))
    assert said == [f"✅ Cảm ơn! Đã ghi nhận ý kiến của hộ {first.address}: Đồng ý."]
    said = texts(await harness.press_button(first.telegram_id, in_group, "1. Đồng ý"))
    assert "đã chọn «Đồng ý» rồi" in said[0]
    # Another member of the same household changes the household's vote.
    session.add(
        Resident(
            telegram_id=first.telegram_id + 777_000,
            display_name="Con",
            household_id=first.household_id,
            consent_at=utcnow(),
        )
    )
    await session.commit()
    said = texts(await harness.press_button(first.telegram_id + 777_000, in_group, "Không đồng ý"))
    assert said == [f"✅ Đã đổi ý kiến của hộ {first.address} thành: Không đồng ý."]
    await harness.press_button(second.telegram_id, in_group, "1. Đồng ý")
    private = consult_message(sandbox, third.telegram_id)
    await harness.press_button(third.telegram_id, private, "1. Đồng ý")

    # Refused, and nothing changes: another group, a stranger, forged buttons.
    other = texts(await harness.press_button(theirs[0].telegram_id, in_group, "Đồng ý"))
    assert "dành cho các hộ của tổ khác" in other[0]
    stranger = texts(await harness.press_button(55_555, in_group, "Đồng ý"))
    assert "chưa đăng ký hộ" in stranger[0]
    forged = texts(await harness.press(second.telegram_id, in_group, f"cv:{consult.id}:4"))
    assert "không hợp lệ" in forged[0]
    forged = texts(await harness.press(second.telegram_id, in_group, "cv:999:0"))
    assert "Không có cuộc lấy ý kiến số 999" in forged[0]
    forged = texts(await harness.press(second.telegram_id, in_group, f"cv:{consult.id}:9"))
    assert forged and "Đồng ý" not in forged[0]  # out of range for any consultation
    assert await tallies(session, consult.id) == {0: 2, 1: 1}

    # Paper ballot: the leader enters it; a resident and the other group's side cannot.
    said = texts(await harness.send(LEADER_ID, f"/consult_paper {consult.id} 2 99 Ngõ Giấy"))
    assert said == ["📝 Đã ghi phiếu giấy của hộ 99 Ngõ Giấy: Không đồng ý."]
    said = texts(
        await harness.send(first.telegram_id, f"/consult_paper {consult.id} 1 99 Ngõ Giấy")
    )
    assert said and "Giấy:" not in said[0]
    rows = {r.household_id: r for r in await vote_rows(session, consult.id)}
    assert rows[paper_house.id].paper and rows[paper_house.id].voter_id == LEADER_ID

    # Turnout: the author and officials; not a resident, not another group's leader.
    status = texts(await harness.send(LEADER_ID, f"/consult_status {consult.id}"))[0]
    households = len(mine) + 1
    assert "1. Đồng ý: 2 hộ" in status and "2. Không đồng ý: 2 hộ" in status
    assert f"4/{households} hộ đã cho ý kiến (1 phiếu giấy)" in status
    assert texts(await harness.send(OFFICIAL_ID, f"/consult_status {consult.id}"))[0] == status
    refused = texts(await harness.send(theirs[0].telegram_id, f"/consult_status {consult.id}"))
    assert "Chỉ người lập và cán bộ phường" in refused[0]

    # A reminder goes only to residents of households that have not voted, with the buttons.
    said = texts(await harness.send(LEADER_ID, f"/consult_remind {consult.id}"))
    assert said == [f"🔔 Đã nhắc {len(mine) - 3} người của các hộ chưa cho ý kiến."]
    reminder = (await session.scalars(select(Notice).where(Notice.parent_id == notice.id))).one()
    await deliver(settings, sandbox, session_factory, {reminder.id})
    late = consult_message(sandbox, mine[3].telegram_id)
    assert late["text"].count("Nhắc") == 1
    reminded = set(
        await session.scalars(select(Delivery.chat_id).where(Delivery.notice_id == reminder.id))
    )
    assert first.telegram_id not in reminded and mine[3].telegram_id in reminded
    said = texts(await harness.press_button(mine[3].telegram_id, late, "2. Không"))
    assert "Cảm ơn" in said[0]  # a reminder's button counts for the consultation

    # Closing: a vote after closing changes nothing; the job sends the result once.
    clock.set(consult.closes_at + timedelta(minutes=1))
    closed = texts(await harness.press_button(second.telegram_id, in_group, "Không đồng ý"))
    assert "đã kết thúc" in closed[0]
    results = await turnout.close_due(session_factory, settings, Catalog())
    assert len(results) == 1
    assert await turnout.close_due(session_factory, settings, Catalog()) == []
    await deliver(settings, sandbox, session_factory, set(results))
    result = [c.params["text"] for c in sandbox.calls_for("sendMessage", chat_id=chat)][-1]
    assert "KẾT QUẢ LẤY Ý KIẾN CÁC HỘ" in result
    assert "1. Đồng ý: 2 hộ" in result and "2. Không đồng ý: 3 hộ" in result
    voted = 5
    assert f"Tổng cộng: {voted}/{households} hộ" in result
    met = "Đủ số hộ tham gia" if 2 * voted > households else "Chưa đủ số hộ tham gia"
    assert met in result

    # The counts equal the raw rows; the audit shows every change of an open ballot.
    assert await tallies(session, consult.id) == await raw_counts(session, consult.id)
    actions = list(
        await session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"consult:{consult.id}")
        )
    )
    assert actions.count("consult.vote_changed") == 1 and "consult.closed" in actions
