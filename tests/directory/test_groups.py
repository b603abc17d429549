"""Binding group chats: codes, reuse, expiry, anonymous admins, removal, supergroup migration."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_sample
from models import AuditEntry, BindCode, ChatStatus, ResidentialGroup, Role, utcnow
from tests.harness import (
    GROUP_CHAT,
    LEADER_ID,
    OFFICIAL_ID,
    RESIDENT_ID,
    BotHarness,
    texts,
)


async def _setup(session: AsyncSession) -> None:
    await seed_sample(session)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 13")


async def _code(harness: BotHarness, user_id: int, group: str = "Tổ 13") -> str:
    reply = texts(await harness.send(user_id, f"/bindcode {group}"))[0]
    assert "<code>" in reply, reply
    return reply.split("<code>")[1].split("</code>")[0]


async def _group13(session: AsyncSession) -> ResidentialGroup:
    session.expire_all()
    return (
        await session.scalars(select(ResidentialGroup).where(ResidentialGroup.name == "Tổ 13"))
    ).one()


async def test_official_binds_group_chat(harness: BotHarness, session: AsyncSession) -> None:
    await _setup(session)
    code = await _code(harness, OFFICIAL_ID)
    calls = await harness.send(
        LEADER_ID,
        f"/bind {code}",
        chat_id=GROUP_CHAT,
        chat_type="supergroup",
        chat_title="Tổ 13 Sông Cầu",
    )
    assert any("Tổ 13" in t and "gắn" in t for t in texts(calls))
    assert all(c.chat_id == GROUP_CHAT for c in calls if c.method == "sendMessage")
    group = await _group13(session)
    assert (group.chat_id, group.chat_title) == (GROUP_CHAT, "Tổ 13 Sông Cầu")
    assert group.chat_status is ChatStatus.ACTIVE

    reused = await harness.send(
        LEADER_ID, f"/bind {code}", chat_id=-1_001_999, chat_type="supergroup"
    )
    assert "đã được dùng" in texts(reused)[0]


async def test_leader_only_for_own_group_and_resident_refused(
    harness: BotHarness, session: AsyncSession
) -> None:
    await _setup(session)
    assert "<code>" in texts(await harness.send(LEADER_ID, "/bindcode tổ 13"))[0]
    other = texts(await harness.send(LEADER_ID, "/bindcode Tổ 2"))[0]
    assert "không có quyền" in other
    refused = texts(await harness.send(RESIDENT_ID, "/bindcode Tổ 13"))[0]
    assert "không có quyền" in refused
    unknown = texts(await harness.send(OFFICIAL_ID, "/bindcode Tổ 99"))[0]
    assert "Không tìm thấy tổ" in unknown
    assert await session.scalar(select(BindCode).where(BindCode.group_id.is_(None))) is None


async def test_expired_and_unknown_codes(harness: BotHarness, session: AsyncSession) -> None:
    await _setup(session)
    code = await _code(harness, OFFICIAL_ID)
    await session.execute(update(BindCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    await session.commit()
    expired = await harness.send(
        LEADER_ID, f"/bind {code}", chat_id=GROUP_CHAT, chat_type="supergroup"
    )
    assert "hết hạn" in texts(expired)[0]
    wrong = await harness.send(
        LEADER_ID, "/bind ZZZZZZ", chat_id=GROUP_CHAT, chat_type="supergroup"
    )
    assert "không đúng" in texts(wrong)[0]
    assert (await _group13(session)).chat_id is None


async def test_anonymous_admin_cannot_bind(harness: BotHarness, session: AsyncSession) -> None:
    await _setup(session)
    code = await _code(harness, OFFICIAL_ID)
    calls = await harness.send(
        1087968824,
        f"/bind {code}",
        chat_id=GROUP_CHAT,
        chat_type="supergroup",
        sender_chat=GROUP_CHAT,
    )
    assert "ẩn danh" in texts(calls)[0]
    assert (await _group13(session)).chat_id is None
    still_valid = await session.scalar(select(BindCode.used_at))
    assert still_valid is None


async def test_removed_readded_and_migrated(harness: BotHarness, session: AsyncSession) -> None:
    await _setup(session)
    old_chat = -4_000_123
    code = await _code(harness, OFFICIAL_ID)
    await harness.send(LEADER_ID, f"/bind {code}", chat_id=old_chat, chat_type="group")
    new_chat = -1_004_000_123
    await harness.send(
        LEADER_ID, None, chat_id=old_chat, chat_type="group", migrate_to_chat_id=new_chat
    )
    assert (await _group13(session)).chat_id == new_chat

    await harness.feed(harness.sandbox.make_my_chat_member(new_chat, "kicked", LEADER_ID))
    assert (await _group13(session)).chat_status is ChatStatus.REMOVED
    back = await harness.feed(harness.sandbox.make_my_chat_member(new_chat, "member", LEADER_ID))
    assert any("trở lại" in t for t in texts(back))
    group = await _group13(session)
    assert group.chat_status is ChatStatus.ACTIVE and group.chat_id == new_chat
    actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["bind.chat_migrated", "bind.chat_removed", "bind.chat_active"]


async def test_bot_added_to_unbound_group_explains(
    harness: BotHarness, session: AsyncSession
) -> None:
    await _setup(session)
    calls = await harness.feed(
        harness.sandbox.make_my_chat_member(-1_005_555, "member", LEADER_ID)
    )
    assert any("/bind" in t for t in texts(calls))


async def test_anonymous_admin_cannot_bind_the_staff_group(
    harness: BotHarness, session: AsyncSession
) -> None:
    from models import StaffChat

    await _setup(session)
    reply = texts(await harness.send(OFFICIAL_ID, "/staffcode"))[0]
    code = reply.split("/bindstaff ")[1].split("<")[0].split()[0]
    calls = await harness.send(
        1087968824,
        f"/bindstaff {code}",
        chat_id=-1_001_777,
        chat_type="supergroup",
        sender_chat=-1_001_777,
    )
    assert "ẩn danh" in texts(calls)[0]
    assert await session.scalar(select(StaffChat)) is None
    usage = await harness.send(
        OFFICIAL_ID, "/bindstaff", chat_id=-1_001_777, chat_type="supergroup"
    )
    assert "/bindstaff" in texts(usage)[0]
