"""Finding 11: guessing /bind codes is limited per person and per chat, and every failed try
leaves an audit entry (never the code typed)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_sample
from models import AuditEntry, ResidentialGroup, Role
from tests.harness import GROUP_CHAT, OFFICIAL_ID, BotHarness, texts

GUESSER = 400_000_001
HELPERS = range(400_000_010, 400_000_020)  # other accounts guessing in the same chat


async def bind(h: BotHarness, user: int, code: str, chat: int = GROUP_CHAT) -> str:
    return texts(await h.send(user, f"/bind {code}", chat_id=chat, chat_type="supergroup"))[0]


async def test_bind_guesses_are_limited_per_person_and_per_chat_and_audited(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    reply = texts(await harness.send(OFFICIAL_ID, "/bindcode Tổ 13"))[0]
    code = reply.split("<code>")[1].split("</code>")[0]

    for guess in range(5):
        assert "không đúng" in await bind(harness, GUESSER, f"ZZZZ{guess:02d}", -1_001_111)
    limited = await bind(harness, GUESSER, code, -1_001_222)  # even the right code, elsewhere
    assert "quá nhiều lần" in limited

    for helper in list(HELPERS)[:10]:  # ten accounts, one guess each, in one chat
        await bind(harness, helper, "ZZZZZZ")
    assert "quá nhiều lần" in await bind(harness, OFFICIAL_ID, code)  # the chat is held
    bound = await session.scalar(select(ResidentialGroup.chat_id).where(
        ResidentialGroup.name == "Tổ 13"))  # fmt: skip
    assert bound is None

    rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
        ("bind.failed", "bind.limited")))))  # fmt: skip
    failed = [r for r in rows if r.action == "bind.failed"]
    assert len(failed) == 15 and {r.actor_id for r in failed} >= {GUESSER, *list(HELPERS)[:10]}
    assert all(r.details.get("reason") == "bind.code_unknown" for r in failed)
    assert not any("ZZZZ" in str(r.details) or code in str(r.details) for r in rows)
    assert len([r for r in rows if r.action == "bind.limited"]) == 2
