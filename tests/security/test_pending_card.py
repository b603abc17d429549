"""Finding 12: the approval card opened from /pending names the author, not a raw id."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import Role
from sandbox import Sandbox
from tests.harness import OFFICIAL_ID, BotHarness, last_message
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import cards_for, pending_ward_notice

REVIEWER = 100_000_030


async def test_pending_card_names_the_author(
    harness: BotHarness, session: AsyncSession, sandbox: Sandbox
) -> None:
    await ward_with_official(session)
    sandbox.user(OFFICIAL_ID, first_name="Hoa", last_name="Nguyễn Thị")
    n = await pending_ward_notice(harness, session, "Đăng ký nghĩa vụ quân sự.")
    await grant_role(session, REVIEWER, Role.WARD_OFFICIAL)  # joined after the cards went out
    listing = last_message(await harness.send(REVIEWER, "/pending"))
    await harness.press_button(REVIEWER, listing, f"#{n.id}")
    card = cards_for(sandbox, REVIEWER)[-1]
    assert "Hoa Nguyễn Thị" in card["text"] and str(OFFICIAL_ID) not in card["text"]
