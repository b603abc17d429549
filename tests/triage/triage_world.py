"""A ward ready for questions: roles, a registered resident, a bound group and staff group."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import residents
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_sample
from bot.services.procedures import guide_lookup
from bot.services.procedures.guide_lookup import GuideHint
from models import ChatStatus, Household, ResidentialGroup, Role, Ticket
from tests.harness import GROUP_CHAT, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts

STAFF_CHAT = -1_002_000_000_001
TECH_A = 100_000_010
TECH_B = 100_000_011
NEIGHBOUR = 200_000_002  # asks in the group chat, never started the bot


async def make_world(harness: BotHarness, session: AsyncSession) -> None:
    """Sample ward; an official, two tech-team members; resident in Tổ 13; chats bound."""
    await seed_sample(session)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, TECH_A, Role.TECH_TEAM)
    await grant_role(session, TECH_B, Role.TECH_TEAM)
    group = (
        await session.scalars(select(ResidentialGroup).where(ResidentialGroup.name == "Tổ 13"))
    ).one()
    await session.execute(
        update(ResidentialGroup)
        .where(ResidentialGroup.id == group.id)
        .values(chat_id=GROUP_CHAT, chat_status=ChatStatus.ACTIVE)
    )
    await session.commit()
    household = await session.scalar(select(Household).where(Household.group_id == group.id))
    assert household is not None
    await residents.give_consent(session, RESIDENT_ID, "Bà Lan", "vi")
    await residents.join_household(session, RESIDENT_ID, group.id, household_id=household.id)
    await bind_staff_chat(harness)
    harness.sandbox.clear_calls()  # tests look at what their own steps sent


async def bind_staff_chat(harness: BotHarness) -> None:
    reply = texts(await harness.send(OFFICIAL_ID, "/staffcode"))[0]
    code = reply.split("<code>")[1].split("</code>")[0]
    bound = await harness.send(
        TECH_A, f"/bindstaff {code}", chat_id=STAFF_CHAT, chat_type="supergroup"
    )
    assert any("hộp thư" in t for t in texts(bound)), texts(bound)


def card(harness: BotHarness, number: int) -> dict[str, Any]:
    """The current state of ticket #number's card in the staff group."""
    for message in reversed(harness.sandbox.chat_messages(STAFF_CHAT)):
        head = message.get("text", "").split("\n")[0]
        if re.search(rf"#{number}\b", head) and message.get("reply_markup"):
            return message
    raise AssertionError(f"no card for #{number} in the staff group")


async def ask_private(harness: BotHarness, text: str, user_id: int = RESIDENT_ID) -> int:
    """Ask through /ask and the Send button; returns the ticket number."""
    preview = await harness.send(user_id, f"/ask {text}")
    message = preview[-1].result
    calls = await harness.press_button(user_id, message, "Gửi")
    sent = texts(calls)[0]
    assert "#" in sent, texts(calls)
    return int(sent.split("#")[1].split("<")[0])


async def ticket(session: AsyncSession, number: int) -> Ticket:
    session.expire_all()
    found = await session.get(Ticket, number)
    assert found is not None
    return found


def fake_guides(
    monkeypatch: Any, code: str = "1.001193", title: str = "Đăng ký khai sinh"
) -> None:
    """The guides feature's search, answering with one good hint (its real body is elsewhere)."""

    async def suggest(
        session: Any, text: str, *, language: str = "vi", limit: int = 3
    ) -> list[Any]:
        if "khai sinh" not in text.lower():
            return []
        return [GuideHint(code=code, title=title, score=0.9, field="ho_tich")][:limit]

    monkeypatch.setattr(guide_lookup, "suggest_guides", suggest)
