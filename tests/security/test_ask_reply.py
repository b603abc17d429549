"""Finding 6: /ask as a reply to a neighbour's message belongs to the person who asked; the
quoted message is context, and the neighbour is neither identified to staff nor charged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Resident
from tests.harness import GROUP_CHAT, RESIDENT_ID, BotHarness, texts
from tests.triage.triage_world import NEIGHBOUR, STAFF_CHAT, TECH_A, card, make_world, ticket


async def test_reply_ask_belongs_to_the_asker_and_never_names_the_quoted_neighbour(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    quoted = harness.sandbox.make_message(
        GROUP_CHAT, NEIGHBOUR, "Đèn đường ngõ 5 hỏng cả tuần rồi", chat_type="supergroup"
    )
    await harness.feed(quoted)
    neighbour_name = quoted["message"]["from"]["first_name"]
    calls = await harness.send(RESIDENT_ID, "/ask", chat_id=GROUP_CHAT, chat_type="supergroup",
                               reply_to=quoted["message"]["message_id"])  # fmt: skip
    assert any("#1" in x for x in texts(calls))
    t = await ticket(session, 1)
    assert t.resident_tg_id == RESIDENT_ID  # the asker, not the quoted neighbour
    assert t.origin_message_id != quoted["message"]["message_id"]
    assert "Đèn đường ngõ 5" in t.summary  # the quoted message is the question's context
    assert t.resident_name != neighbour_name
    assert not harness.sandbox.calls_for("sendMessage", chat_id=NEIGHBOUR)
    sent = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)
    staff = [c.params.get("text", "") for c in sent]
    asker = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert asker is not None and any(asker.display_name in x for x in staff)
    assert not any(neighbour_name in x or str(NEIGHBOUR) in x for x in staff)

    await harness.press_button(TECH_A, card(harness, 1), "Spam")  # one press blocks the asker
    blocked = texts(await harness.send(RESIDENT_ID, "/ask Còn hỏng không?", chat_id=GROUP_CHAT,
                                       chat_type="supergroup"))  # fmt: skip
    assert not any("#2" in x for x in blocked)
    own = texts(await harness.send(NEIGHBOUR, "/ask Khi nào sửa đèn?", chat_id=GROUP_CHAT,
                                   chat_type="supergroup"))  # fmt: skip
    assert any("#2" in x for x in own)  # the neighbour was never charged nor blocked
