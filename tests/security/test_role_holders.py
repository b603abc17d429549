"""Roles are no longer read for every update from someone holding none (bot/services/
role_holders.py): revocations must still take effect at once, and a grant made elsewhere may
be late but never gives more than the database says."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.directory.role_holders import RoleHolders
from bot.services.directory.roles import grant_role
from models import Role, RoleGrant
from models.clock import ManualClock
from tests.harness import OFFICIAL_ID, BotHarness, texts
from tests.notices.announce_kit import ward_with_official

NEWCOMER = 300_000_077
FORBIDDEN = "không có quyền"


async def test_an_official_revoked_by_another_process_a_minute_ago_cannot_act(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await ward_with_official(session)
    assert str(OFFICIAL_ID) in texts(await harness.send(OFFICIAL_ID, "/roles"))[-1]
    async with session_factory() as other:  # `loa admin` or another instance: no ORM event here
        await other.execute(delete(RoleGrant).where(RoleGrant.telegram_id == OFFICIAL_ID))
        await other.commit()
    clock.advance(timedelta(minutes=1))

    assert FORBIDDEN in texts(await harness.send(OFFICIAL_ID, "/roles"))[-1]
    assert FORBIDDEN in texts(await harness.send(OFFICIAL_ID, "/announce"))[-1]


async def test_a_role_granted_elsewhere_counts_after_the_refresh_never_before_the_database(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ward_id = await ward_with_official(session)
    holders: RoleHolders = harness.dp["role_holders"]
    assert FORBIDDEN in texts(await harness.send(NEWCOMER, "/roles"))[-1]  # holders are read
    async with session_factory() as other:  # a plain INSERT, as another process would
        await other.execute(
            insert(RoleGrant).values(
                telegram_id=NEWCOMER, role=Role.WARD_OFFICIAL, ward_id=ward_id
            )
        )
        await other.commit()
    # Not yet known to this process: treated as holding no role (refused, never more).
    assert FORBIDDEN in texts(await harness.send(NEWCOMER, "/roles"))[-1]
    holders.refresh_seconds = 0  # the next update reads the holders again
    assert str(NEWCOMER) in texts(await harness.send(NEWCOMER, "/roles"))[-1]


async def test_a_role_granted_by_this_process_counts_at_once(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward_with_official(session)
    assert FORBIDDEN in texts(await harness.send(NEWCOMER + 1, "/roles"))[-1]
    await grant_role(session, NEWCOMER + 1, Role.WARD_OFFICIAL)  # the holders were just read
    assert str(NEWCOMER + 1) in texts(await harness.send(NEWCOMER + 1, "/roles"))[-1]
