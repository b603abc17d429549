"""/announce: an official composes, a second official approves, residents receive and ack."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import (
    Acknowledgement,
    AuditEntry,
    Notice,
    NoticeStatus,
    ResidentialGroup,
    Role,
    Urgency,
)
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, resident_in
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts
from tests.notices.announce_kit import Composer, day_after, notice_row, ward_with_official


def card_for(sandbox: Sandbox, chat_id: int) -> dict[str, Any]:
    cards = [c.result for c in sandbox.calls_for("sendMessage", chat_id=chat_id)
             if c.ok and "chờ duyệt" in c.params.get("text", "")]  # fmt: skip
    assert cards, "no approval card"
    return cards[-1]


async def test_screening_from_template_to_approval_delivery_and_acks(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward_with_official(session)
    c = Composer(harness)
    assert "Soạn thông báo" in (await c.say("/announce"))[0]
    await c.tap("Dùng mẫu")
    out = await c.tap("Khám sàng lọc")
    assert any("Đơn vị" in t for t in out)
    out = await c.say("Trạm Y tế phường Sông Cầu")
    assert any("bệnh" in t for t in out)
    out = await c.say("bệnh đái tháo đường")
    assert any("khám sàng lọc bệnh đái tháo đường miễn phí" in t for t in out)
    assert any("ngày nào" in t for t in out)
    assert "Ngày này" in (await c.say("32/13"))[0] or "Không hiểu ngày" in texts(c.calls)[0]
    assert "đã qua" in (await c.say("01/01/2020"))[0]
    await c.say(day_after(1, settings.tz))
    await c.tap("07:30")
    await c.tap("Giữ")  # the template's place
    await c.tap("Giữ")  # who
    await c.tap("Giữ")  # what to bring
    await c.tap("Toàn phường")
    await c.tap("Bình thường")
    await c.tap("Gửi ngay")
    out = await c.tap("Khi sự kiện kết thúc")
    preview, summary = out[-2], out[-1]
    # who speaks, named in the header
    assert preview.startswith("<b>📢 THÔNG BÁO — Ủy ban nhân dân Phường Test</b>")
    assert (
        "📍 Địa điểm: Trạm Y tế phường" in preview and "🎒 Mang theo: CCCD và thẻ BHYT" in preview
    )
    shown = c.calls[-2].result["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in shown] == ["✅ Đã nhận", "🙋 Tôi sẽ tham gia"]
    assert "Báo gấp" in summary and "Cần một cán bộ khác duyệt" in summary
    pressed = texts(await harness.press(RESIDENT_ID, c.calls[-2].result, "ack:0"))
    assert "xem trước" in pressed[0]
    out = await c.tap("Gửi khẩn")  # short notice: private chats and a pin
    assert out[-2].startswith("<b>🟠 THÔNG BÁO KHẨN — Ủy ban nhân dân Phường Test</b>")
    assert "Sẽ ghim" in out[-1]
    assert await session.scalar(select(Notice.id)) is None  # nothing exists before submitting
    out = await c.tap("Gửi để duyệt")
    assert "chờ duyệt" in out[-1] or "để duyệt" in out[-1]
    n = await notice_row(session)
    assert n.status is NoticeStatus.PENDING_APPROVAL and n.urgency is Urgency.URGENT and n.pin
    assert (
        n.kind == "event"
        and n.event_at is not None
        and n.expires_at is not None
        and n.expires_at > n.event_at
    )

    card = card_for(sandbox, ADMIN_ID)
    own = texts(await harness.press_button(OFFICIAL_ID, card, "Duyệt"))
    assert "không thể tự duyệt" in own[0]
    stranger = texts(await harness.press_button(RESIDENT_ID, card, "Duyệt"))
    assert "không có quyền" in stranger[0]
    assert (await notice_row(session)).status is NoticeStatus.PENDING_APPROVAL

    approved = await harness.press_button(ADMIN_ID, card, "Duyệt")
    assert any("đã được" in t and "duyệt" in t for t in texts(approved))
    told = [c.params["text"] for c in sandbox.calls_for("sendMessage", chat_id=OFFICIAL_ID)]
    assert any(f"#{n.id} của bạn đã được" in t for t in told)
    again = texts(await harness.press_button(ADMIN_ID, card, "Duyệt"))
    assert "duyệt trước đó" in again[-1]  # the second press is told who decided

    await deliver(settings, sandbox, session_factory, {n.id})
    chats = await group_chats(session)
    for chat in chats:
        sent = [c for c in sandbox.calls_for("sendMessage", chat_id=chat) if c.ok]
        assert len(sent) == 1 and "khám sàng lọc" in sent[0].params["text"]
    assert sandbox.count("pinChatMessage") == len(chats)
    got = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[0]) if c.ok)
    member = await resident_in(session, chats[0])
    await harness.press_button(member, got, "Đã nhận")
    assert await session.scalar(select(Acknowledgement.notice_id)) == n.id
    actions = list(
        await session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"notice:{n.id}")
            .order_by(AuditEntry.id)
        )
    )  # fmt: skip
    assert actions == ["notice.drafted", "notice.submitted", "notice.approved", "notice.queued"]
    assert ward_id


async def test_bad_input_is_refused_and_changes_nothing(
    harness: BotHarness, session: AsyncSession, settings: Settings, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    resident = Composer(harness, RESIDENT_ID)
    assert "không có quyền" in (await resident.say("/announce"))[0]
    c = Composer(harness)
    await c.say("/announce")
    await c.tap("Thông báo")
    assert "trống" in (await c.say(None, sticker=True))[0]
    assert "trống" in (await c.say("   "))[0]
    assert "đang soạn thông báo" in (await c.say("/help"))[0]
    out = await c.say("A" * 5000)
    assert "5000 ký tự, tối đa 4000" in out[0]
    await c.say("Cắt nước thứ Bảy")
    await c.tap("Chọn tổ")
    out = await c.tap("Xong")
    assert "ít nhất một tổ" in out[0]
    await c.tap("Tổ 1")
    await c.tap("Xong, đã chọn 1 tổ")
    await c.tap("Bình thường")
    await c.tap("Hẹn giờ")
    assert "đã qua" in (await c.say("01/01/2020"))[0]
    await c.say(day_after(3, settings.tz))
    assert "Không hiểu giờ" in (await c.say("25:99"))[0]
    await c.say("8h")
    await c.tap("Chọn ngày")
    out = await c.say(day_after(1, settings.tz))  # expires before it is sent
    assert "Hạn phải sau thời điểm gửi" in out[0] and "hết hạn" in out[1]
    out = await c.tap("7 ngày")
    assert "Tổ 1" in out[-1] and "Cần một cán bộ khác" not in out[-1]  # one group: no approval
    assert await session.scalar(select(Notice.id)) is None
    assert "Đã hủy bản nháp" in (await c.tap("Hủy"))[0]
    assert await harness.dp.storage.get_state(_key(harness, OFFICIAL_ID)) is None
    assert await session.scalar(select(Notice.id)) is None


def _key(harness: BotHarness, user: int) -> StorageKey:
    return StorageKey(bot_id=harness.bot.id, chat_id=user, user_id=user)


async def test_leader_posts_to_own_group_only_and_the_draft_survives_a_restart(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    engine: AsyncEngine,
) -> None:
    await ward_with_official(session, groups=3)
    for name in ("Tổ 2", "Tổ 3"):
        await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=name)
    c = Composer(harness, LEADER_ID)
    await c.say("/announce")
    await c.tap("Thông báo")
    await c.say("Tối nay 19h30 họp tổ tại nhà văn hóa.")
    labels = [b["text"] for row in c.last["reply_markup"]["inline_keyboard"] for b in row]
    assert "⬜ Tổ 2" in labels and "⬜ Tổ 3" in labels and "⬜ Tổ 1" not in labels
    g1 = await session.scalar(select(ResidentialGroup.id).where(ResidentialGroup.name == "Tổ 1"))
    forged = texts(await harness.press(LEADER_ID, c.last, f"an:g:{g1}"))
    assert "chỉ gửi được cho tổ của mình" in forged[0]
    await c.tap("Tổ 2")
    await c.tap("Xong")

    restarted = BotHarness(settings, sandbox, engine, session_factory)  # a new process
    try:
        c.h = restarted
        await c.tap("Bình thường")
        await c.tap("Gửi ngay")
        out = await c.tap("Không hết hạn")
        assert "Tổ 2" in out[-1] and "Gửi tới" in out[-1]
        out = await c.tap("🚀 Gửi")
    finally:
        await restarted.close()
    n = await notice_row(session)
    assert n.status is NoticeStatus.QUEUED and n.audience["kind"] == "groups"
    assert n.created_by == LEADER_ID and not n.pin
    await deliver(settings, sandbox, session_factory, {n.id})
    chats = await group_chats(session)
    assert not [x for x in sandbox.calls_for("sendMessage", chat_id=chats[0]) if x.ok]
    assert [x for x in sandbox.calls_for("sendMessage", chat_id=chats[1]) if x.ok]
    assert not [x for x in sandbox.calls_for("sendMessage", chat_id=chats[2]) if x.ok]


async def test_reject_with_reason_and_break_glass(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    engine: AsyncEngine,
) -> None:
    await ward_with_official(session)
    c = Composer(harness)
    await c.notice("Nước sông dâng cao, các hộ ven sông lên chỗ cao.", kind="Khẩn cấp", level=None)
    await c.tap("Gửi để duyệt")
    card = card_for(sandbox, ADMIN_ID)
    await harness.press_button(ADMIN_ID, card, "Từ chối")
    assert "Hãy gõ lý do" in texts(await harness.send(ADMIN_ID, "   "))[0]
    out = texts(await harness.send(ADMIN_ID, "Sai địa bàn, không phải phường mình"))
    assert "Đã từ chối" in out[-1]
    n = await notice_row(session)
    assert n.status is NoticeStatus.REJECTED and (n.reject_reason or "").startswith("Sai địa bàn")
    told = [x.params["text"] for x in sandbox.calls_for("sendMessage", chat_id=OFFICIAL_ID)]
    assert any("bị" in t and "Sai địa bàn" in t for t in told)

    glass = settings.model_copy(update={"emergency_break_glass": True})
    h2 = BotHarness(glass, sandbox, engine, session_factory)
    try:
        c = Composer(h2)
        out = await c.notice("Bão số 5 đổ bộ đêm nay.", kind="Khẩn cấp", level=None)
        assert "Chế độ khẩn" in out[-1]
        out = await c.tap("🚀 Gửi")
    finally:
        await h2.close()
    n = await notice_row(session)
    assert n.status is NoticeStatus.QUEUED and n.break_glass and n.urgency is Urgency.EMERGENCY
    alerts = [x.params["text"] for x in sandbox.calls_for("sendMessage", chat_id=ADMIN_ID)]
    assert any("Chế độ khẩn" in t and f"#{n.id}" in t for t in alerts)
