"""Residents' side: "is this official?" for forwarded messages, /start n-<id>, /notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.notices import manage as notice_admin
from bot.services.notices.verify import normalize
from broadcasts import audience, outbox
from models import Household, Notice, Resident, ResidentialGroup, Urgency
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, notice, ward
from tests.harness import OFFICIAL_ID, RESIDENT_ID, BotHarness, last_message, texts

VACCINE = "Lịch tiêm chủng cho trẻ dưới 5 tuổi tại trạm y tế phường lúc 7h30 sáng thứ Hai 12/5."
ALTERED = "Lịch tiêm chủng cho trẻ dưới 5 tuổi tại trạm y tế phường lúc 9h sáng thứ Ba, nộp 200k."


def from_bot(harness: BotHarness) -> dict[str, Any]:
    """Forwarded from a message Loa itself sent (its own user id)."""
    bot = {"id": harness.bot.id, "is_bot": True, "first_name": "Loa"}
    return {"type": "user", "date": 1_700_000_000, "sender_user": bot}


async def test_forwarded_messages_are_checked_against_published_notices(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    chat = (await group_chats(session))[0]
    n = await notice(session, ward_id, VACCINE)
    recalled = await notice(
        session, ward_id, "Tạm dừng cấp nước khu phố 2 từ 8h đến 17h ngày mai."
    )
    await deliver(settings, sandbox, session_factory, {n.id, recalled.id})
    copy = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chat))
    assert copy["text"].startswith("📢 THÔNG BÁO")  # the forwarded copy carries the header
    await notice_admin.recall(session, recalled.id, OFFICIAL_ID)

    official = texts(
        await harness.send(RESIDENT_ID, copy["text"], forward_origin=from_bot(harness))
    )
    assert "✅ Đây là thông báo chính thức của Phường Test, gửi lúc" in official[0]
    assert f"https://t.me/loa_phuong_bot?start=n-{n.id}" in official[0]
    assert "thu hồi" not in official[0] and "đính chính" not in official[0]

    group_origin = {
        "type": "chat",
        "date": 1_700_000_000,
        "sender_chat": {"id": chat, "type": "supergroup", "title": "Tổ 1"},
    }
    altered = texts(await harness.send(RESIDENT_ID, ALTERED, forward_origin=group_origin))[0]
    assert f"⚠️ Tin này giống thông báo #{n.id}" in altered and "đã bị sửa" in altered
    assert VACCINE in altered  # the official text is shown

    gone = texts(
        await harness.send(
            RESIDENT_ID,
            "❌ ĐÃ HỦY\n📢 THÔNG BÁO\n\nTạm dừng cấp nước khu phố 2 từ 8h đến 17h ngày mai.",
            forward_origin=from_bot(harness),
        )
    )[0]
    assert "chính thức" in gone and "đã bị thu hồi" in gone

    fake = texts(
        await harness.send(
            RESIDENT_ID,
            "Mỗi hộ nộp 500 nghìn phí vệ sinh qua số tài khoản sau",
            forward_origin=RESIDENT_ID + 1,
        )
    )
    assert fake == [
        "❌ Tin này không phải do Loa gửi. Đừng chuyển tiền hay đọc mã OTP theo tin này. "
        "Hãy hỏi tổ trưởng hoặc Ủy ban nhân dân phường trước khi làm theo."
    ]
    ours = texts(
        await harness.send(RESIDENT_ID, "Bạn đang ở Tổ 1", forward_origin=from_bot(harness))
    )
    assert "không phải một thông báo hiện hành" in ours[0]
    photo = texts(
        await harness.send(RESIDENT_ID, None, photo=True, forward_origin=RESIDENT_ID + 1)
    )
    assert "không kiểm tra được" in photo[0]
    captioned = await harness.send(
        RESIDENT_ID, None, photo=True, caption=VACCINE, forward_origin=RESIDENT_ID + 1
    )
    assert "chính thức" in texts(captioned)[0]


async def test_a_corrected_notice_is_still_recognised(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    n = await notice(session, ward_id, VACCINE, created_by=OFFICIAL_ID)
    await deliver(settings, sandbox, session_factory, {n.id})
    await notice_admin.correct(session, n.id, VACCINE.replace("7h30", "8h"), OFFICIAL_ID)
    new = "✏️ ĐÍNH CHÍNH\n📢 THÔNG BÁO\n\n" + VACCINE.replace("7h30", "8h")
    answer = texts(await harness.send(RESIDENT_ID, new, forward_origin=from_bot(harness)))[0]
    assert "chính thức" in answer and "đã được đính chính" in answer
    old = texts(await harness.send(RESIDENT_ID, VACCINE, forward_origin=from_bot(harness)))[0]
    assert "đã bị sửa" in old and "đã được đính chính" in old  # maybe the earlier version


def test_header_lines_are_stripped_in_either_language() -> None:
    body = "Họp tổ  lúc 19h"
    assert normalize(f"🔴 KHẨN CẤP\n\n{body}") == "họp tổ lúc 19h"
    assert normalize(f"✏️ CORRECTION\n📢 NOTICE\n\n{body}") == "họp tổ lúc 19h"
    assert normalize("📢 THÔNG BÁO") == ""


async def test_deep_link_shows_the_notice_as_residents_see_it(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    n = await notice(session, ward_id, "Bão số 3 <cấp 12>", Urgency.URGENT)
    gone = await notice(session, ward_id, "Họp tổ bị hoãn")
    internal = await notice(session, ward_id, "Họp tổ trưởng", kind="leaders")
    await deliver(settings, sandbox, session_factory, {n.id, gone.id, internal.id})
    await notice_admin.recall(session, gone.id, OFFICIAL_ID)

    shown = last_message(await harness.send(RESIDENT_ID, f"/start n-{n.id}"))
    assert shown["text"] == "🟠 THÔNG BÁO KHẨN — Ủy ban nhân dân Phường Test\n\nBão số 3 <cấp 12>"
    button = shown["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "✅ Đã nhận" and button["callback_data"] == f"ack:{n.id}"
    calls = await harness.send(RESIDENT_ID, f"/start n-{gone.id}")
    struck = next(c for c in calls if c.method == "sendMessage")
    assert "ĐÃ HỦY" in struck.params["text"] and "<s>Họp tổ bị hoãn</s>" in struck.params["text"]
    assert "reply_markup" not in struck.params
    assert (
        "Không tìm thấy thông báo số 999"
        in texts(await harness.send(RESIDENT_ID, "/start n-999"))[0]
    )
    assert "Không tìm thấy" in texts(await harness.send(RESIDENT_ID, f"/start n-{internal.id}"))[0]


async def test_notices_lists_what_reached_the_residents_group(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=1)
    g1, g2 = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    member = await session.scalar(
        select(Resident.telegram_id)
        .join(Household, Household.id == Resident.household_id)
        .where(Household.group_id == g1.id)
    )
    assert member is not None
    everyone = await notice(session, ward_id, "Ngày hội đại đoàn kết toàn dân tộc")
    mine, _ = await outbox.enqueue(
        session, ward_id=ward_id, text="Tổ 1: họp tổ lúc 19h " + "rất quan trọng " * 10,
        audience=audience.spec("groups", [g1.id]), urgency=Urgency.URGENT,
    )  # fmt: skip
    theirs, _ = await outbox.enqueue(
        session,
        ward_id=ward_id,
        text="Chỉ tổ 2: dọn vệ sinh",
        audience=audience.spec("groups", [g2.id]),
    )
    old = await notice(session, ward_id, "Thông báo tháng trước")
    reminder = await notice(session, ward_id, "Nhắc lại: ngày hội")
    await deliver(settings, sandbox, session_factory, None)
    assert old.queued_at is not None
    old.queued_at = old.queued_at - timedelta(days=40)
    reminder.parent_id = everyone.id
    await session.commit()

    reply = last_message(await harness.send(member, "/notices"))
    text = reply["text"]
    assert "Ngày hội đại đoàn kết" in text and "Tổ 1: họp tổ" in text
    assert "dọn vệ sinh" not in text and "tháng trước" not in text and "Nhắc lại" not in text
    assert text.index("Tổ 1: họp tổ") < text.index("Ngày hội")  # newest first
    assert "…" in text and "rất quan trọng " * 4 not in text  # first line cut to 60
    assert "chỉ nhận tin khẩn" in text and "/notices_private" in text
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [f"nv:{mine.id}", f"nv:{everyone.id}"]
    assert f"nv:{theirs.id}" not in str(buttons)
    opened = last_message(await harness.press_button(member, reply, f"#{mine.id}"))
    assert opened["text"].startswith("🟠 THÔNG BÁO KHẨN") and "họp tổ lúc 19h" in opened["text"]

    assert "chưa đăng ký" in texts(await harness.send(RESIDENT_ID, "/notices"))[0]


async def test_outbox_pins_urgent_notices_only(session: AsyncSession) -> None:
    ward_id = await ward(session, groups=1, households=1)
    normal = await notice(session, ward_id, "Bình thường")
    urgent, _ = await outbox.enqueue(
        session, ward_id=ward_id, text="Khẩn", audience={"kind": "ward"}, urgency=Urgency.EMERGENCY
    )
    assert not normal.pin and urgent.pin
    assert (await session.get(Notice, urgent.id)) is urgent


def test_a_header_naming_its_issuer_is_still_a_header() -> None:
    assert normalize("📢 THÔNG BÁO — Ủy ban nhân dân Phường Sông Cầu\n\nHọp tổ") == "họp tổ"
    assert normalize("✏️ ĐÍNH CHÍNH\n🟠 THÔNG BÁO KHẨN — Tổ trưởng Tổ 13\nHọp tổ") == "họp tổ"
