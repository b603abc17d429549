"""Steps the privacy tests share: joining by the buttons, answering from the staff group."""

from __future__ import annotations

from typing import Any

from tests.harness import BotHarness, last_message
from tests.triage.triage_world import STAFF_CHAT, TECH_A, card


async def consent_and_pick_group(
    harness: BotHarness, user_id: int, group: str = "Tổ 13", **sender: Any
) -> dict[str, Any]:
    """/start, "Tôi đồng ý", the group: returns the household picker."""
    welcome = last_message(await harness.send(user_id, "/start", **sender))
    groups = last_message(await harness.press_button(user_id, welcome, "Tôi đồng ý"))
    return last_message(await harness.press_button(user_id, groups, group))


async def answer_by_reply(harness: BotHarness, number: int, text: str) -> None:
    """A team member replies to the question's card in the staff group."""
    await harness.send(
        TECH_A,
        text,
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=card(harness, number)["message_id"],
    )
