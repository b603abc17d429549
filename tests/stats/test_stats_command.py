"""/stats in Telegram: officials see their ward, a leader only their group, others nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import Role
from sandbox.parsing import Upload
from tests.delivery_kit import ward
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts


async def test_stats_scoped_to_the_persons_role(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward(session, groups=3, households=9)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 2")

    calls = await harness.send(OFFICIAL_ID, "/stats")
    official = texts(calls)[0]
    assert "Phường Test" in official and "Hộ đã đăng ký Loa: 9/9" in official
    assert all(f"• Tổ {i}: 3/3 hộ" in official for i in (1, 2, 3))

    photos = [c for c in calls if c.method == "sendPhoto" and c.ok]
    assert len(photos) == 1 and photos[0].params["chat_id"] == OFFICIAL_ID
    upload = photos[0].params["photo"]
    assert isinstance(upload, Upload) and upload.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Tỉ lệ hộ đăng ký Loa theo tổ" in photos[0].params["caption"]

    calls = await harness.send(LEADER_ID, "/stats")
    assert [c.method for c in calls if c.ok] == ["sendMessage", "sendPhoto"]
    leader = texts(calls)[0]
    assert "• Tổ 2: 3/3 hộ" in leader
    assert "Tổ 1" not in leader and "Tổ 3" not in leader and "Hộ đã đăng ký" not in leader

    refused = await harness.send(RESIDENT_ID, "/stats")
    assert "không có quyền" in texts(refused)[0]
    assert not [c for c in refused if c.method == "sendPhoto"]
    assert "Tổ 3" in texts(await harness.send(ADMIN_ID, "/stats"))[0]  # superadmin: every ward
