"""/announce: an official composes, a second official approves, residents receive and ack."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.sandbox import Sandbox
from models import Acknowledgement, AuditEntry, Notice, NoticeStatus, Urgency
from tests.delivery_kit import deliver, group_chats, resident_in
from tests.e2e.announce_kit import Composer, day_after, notice_row, ward_with_official
from tests.harness import ADMIN_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts


def card_for(sandbox: Sandbox, chat_id: int) -> dict:
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
    assert preview.startswith("<b>📢 THÔNG BÁO</b>")
    assert (
        "📍 Địa điểm: Trạm Y tế phường" in preview and "🎒 Mang theo: CCCD và thẻ BHYT" in preview
    )
    shown = c.calls[-2].result["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in shown] == ["✅ Đã nhận", "🙋 Tôi sẽ tham gia"]
    assert "Báo gấp" in summary and "Cần một cán bộ khác duyệt" in summary
    # TODO(merge reminders): preview buttons answer "only a preview"
    out = await c.tap("Gửi khẩn")  # short notice: private chats and a pin
    assert out[-2].startswith("<b>🟠 THÔNG BÁO KHẨN</b>") and "Sẽ ghim" in out[-1]
    assert await session.scalar(select(Notice.id)) is None  # nothing exists before submitting
    out = await c.tap("Gửi để duyệt")
    assert "chờ duyệt" in out[-1] or "để duyệt" in out[-1]
    n = await notice_row(session)
    assert n.status is NoticeStatus.PENDING_APPROVAL and n.urgency is Urgency.URGENT and n.pin
    assert n.kind == "event" and n.event_at is not None and n.expires_at > n.event_at

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
    assert "đã được xử lý" in again[-1]

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
