"""Review: what a person could do while they held a role stops when it is revoked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import revoke_role
from models import BindCode, ResidentialGroup, StaffChat
from tests.harness import OFFICIAL_ID, BotHarness, texts
from tests.notices.announce_kit import ward_with_official

HIJACKED_CHAT = -1_009_999_001  # a group chat the hijacker controls


def code_in(reply: str) -> str:
    return reply.split("<code>")[1].split("</code>")[0]


async def test_binding_codes_die_with_the_role_of_the_person_who_asked_for_them(
    harness: BotHarness, session: AsyncSession
) -> None:
    """A hijacked official's account asks for codes, is revoked, then uses them: the ward's
    questions (names, addresses) would go to the hijacker's chat, and a residential group's
    notices too."""
    await ward_with_official(session)
    group = await session.scalar(select(ResidentialGroup).order_by(ResidentialGroup.id))
    assert group is not None
    real_chat = group.chat_id
    staff_code = code_in(texts(await harness.send(OFFICIAL_ID, "/staffcode"))[0])
    group_code = code_in(texts(await harness.send(OFFICIAL_ID, f"/bindcode {group.name}"))[0])

    await revoke_role(session, OFFICIAL_ID, None)  # the documented answer to a hijack

    for command, code in (("bindstaff", staff_code), ("bind", group_code)):
        await harness.send(OFFICIAL_ID, f"/{command} {code}", chat_id=HIJACKED_CHAT,
                           chat_type="supergroup")  # fmt: skip
    assert await session.scalar(select(StaffChat.id)) is None
    group = await session.get(ResidentialGroup, group.id, populate_existing=True)
    assert group is not None and group.chat_id == real_chat != HIJACKED_CHAT
    assert await session.scalar(select(BindCode.id).where(BindCode.used_at.is_not(None))) is None
