"""Finding 10: replies cannot starve emergency copies, nor one chat the others.

The reply lane is a request middleware of the bot's session (installed by `loa run`); here it
wraps a recording stand-in for the HTTP call, over the sender's real limiter. Counted, never
timed: how many replies got a global slot before an emergency copy asking after them."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.methods import SendMessage

from bot.middlewares.reply_lane import ReplyLaneMiddleware
from broadcasts.limiter import Limiter, LocalGate
from models import Urgency

RATE = 50.0


async def race(mw: ReplyLaneMiddleware, chats: list[int]) -> int:
    """Replies to `chats` (one each) are asked first, then an emergency copy: how many
    replies went before it."""
    sent: list[int] = []

    async def http(_bot: Any, method: SendMessage) -> bool:
        sent.append(int(method.chat_id))
        return True

    tasks = [asyncio.create_task(mw(http, None, SendMessage(chat_id=c, text="x")))  # type: ignore[arg-type]  # no Bot: the lane never reads it
             for c in chats]  # fmt: skip
    for _ in range(3):  # let every reply reach its queue before the emergency asks
        await asyncio.sleep(0)
    await mw.limiter.acquire(Urgency.EMERGENCY.priority)
    before = len(sent)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return before


async def test_a_flood_of_replies_to_one_chat_keeps_its_pace_and_never_holds_an_emergency() -> (
    None
):
    limiter = Limiter(LocalGate(RATE))
    for _ in range(10):  # that chat already has ten seconds of answers queued
        limiter.chat_take(777)
    before = await race(ReplyLaneMiddleware(limiter, RATE), [777] * 150)
    assert before <= 2, f"{before} replies to one chat went before the emergency copy"


async def test_replies_to_many_chats_get_about_a_second_ahead_of_an_emergency() -> None:
    limiter = Limiter(LocalGate(RATE))
    before = await race(ReplyLaneMiddleware(limiter, RATE), list(range(1_000, 1_100)))
    assert before <= RATE * 0.5 + 3, f"{before} replies went before the emergency copy"
