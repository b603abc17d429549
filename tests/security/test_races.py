"""Finding 4: presses at the same moment resolve to exactly one outcome, and the one who
pressed second is told who did what. Fed concurrently (asyncio.gather) through the real
dispatcher; on PostgreSQL each press has its own connection, so the race is real."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import DeliveryStatus, NoticeStatus, Role
from sandbox import Sandbox
from tests.delivery_kit import group_chats, rows
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, last_message, texts
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import cards_for, fresh, pending_ward_notice

SECOND = 100_000_010  # another official of the ward


def button(message: dict[str, Any], label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


async def at_once(
    h: BotHarness, *presses: tuple[int, dict[str, Any], str]
) -> dict[int, list[str]]:
    """Press these buttons concurrently; what each presser was shown. The calls of concurrent
    updates interleave, so they are told apart by whom they went to."""
    start, queries, updates = len(h.sandbox.calls), {}, []
    for user, message, label in presses:
        update = h.sandbox.make_callback(
            user, message["chat"]["id"], message["message_id"], button(message, label)
        )
        queries[update["callback_query"]["id"]] = user
        updates.append(update)
    await asyncio.gather(*(h.feed(u) for u in updates))
    out: dict[int, list[str]] = {u: [] for u, _m, _l in presses}
    for c in h.sandbox.calls[start:]:
        if c.method == "answerCallbackQuery":
            out[queries[c.params["callback_query_id"]]] += texts([c])
        elif c.chat_id in out:
            out[c.chat_id] += texts([c])
    return out


async def test_two_approvals_at_once_queue_once_and_the_second_is_told_who(
    harness: BotHarness, session: AsyncSession, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    await grant_role(session, SECOND, Role.WARD_OFFICIAL)
    n = await pending_ward_notice(harness, session, "Tiêm phòng dại cho chó mèo sáng Chủ nhật.")
    a, b = cards_for(sandbox, ADMIN_ID)[-1], cards_for(sandbox, SECOND)[-1]
    told = await at_once(harness, (ADMIN_ID, a, "Duyệt"), (SECOND, b, "Duyệt"))
    said = told[ADMIN_ID] + told[SECOND]
    assert sum("Đã duyệt." in t for t in said) == 1
    assert sum("duyệt trước đó" in t for t in said) == 1
    assert not any("sự cố" in t for t in said)
    n = await fresh(session, n.id)
    assert n.status is NoticeStatus.QUEUED and n.approved_by in (ADMIN_ID, SECOND)
    assert len(await rows(session, n.id)) == len(await group_chats(session))  # each once


async def test_approve_and_withdraw_at_once_have_one_outcome_told_truthfully(
    harness: BotHarness, session: AsyncSession, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    n = await pending_ward_notice(harness, session, "Họp dân bàn việc làm đường.")
    card = cards_for(sandbox, ADMIN_ID)[-1]
    status = last_message(await harness.send(OFFICIAL_ID, f"/notice {n.id}"))
    confirm = last_message(await harness.press_button(OFFICIAL_ID, status, "Thu hồi"))
    told = await at_once(harness, (ADMIN_ID, card, "Duyệt"), (OFFICIAL_ID, confirm, "gạch bỏ"))
    approve, withdraw = told[ADMIN_ID], told[OFFICIAL_ID]
    n = await fresh(session, n.id)
    copies = await rows(session, n.id)
    if any("chưa được gửi cho ai" in t for t in withdraw):  # withdrawn while pending
        assert n.status is NoticeStatus.CANCELLED and copies == []
        assert any("rút lại" in t for t in approve)
    elif n.status is NoticeStatus.CANCELLED:  # approved first, then recalled: nothing goes out
        assert any("Đã thu hồi" in t for t in withdraw) and copies
        assert all(c.status is DeliveryStatus.CANCELLED for c in copies)
    else:  # the approval won and the recall was refused: told who approved
        assert n.status is NoticeStatus.QUEUED and copies
        assert any("duyệt trước đó" in t for t in withdraw)


async def test_two_recalls_at_once_one_wins_and_the_other_is_told(
    harness: BotHarness, session: AsyncSession, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    n = await pending_ward_notice(harness, session, "Thu phí vệ sinh tháng 12.")
    await harness.press_button(ADMIN_ID, cards_for(sandbox, ADMIN_ID)[-1], "Duyệt")
    asks = []
    for user in (OFFICIAL_ID, ADMIN_ID):
        status = last_message(await harness.send(user, f"/notice {n.id}"))
        asks.append(last_message(await harness.press_button(user, status, "Thu hồi")))
    told = await at_once(
        harness, (OFFICIAL_ID, asks[0], "gạch bỏ"), (ADMIN_ID, asks[1], "xóa khỏi")
    )
    mark, said = told[OFFICIAL_ID], told[OFFICIAL_ID] + told[ADMIN_ID]
    assert sum("Đã thu hồi" in t for t in said) == 1
    assert sum("thu hồi trước đó" in t for t in said) == 1
    n = await fresh(session, n.id)
    winner = "mark" if any("Đã thu hồi" in t for t in mark) else "delete"
    assert n.status is NoticeStatus.CANCELLED and n.cancel_mode == winner
