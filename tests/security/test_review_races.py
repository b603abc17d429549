"""Review: an author's correction and a reviewer's approval pressed at the same moment."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import NoticeStatus
from sandbox import Sandbox
from tests.delivery_kit import rows
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, last_message
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import cards_for, fresh, pending_ward_notice
from tests.security.test_races import at_once


async def test_a_correction_racing_the_approval_never_goes_out_unapproved(
    harness: BotHarness, session: AsyncSession, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    n = await pending_ward_notice(harness, session, "Cắt nước thứ Năm từ 8h đến 11h.")
    card = cards_for(sandbox, ADMIN_ID)[-1]
    status = last_message(await harness.send(OFFICIAL_ID, f"/notice {n.id}"))
    await harness.press_button(OFFICIAL_ID, status, "Đính chính")
    preview = last_message(await harness.send(OFFICIAL_ID, "Giả mạo: nộp tiền vào TK 0123."))

    told = await at_once(harness, (OFFICIAL_ID, preview, "Gửi đính chính"),
                         (ADMIN_ID, card, "Duyệt"))  # fmt: skip
    said = told[OFFICIAL_ID] + told[ADMIN_ID]
    assert not any("sự cố" in t for t in said)
    n = await fresh(session, n.id)
    if n.status is NoticeStatus.QUEUED:  # the approval won: the old text, approved, goes
        assert "Giả mạo" not in n.text and await rows(session, n.id)
        assert n.pending_text is None and n.version == 1
    else:  # the correction won: the new text waits for a new card; the old card decided nothing
        assert n.status is NoticeStatus.PENDING_APPROVAL and "Giả mạo" in n.text
        assert await rows(session, n.id) == []
        assert any("Giả mạo" in c["text"] for c in cards_for(sandbox, ADMIN_ID))
