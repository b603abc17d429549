"""/stats in Telegram: officials see their ward, a leader only their group, others nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import Role
from tests.delivery_kit import ward
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts


async def test_stats_scoped_to_the_persons_role(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward(session, groups=3, households=9)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 2")

    official = texts(await harness.send(OFFICIAL_ID, "/stats"))[0]
    assert "Phường Test" in official and "Hộ đã đăng ký Loa: 9/9" in official
    assert all(f"• Tổ {i}: 3/3 hộ" in official for i in (1, 2, 3))

    leader = texts(await harness.send(LEADER_ID, "/stats"))[0]
    assert "• Tổ 2: 3/3 hộ" in leader
    assert "Tổ 1" not in leader and "Tổ 3" not in leader and "Hộ đã đăng ký" not in leader

    assert "không có quyền" in texts(await harness.send(RESIDENT_ID, "/stats"))[0]
    assert "Tổ 3" in texts(await harness.send(ADMIN_ID, "/stats"))[0]  # superadmin: every ward
