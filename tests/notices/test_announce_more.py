"""Quiet hours, templates officials add, and /pending."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import Delivery, NoticeStatus, NoticeTemplate, Role, utcnow
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts
from tests.notices.announce_kit import Composer, notice_row, ward_with_official


async def _to_group_one(c: Composer, text: str, level: str) -> list[str]:
    return await c.notice(text, audience=("Chọn tổ", "Tổ 1", "Xong"), level=level)


async def test_quiet_hours_hold_normal_notices_but_not_urgent_ones(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    engine: AsyncEngine,
) -> None:
    await ward_with_official(session)
    now = utcnow().astimezone(settings.tz)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    quiet = settings.model_copy(update={"quiet_hours": f"{start:%H:%M}-{end:%H:%M}"})
    h = BotHarness(quiet, sandbox, engine, session_factory)
    try:
        c = Composer(h)
        out = await _to_group_one(c, "Tổ chức dọn vệ sinh sáng mai.", "Bình thường")
        assert f"Giờ yên tĩnh: sẽ gửi lúc {end:%H:%M}" in out[-1]
        out = await c.tap("🚀 Gửi")
        assert any(f"gửi lúc {end:%H:%M}" in t for t in out)
        held = await notice_row(session)
        assert held.scheduled_at is not None
        assert f"{held.scheduled_at.astimezone(settings.tz):%H:%M}" == f"{end:%H:%M}"
        due = await session.scalars(select(Delivery.next_attempt_at).where(
            Delivery.notice_id == held.id))  # fmt: skip
        assert all(d > utcnow() + timedelta(minutes=30) for d in due)

        out = await _to_group_one(c, "Mất điện đột xuất chiều nay.", "Khẩn")
        assert "Giờ yên tĩnh" not in out[-1]
        await c.tap("🚀 Gửi")
        urgent = await notice_row(session)
        assert urgent.id != held.id and urgent.scheduled_at is None and urgent.pin
    finally:
        await h.close()


async def test_officials_add_templates_and_use_them(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward_with_official(session)
    listed = texts(await harness.send(OFFICIAL_ID, "/templates"))[0]
    for name in ("Khám sàng lọc", "Treo cờ", "vệ sinh", "Họp tổ", "Cắt điện", "bão, lũ"):
        assert name in listed
    refused = texts(await harness.send(RESIDENT_ID, "/template_add Họp\nHọp lúc {giờ}"))
    assert "không có quyền" in refused[0]
    assert "Cách dùng" in texts(await harness.send(OFFICIAL_ID, "/template_add Họp chi bộ"))[0]
    bad = texts(await harness.send(OFFICIAL_ID, "/template_add Họp chi bộ\nHọp lúc {giờ"))
    assert "ngoặc nhọn" in bad[0]
    assert await session.scalar(select(NoticeTemplate.id)) is None
    ok = texts(await harness.send(OFFICIAL_ID, "/template_add Họp chi bộ\nHọp lúc {giờ} ở {nơi}."))
    assert "Đã thêm mẫu «Họp chi bộ»" in ok[0] and "giờ, nơi" in ok[0]
    dup = texts(await harness.send(OFFICIAL_ID, "/template_add họp chi bộ\nKhác"))
    assert "Đã có mẫu" in dup[0]

    c = Composer(harness)
    await c.say("/announce")
    await c.tap("Dùng mẫu")
    await c.tap("Họp chi bộ")
    await c.say("19:30")
    out = await c.say("nhà văn hóa tổ 1")
    assert any("Họp lúc 19:30 ở nhà văn hóa tổ 1." in t for t in out)


async def test_pending_lists_waiting_notices_for_other_officials(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward_with_official(session)
    assert "Không có thông báo nào" in texts(await harness.send(ADMIN_ID, "/pending"))[0]
    c = Composer(harness)
    await c.notice("Treo cờ Tổ quốc dịp Quốc khánh.")
    await c.tap("Gửi để duyệt")
    n = await notice_row(session)
    assert n.status is NoticeStatus.PENDING_APPROVAL
    assert "không có quyền" in texts(await harness.send(RESIDENT_ID, "/pending"))[0]
    colleague = OFFICIAL_ID + 100  # an official who is not an administrator
    await grant_role(session, colleague, Role.WARD_OFFICIAL)
    assert f"#{n.id}" in texts(await harness.send(colleague, "/pending"))[0]
    calls = await harness.send(ADMIN_ID, "/pending")
    assert f"#{n.id}" in texts(calls)[0]
    listing = calls[-1].result
    shown = texts(await harness.press_button(ADMIN_ID, listing, f"#{n.id}"))
    assert any("chờ duyệt" in t for t in shown)
    mine = texts(await harness.press_button(OFFICIAL_ID, listing, f"#{n.id}"))
    assert "không thể tự duyệt" in mine[0]


async def test_a_photo_notice_from_a_leader_goes_out_by_file_id(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 1")
    c = Composer(harness, LEADER_ID)
    await c.say("/announce")
    await c.tap("Thông báo")
    assert "Đã hủy bản nháp" in (await c.say("/cancel"))[0]
    await c.say("/announce")
    await c.tap("Thông báo")
    await c.say(None, photo=True, caption="Lịch cắt điện tuần này, bà con xem ảnh.")
    await c.tap("Bình thường")
    await c.tap("Gửi ngay")
    await c.tap("Không hết hạn")
    preview = [x for x in c.calls if x.method == "sendPhoto" and x.ok]
    assert preview and "Lịch cắt điện" in preview[0].params["caption"]
    await c.tap("🚀 Gửi")
    n = await notice_row(session)
    assert n.media_type == "photo" and n.media_file_id and n.media_bytes is None
    await deliver(settings, sandbox, session_factory, {n.id})
    chat = (await group_chats(session))[0]
    sent = [x for x in sandbox.calls_for("sendPhoto", chat_id=chat) if x.ok]
    assert len(sent) == 1 and sent[0].params["photo"] == n.media_file_id
    # a group leader speaks as the group's leader, not as the ward
    assert n.issuer == "Tổ trưởng Tổ 1"
    assert sent[0].params["caption"].startswith("<b>📢 THÔNG BÁO — Tổ trưởng Tổ 1</b>")
