"""Findings 2, 3 and 8: roles are checked now, in the right ward, and never leak across wards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import Notice, NoticeStatus, Role, RoleGrant, Ward, utcnow
from sandbox import Sandbox
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, last_message, texts
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import (
    actions,
    delivered_ward_notice,
    fresh,
)

OTHER_ADMIN = 100_000_020  # administers the second ward only
OTHER_OFFICIAL = 100_000_021
TARGET = 300_000_001


async def second_ward(session: AsyncSession) -> int:
    ward = Ward(name="Phường Bên Cạnh")
    session.add(ward)
    await session.commit()
    await grant_role(session, OTHER_ADMIN, Role.WARD_ADMIN, ward_name=ward.name)
    await grant_role(session, OTHER_OFFICIAL, Role.WARD_OFFICIAL, ward_name=ward.name)
    return ward.id


async def test_a_revoked_official_loses_correct_recall_and_coverage_of_old_notices(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    n = await delivered_ward_notice(
        harness, session, session_factory, settings, "Lịch thu gom rác thay đổi."
    )
    status = last_message(await harness.send(OFFICIAL_ID, f"/notice {n.id}"))  # kept open
    await session.execute(  # written three days ago: older than any "recent" window
        update(Notice).where(Notice.id == n.id).values(created_at=utcnow() - timedelta(days=3))
    )
    await session.commit()

    offer = last_message(await harness.send(ADMIN_ID, f"/revoke {OFFICIAL_ID}"))
    assert f"#{n.id}" in offer["text"]  # every live notice is offered, however old
    assert await session.scalar(select(RoleGrant.id).where(
        RoleGrant.telegram_id == OFFICIAL_ID)) is None  # fmt: skip

    refused = texts(await harness.press_button(OFFICIAL_ID, status, "Đính chính"))
    assert "không có quyền" in refused[-1]
    refused = texts(await harness.press_button(OFFICIAL_ID, status, "Thu hồi"))
    assert "không có quyền" in refused[-1]
    assert "không có quyền" in texts(await harness.send(OFFICIAL_ID, f"/notice {n.id}"))[-1]
    coverage = texts(await harness.send(OFFICIAL_ID, f"/coverage {n.id}"))
    assert "không có quyền" in coverage[-1] and "Chưa bấm" not in coverage[-1]
    n = await fresh(session, n.id)
    assert n.status is NoticeStatus.DONE and n.version == 1 and n.pending_text is None

    done = texts(await harness.press_button(ADMIN_ID, offer, "Thu hồi 1 thông báo"))
    assert "Đã thu hồi 1 thông báo" in done[-1]
    assert (await fresh(session, n.id)).status is NoticeStatus.CANCELLED
    assert "notice.recall_author" in await actions(session, str(OFFICIAL_ID))


async def test_grant_and_revoke_pick_the_ward_among_those_the_caller_administers(
    harness: BotHarness, session: AsyncSession
) -> None:
    first = await ward_with_official(session)
    second = await second_ward(session)

    ask = last_message(await harness.send(ADMIN_ID, f"/grant {TARGET} ward_official"))
    assert "Có nhiều phường" not in ask["text"]
    labels = [b["text"] for row in ask["reply_markup"]["inline_keyboard"] for b in row]
    assert sorted(labels) == ["Phường Bên Cạnh", "Phường Test"]
    out = texts(await harness.press_button(ADMIN_ID, ask, "Bên Cạnh"))
    assert any("Đã cấp" in t for t in out)
    grants = list(await session.scalars(select(RoleGrant).where(RoleGrant.telegram_id == TARGET)))
    assert [(g.role, g.ward_id) for g in grants] == [(Role.WARD_OFFICIAL, second)]

    # the second ward's administrator administers one ward: no question, and only there
    out = texts(await harness.send(OTHER_ADMIN, f"/grant {TARGET} tech_team"))
    assert any("Đã cấp" in t for t in out)
    forged = await harness.feed(harness.sandbox.make_callback(
        OTHER_ADMIN, OTHER_ADMIN, ask["message_id"], f"rw:{first}"))  # fmt: skip
    assert "không có quyền" in texts(forged)[-1]

    ask = last_message(await harness.send(ADMIN_ID, f"/revoke {TARGET}"))
    out = texts(await harness.press_button(ADMIN_ID, ask, "Bên Cạnh"))
    assert any("Đã thu hồi 2 vai trò" in t for t in out)
    assert (
        await session.scalar(select(RoleGrant.id).where(RoleGrant.telegram_id == TARGET)) is None
    )
    assert [a for a in await actions(session, str(TARGET))] == [
        "role.grant", "role.grant", "role.revoke"]  # fmt: skip


async def test_roles_lists_only_the_callers_own_wards(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward_with_official(session)
    await second_ward(session)
    mine = texts(await harness.send(OFFICIAL_ID, "/roles"))[-1]
    assert str(OFFICIAL_ID) in mine
    assert str(OTHER_OFFICIAL) not in mine and str(OTHER_ADMIN) not in mine
    theirs = texts(await harness.send(OTHER_OFFICIAL, "/roles"))[-1]
    assert str(OTHER_ADMIN) in theirs and str(OFFICIAL_ID) not in theirs
    everyone = texts(await harness.send(ADMIN_ID, "/roles"))[-1]  # a superadmin sees all
    assert str(OFFICIAL_ID) in everyone and str(OTHER_OFFICIAL) in everyone
