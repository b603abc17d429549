"""Finding 7: "Đã nhận" and "Tôi sẽ tham gia" count only for a live notice delivered to the
presser's own chat; forged ids (other groups, leaders-only, pending, recalled) count nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.notices import manage as notice_admin
from broadcasts import audience, outbox
from models import Acknowledgement, Notice, NoticeStatus
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, notice, people, ward
from tests.harness import ADMIN_ID, BotHarness, texts


async def acks(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Acknowledgement)) or 0


async def test_presses_count_only_for_a_live_notice_delivered_to_the_pressers_chat(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=4)
    p1, p2, *_ = await people(session)  # p1 in Tổ 1, p2 in Tổ 2
    chats = await group_chats(session)
    one, _ = await outbox.enqueue(session, ward_id=ward_id, text="Kiểm tra PCCC",
                                  audience=audience.spec("groups", [p1.group_id]))  # fmt: skip
    leaders = await notice(session, ward_id, "Chỉ tổ trưởng: danh sách hộ nghèo", kind="leaders")
    pending = Notice(ward_id=ward_id, text="Chờ duyệt", status=NoticeStatus.PENDING_APPROVAL,
                     audience={"kind": "ward"})  # fmt: skip
    session.add(pending)
    await session.commit()
    await deliver(settings, sandbox, session_factory, {one.id, leaders.id})
    copy = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[0]) if c.ok)

    stranger = texts(await harness.press_button(p2.telegram_id, copy, "Đã nhận"))
    assert "không được gửi tới tổ" in stranger[0]  # Tổ 2 pressing under Tổ 1's copy
    for forged in (leaders.id, pending.id, one.id):  # typed into a private chat by hand
        said = texts(
            await harness.press(
                p2.telegram_id, {"chat": {"id": p2.telegram_id}, "message_id": 1}, f"ack:{forged}"
            )
        )
        assert "không" in said[0] and "Cảm ơn" not in said[0]
    assert await acks(session) == 0

    assert "Cảm ơn" in texts(await harness.press_button(p1.telegram_id, copy, "Đã nhận"))[0]
    assert await acks(session) == 1
    await notice_admin.recall(session, one.id, ADMIN_ID)
    late = await people(session)
    neighbour = next(p for p in late if p.group_id == p1.group_id and p != p1)
    gone = texts(await harness.press_button(neighbour.telegram_id, copy, "Đã nhận"))
    assert "thu hồi" in gone[0] and await acks(session) == 1
    report = texts(await harness.send(ADMIN_ID, f"/coverage {one.id}"))[0]
    assert "1/2" in report and "Tổ 2" not in report
