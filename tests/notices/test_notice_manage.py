"""Corrections and recalls from the author's progress message and /notice; pins; /revoke."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from broadcasts import audience, outbox
from handlers.notices.manage import ManageAction, NoticeCb
from models import AuditEntry, Notice, NoticeStatus, ResidentialGroup, Role, Urgency, utcnow
from sandbox import Sandbox
from tests.delivery_kit import deliver, deliver_reporting, group_chats, notice, rows, ward
from tests.harness import ADMIN_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, last_message, texts

STRANGER = 55_555


async def progress_message(
    session: AsyncSession, sandbox: Sandbox, notice_id: int
) -> dict[str, Any]:
    n = await session.get(Notice, notice_id, populate_existing=True)
    assert n is not None and n.progress_message_id is not None
    message = sandbox.message(OFFICIAL_ID, n.progress_message_id)
    assert message is not None
    return message


async def audit_actions(session: AsyncSession, target: str) -> list[str]:
    stmt = select(AuditEntry.action).where(AuditEntry.target == target).order_by(AuditEntry.id)
    return list(await session.scalars(stmt))


def test_progress_buttons_carry_what_the_handler_packs() -> None:
    assert NoticeCb(action=ManageAction.FIX, id=42).pack() == "nm:fix:42"
    assert NoticeCb(action=ManageAction.RECALL, id=42).pack() == "nm:recall:42"


async def test_author_corrects_from_the_progress_message_and_a_stranger_cannot(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=3)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    # To two groups of three: a new notice there needs no second official, nor its correction
    # (a ward-wide one waits for approval: tests/security/test_review_corrections.py).
    two = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))[:2]
    chats = [g.chat_id for g in two if g.chat_id is not None]
    n: Notice | None
    n, _ = await outbox.enqueue(
        session, ward_id=ward_id, text="Họp tổ lúc 19h thứ Bảy", created_by=OFFICIAL_ID,
        audience=audience.spec("groups", [g.id for g in two]), progress_chat_id=OFFICIAL_ID,
    )  # fmt: skip
    await deliver_reporting(settings, sandbox, session_factory, {n.id})
    report = await progress_message(session, sandbox, n.id)
    assert "đã gửi xong" in report["text"]
    first_ids = {r.chat_id: r.message_ids[0] for r in await rows(session, n.id)}

    refused = texts(await harness.press_button(STRANGER, report, "Đính chính"))
    assert "không có quyền" in refused[0]
    assert texts(await harness.send(STRANGER, "Họp lúc 20h")) != []  # no correction state
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.version == 1 and n.text == "Họp tổ lúc 19h thứ Bảy"

    ask = last_message(await harness.press_button(OFFICIAL_ID, report, "Đính chính"))
    assert "nội dung mới" in ask["text"]
    assert "quá giới hạn" in texts(await harness.send(OFFICIAL_ID, "x" * 4001))[0]
    preview = await harness.send(OFFICIAL_ID, "Họp tổ lúc 20h thứ Bảy")
    shown = last_message(preview)
    assert "ĐÍNH CHÍNH" in shown["text"] and "20h" in shown["text"]
    done = texts(await harness.press_button(OFFICIAL_ID, shown, "Gửi đính chính"))
    assert any("Đã đính chính thông báo" in t for t in done)
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.version == 2 and n.text == "Họp tổ lúc 20h thứ Bảy"
    assert "notice.corrected" in await audit_actions(session, f"notice:{n.id}")

    await deliver(settings, sandbox, session_factory, None)  # every copy due: the edits
    for chat in chats:
        edits = sandbox.calls_for("editMessageText", chat_id=chat)
        assert [e.params["message_id"] for e in edits] == [first_ids[chat]]
        assert "ĐÍNH CHÍNH" in edits[0].params["text"] and "20h" in edits[0].params["text"]
        # the corrected copy keeps its "Đã nhận" button
        assert edits[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
            f"ack:{n.id}"
        )


async def test_recall_mark_and_delete_through_notice_command(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=2)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    chats = await group_chats(session)
    marked = await notice(session, ward_id, "Cắt điện sáng mai", created_by=OFFICIAL_ID)
    deleted = await notice(session, ward_id, "Phun thuốc muỗi", created_by=OFFICIAL_ID)
    await deliver(settings, sandbox, session_factory, {marked.id, deleted.id})

    assert "không có quyền" in texts(await harness.send(STRANGER, f"/notice {marked.id}"))[0]
    summary = last_message(await harness.send(OFFICIAL_ID, f"/notice {marked.id}"))
    assert f"Thông báo #{marked.id}" in summary["text"] and "Đã gửi 2/2" in summary["text"]
    assert "0 hộ đã bấm" in summary["text"]
    confirm = last_message(await harness.press_button(OFFICIAL_ID, summary, "Thu hồi"))
    assert f"Thu hồi thông báo #{marked.id}?" in confirm["text"]
    assert "Đã thu hồi" in texts(await harness.press_button(OFFICIAL_ID, confirm, "gạch bỏ"))[0]
    again = texts(await harness.press_button(OFFICIAL_ID, summary, "Thu hồi"))
    assert "thu hồi trước đó" in again[0]  # told who did

    # an administrator of the ward may recall someone else's notice; the running sender is woken
    woken: list[bool] = []
    harness.dp["sender"] = SimpleNamespace(wake=lambda: woken.append(True))
    summary = last_message(await harness.send(ADMIN_ID, f"/notice {deleted.id}"))
    confirm = last_message(await harness.press_button(ADMIN_ID, summary, "Thu hồi"))
    await harness.press_button(ADMIN_ID, confirm, "xóa khỏi")
    assert woken == [True]
    for n, mode in ((marked, "mark"), (deleted, "delete")):
        got = await session.get(Notice, n.id, populate_existing=True)
        assert got is not None and got.status is NoticeStatus.CANCELLED and got.cancel_mode == mode
        assert "notice.cancelled" in await audit_actions(session, f"notice:{n.id}")

    await deliver(settings, sandbox, session_factory, None)
    for chat in chats:
        struck = sandbox.calls_for("editMessageText", chat_id=chat)
        assert len(struck) == 1 and "ĐÃ HỦY" in struck[0].params["text"]
        assert "<s>Cắt điện sáng mai</s>" in struck[0].params["text"]
        assert len(sandbox.calls_for("deleteMessage", chat_id=chat)) == 1
    assert "Cách dùng" in texts(await harness.send(OFFICIAL_ID, "/notice abc"))[0]


async def test_author_withdraws_a_notice_waiting_for_approval(
    harness: BotHarness, session: AsyncSession
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    pending = Notice(
        ward_id=ward_id, text="Chờ duyệt", status=NoticeStatus.PENDING_APPROVAL,
        created_by=OFFICIAL_ID, audience={"kind": "ward"},
    )  # fmt: skip
    session.add(pending)
    await session.commit()
    summary = last_message(await harness.send(OFFICIAL_ID, f"/notice {pending.id}"))
    assert "đang chờ duyệt" in summary["text"]
    confirm = last_message(await harness.press_button(OFFICIAL_ID, summary, "Thu hồi"))
    assert "Đã rút" in texts(await harness.press_button(OFFICIAL_ID, confirm, "gạch bỏ"))[0]
    got = await session.get(Notice, pending.id, populate_existing=True)
    assert got is not None and got.status is NoticeStatus.CANCELLED
    assert await audit_actions(session, f"notice:{pending.id}") == ["notice.cancelled"]


async def test_revoke_offers_to_recall_every_live_notice_of_the_person(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    sent = await notice(session, ward_id, "Tin giả: nộp phí 500 nghìn", created_by=OFFICIAL_ID)
    other = await notice(session, ward_id, "Lịch họp", created_by=ADMIN_ID)
    old = await notice(session, ward_id, "Tin cũ", created_by=OFFICIAL_ID)
    old.created_at = utcnow() - timedelta(hours=30)
    waiting = Notice(
        ward_id=ward_id, text="Chờ duyệt: chuyển khoản", status=NoticeStatus.PENDING_APPROVAL,
        created_by=OFFICIAL_ID, audience={"kind": "ward"},
    )  # fmt: skip
    session.add(waiting)
    await session.commit()
    await deliver(settings, sandbox, session_factory, {sent.id, other.id, old.id})

    offer = last_message(await harness.send(ADMIN_ID, f"/revoke {OFFICIAL_ID}"))
    assert f"#{sent.id}" in offer["text"] and f"#{waiting.id}" in offer["text"]
    assert f"#{other.id} " not in offer["text"] and f"#{old.id} " in offer["text"]  # any age
    assert "nộp phí 500 nghìn" in offer["text"]
    refused = texts(await harness.press_button(RESIDENT_ID, offer, "Thu hồi 3 thông báo"))
    assert "không có quyền" in refused[0]
    kept = await session.get(Notice, sent.id, populate_existing=True)
    assert kept is not None and kept.status is NoticeStatus.DONE
    done = texts(await harness.press_button(ADMIN_ID, offer, "Thu hồi 3 thông báo"))
    assert "Đã thu hồi 3 thông báo" in done[0]
    statuses = {
        n.id: n.status
        for n in await session.scalars(select(Notice).execution_options(populate_existing=True))
    }
    assert statuses[sent.id] is statuses[waiting.id] is statuses[old.id] is NoticeStatus.CANCELLED
    assert statuses[other.id] is NoticeStatus.DONE
    assert await audit_actions(session, str(OFFICIAL_ID)) == [
        "role.grant",
        "role.revoke",
        "notice.recall_author",
    ]

    chat = (await group_chats(session))[0]
    await deliver(settings, sandbox, session_factory, None)
    struck = sandbox.calls_for("editMessageText", chat_id=chat)
    assert len(struck) == 2 and all("ĐÃ HỦY" in c.params["text"] for c in struck)


async def test_final_report_names_groups_where_loa_could_not_pin(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=1)
    chats = await group_chats(session)
    names = list(
        await session.scalars(select(ResidentialGroup.name).order_by(ResidentialGroup.id))
    )
    sandbox.add_chat(chats[1], bot_can_pin=False)  # the bot is a member, not an admin
    n = await notice(
        session, ward_id, "Bão số 3: sơ tán", Urgency.URGENT, created_by=OFFICIAL_ID,
        progress_chat_id=OFFICIAL_ID,
    )  # fmt: skip
    await deliver_reporting(settings, sandbox, session_factory, {n.id})
    assert sandbox.chats[chats[0]].pinned and not sandbox.chats[chats[1]].pinned
    report = (await progress_message(session, sandbox, n.id))["text"]
    assert f"📌 Không ghim được ở: {names[1]} — hãy cho Loa quyền ghim" in report
    assert names[0] not in report and names[2] not in report
    sent = {r.chat_id: r for r in await rows(session, n.id)}
    assert sent[chats[1]].status.value == "sent" and sent[chats[1]].last_error
