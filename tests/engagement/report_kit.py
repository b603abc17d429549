"""Helpers for street-report tests: walk /report to the end, find the card in the staff group."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import StreetReport
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.triage.triage_world import STAFF_CHAT

LOCATION = {"location": {"latitude": 21.0285, "longitude": 105.8542}}


async def start(
    harness: BotHarness, category: str = "Thoát nước", user_id: int = RESIDENT_ID
) -> None:
    menu = last_message(await harness.send(user_id, "/report"))
    await harness.press_button(user_id, menu, category)


async def report(
    harness: BotHarness,
    photos: int = 1,
    *,
    typed: str | None = None,
    user_id: int = RESIDENT_ID,
    text: str = "Cống trước nhà số 12 bị tắc, nước tràn.",
) -> int:
    """A whole report (photos, location or typed address, text); returns its number."""
    await start(harness, user_id=user_id)
    for _ in range(photos):
        await harness.send(user_id, None, photo=True)
    if typed is None:
        await harness.send(user_id, None, extra=LOCATION)
    else:
        await harness.send(user_id, typed)
    sent = texts(await harness.send(user_id, text))
    assert "Đã gửi phản ánh #" in sent[-1], sent
    return int(sent[-1].split("#")[1].split(".")[0])


def card(harness: BotHarness, number: int) -> dict[str, Any]:
    for message in reversed(harness.sandbox.chat_messages(STAFF_CHAT)):
        head = message.get("text", "").split("\n")[0]
        if re.search(rf"Phản ánh #{number}\b", head):
            return message
    raise AssertionError(f"no card for report #{number}")


async def row(session: AsyncSession, number: int) -> StreetReport:
    session.expire_all()
    found = await session.get(StreetReport, number)
    assert found is not None
    return found
