"""Finding 5: with break-glass on, only an official sends an emergency alone; a group
leader's emergency waits for an official's approval."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import NoticeStatus, Role, Urgency
from sandbox import Sandbox
from tests.delivery_kit import rows
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, BotHarness
from tests.notices.announce_kit import Composer, notice_row, ward_with_official
from tests.security.kit import cards_for


async def test_a_group_leaders_emergency_goes_to_an_official_even_with_break_glass(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
    engine: AsyncEngine,
) -> None:
    await ward_with_official(session, groups=2)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 1")
    glass = settings.model_copy(update={"emergency_break_glass": True})
    h = BotHarness(glass, sandbox, engine, session_factory)
    try:
        c = Composer(h, LEADER_ID)
        out = await c.notice(
            "Cháy lớn ở chợ, sơ tán ngay!", kind="Khẩn cấp", audience=(), level=None
        )  # fmt: skip  (one group: no question)
        assert "Chế độ khẩn" not in out[-1] and "duyệt" in out[-1]
        await c.tap("Gửi để duyệt")
    finally:
        await h.close()
    n = await notice_row(session)
    assert n.urgency is Urgency.EMERGENCY and n.status is NoticeStatus.PENDING_APPROVAL
    assert not n.break_glass and await rows(session, n.id) == []
    assert cards_for(sandbox, OFFICIAL_ID) and cards_for(sandbox, ADMIN_ID)
