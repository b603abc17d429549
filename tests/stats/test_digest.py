"""The weekly digest, the alerts and the member samples, through the sandbox: the clock is set
to the moment the scheduler would fire, the job runs, and we read what reached the Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_synthetic
from bot.services.stats.jobs import run_alerts, run_digest, sample_members
from bot.texts import Catalog
from broadcasts import audience, outbox
from broadcasts.client import BotApi
from broadcasts.limiter import Limiter, LocalGate
from models import ChatMemberSample, Household, ResidentialGroup, Role, StatsMessage, Ward, utcnow
from models.clock import ManualClock
from sandbox import Sandbox
from tests.conftest import HCM
from tests.delivery_kit import ward
from tests.harness import LEADER_ID, OFFICIAL_ID, RESIDENT_ID, TOKEN

LEADER_1 = 100_000_031  # leader of Tổ 1 (which goes silent)
OTHER_OFFICIAL, OTHER_LEADER = 100_000_041, 100_000_042  # of Phường Khác
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=HCM)


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[BotApi]:
    client = BotApi(sandbox.base_url, TOKEN)
    yield client
    await client.close()


async def _post(session: AsyncSession, clock: ManualClock, ward_name: str, when: datetime,
                groups: list[str]) -> None:  # fmt: skip
    ward_id = await session.scalar(select(Ward.id).where(Ward.name == ward_name))
    assert ward_id is not None
    ids = list(await session.scalars(select(ResidentialGroup.id).where(
        ResidentialGroup.ward_id == ward_id, ResidentialGroup.name.in_(groups))))  # fmt: skip
    clock.set(when)
    await outbox.enqueue(session, ward_id=ward_id, text="Thông báo",
                         audience=audience.spec("groups", group_ids=ids))  # fmt: skip


async def _world(session: AsyncSession, clock: ManualClock) -> None:
    """Phường Test: Tổ 1 last heard on 16/11 (silent by Monday), Tổ 3 half registered;
    Phường Khác: one healthy group. Officials and leaders in both."""
    ward_id = await ward(session, groups=3, households=9)
    t3 = await session.scalar(
        select(ResidentialGroup).where(
            ResidentialGroup.name == "Tổ 3", ResidentialGroup.ward_id == ward_id
        )
    )
    assert t3 is not None
    for i in range(3):  # households nobody registered yet
        session.add(Household(ward_id=ward_id, group_id=t3.id, house_number=f"9{i}",
                              street="Đường Mới"))  # fmt: skip
    await session.commit()
    await seed_synthetic(session, groups=1, households=2, ward_name="Phường Khác")
    for tg, role, ward_name, group in (
        (OFFICIAL_ID, Role.WARD_OFFICIAL, "Phường Test", None),
        (LEADER_ID, Role.GROUP_LEADER, "Phường Test", "Tổ 2"),
        (LEADER_1, Role.GROUP_LEADER, "Phường Test", "Tổ 1"),
        (OTHER_OFFICIAL, Role.WARD_OFFICIAL, "Phường Khác", None),
        (OTHER_LEADER, Role.GROUP_LEADER, "Phường Khác", "Tổ 1"),
    ):
        await grant_role(session, tg, role, ward_name=ward_name, group_name=group)
    await _post(session, clock, "Phường Test", datetime(2026, 11, 16, 9, tzinfo=HCM), ["Tổ 1"])
    await _post(session, clock, "Phường Test", datetime(2026, 11, 25, 9, tzinfo=HCM),
                ["Tổ 2", "Tổ 3"])  # fmt: skip
    await _post(session, clock, "Phường Khác", datetime(2026, 11, 25, 9, tzinfo=HCM), ["Tổ 1"])


def _received(sandbox: Sandbox, since: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for call in sandbox.calls[since:]:
        if call.method == "sendMessage" and call.ok:
            out.setdefault(int(call.params["chat_id"]), []).append(str(call.params["text"]))
    return out


async def test_monday_digest_reaches_officials_of_their_ward_and_leaders_of_their_group(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock,
    sandbox: Sandbox, api: BotApi, settings: Settings,
) -> None:  # fmt: skip
    await _world(session, clock)
    clock.set(MONDAY)
    before = len(sandbox.calls)
    report = await run_digest(utcnow(), session_factory, api, settings, Catalog())
    got = _received(sandbox, before)
    assert set(got) == {OFFICIAL_ID, LEADER_ID, LEADER_1, OTHER_OFFICIAL, OTHER_LEADER}
    assert report.failed == 0 and RESIDENT_ID not in got
    official = got[OFFICIAL_ID][0]
    assert "Tổng kết tuần của Phường Test (23/11 – 29/11/2026)" in official
    assert "Thông báo đã gửi: 1;" in official  # only the 25/11 notice was last week
    assert all(f"• Tổ {i}:" in official for i in (1, 2, 3)) and "Phường Khác" not in official
    assert "• Tổ 3: 3/6 hộ (50%)" in official and "cần chú ý" in official
    leader = got[LEADER_ID][0]
    assert "Tổ 2" in leader and "Tổ 1" not in leader and "Tổ 3" not in leader
    assert "giờ nên đăng" in leader
    other = got[OTHER_OFFICIAL][0]
    assert "Phường Khác" in other and "Tổ 3" not in other
    assert "Phường Test" not in got[OTHER_LEADER][0]

    # the job ran again (a restart, a second process): nobody hears it twice
    before = len(sandbox.calls)
    await run_digest(utcnow(), session_factory, api, settings, Catalog())
    assert _received(sandbox, before) == {}


async def test_two_instances_at_the_same_moment_send_one_digest(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock,
    sandbox: Sandbox, api: BotApi, settings: Settings,
) -> None:  # fmt: skip
    await _world(session, clock)
    clock.set(MONDAY)
    before = len(sandbox.calls)
    await asyncio.gather(*(run_digest(utcnow(), session_factory, api, settings, Catalog())
                           for _ in range(2)))  # fmt: skip
    got = _received(sandbox, before)
    assert {chat: len(texts) for chat, texts in got.items()} == dict.fromkeys(
        (OFFICIAL_ID, LEADER_ID, LEADER_1, OTHER_OFFICIAL, OTHER_LEADER), 1
    )


async def test_digest_waits_out_flood_control_and_skips_a_blocked_official(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock,
    sandbox: Sandbox, api: BotApi, settings: Settings,
) -> None:  # fmt: skip
    await _world(session, clock)
    clock.set(MONDAY)
    sandbox.fail("sendMessage", chat_id=OFFICIAL_ID, error="429", retry_after=1)
    sandbox.fail("sendMessage", chat_id=OTHER_OFFICIAL, error="403_blocked")
    limiter = Limiter(LocalGate(30))  # the sender's, in `loa run`
    before = len(sandbox.calls)
    report = await run_digest(utcnow(), session_factory, api, settings, Catalog(), limiter)
    got = _received(sandbox, before)
    assert set(got) == {OFFICIAL_ID, LEADER_ID, LEADER_1, OTHER_LEADER}
    assert len(got[OFFICIAL_ID]) == 1 and report.failed == 1
    assert limiter.paused_until > 0  # the 429 paused every sender sharing the limiter


async def test_alerts_once_per_spell_to_officials_and_the_groups_leaders(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock,
    sandbox: Sandbox, api: BotApi, settings: Settings,
) -> None:  # fmt: skip
    await _world(session, clock)

    async def alerts(when: datetime) -> dict[int, list[str]]:
        clock.set(when)
        before = len(sandbox.calls)
        await run_alerts(utcnow(), session_factory, api, settings, Catalog())
        return _received(sandbox, before)

    got = await alerts(MONDAY + timedelta(minutes=15))
    assert set(got) == {OFFICIAL_ID, LEADER_1}  # Tổ 2's leader and the other ward: nothing
    assert sorted(got[OFFICIAL_ID]) == sorted([
        "⚠️ Tổ 1 (Phường Test): đã 14 ngày chưa có thông báo nào trong nhóm chat "
        "(tối đa 10 ngày).",
        "⚠️ Tổ 3 (Phường Test): tỉ lệ hộ đăng ký Loa là 50%, thấp hơn chỉ tiêu 90%. "
        "Kính mong vận động thêm các hộ tham gia.",
    ])  # fmt: skip
    assert got[LEADER_1] == [got[OFFICIAL_ID][0]] or got[LEADER_1] == [got[OFFICIAL_ID][1]]
    assert "Tổ 1" in got[LEADER_1][0]

    assert await alerts(MONDAY + timedelta(days=1)) == {}  # still true: not repeated
    await _post(session, clock, "Phường Test", MONDAY + timedelta(days=1, hours=2), ["Tổ 1"])
    assert await alerts(MONDAY + timedelta(days=2)) == {}  # Tổ 1 spoke: its spell ends
    await _post(session, clock, "Phường Test", MONDAY + timedelta(days=3), ["Tổ 2", "Tổ 3"])
    await _post(session, clock, "Phường Khác", MONDAY + timedelta(days=3), ["Tổ 1"])
    again = await alerts(MONDAY + timedelta(days=11))  # Tổ 1 silent again since 01/12
    assert set(again) == {OFFICIAL_ID, LEADER_1} and "10 ngày" in again[LEADER_1][0]
    assert len(again[OFFICIAL_ID]) == 1  # Tổ 3's reach alert is not repeated

    session.expire_all()
    kinds = sorted((m.kind, m.cleared_at is None) for m in await session.scalars(
        select(StatsMessage)))  # fmt: skip
    assert kinds == [("reach", True), ("silent", False), ("silent", True)]


async def test_member_counts_sampled_once_a_day(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock,
    sandbox: Sandbox, api: BotApi, settings: Settings,
) -> None:  # fmt: skip
    await ward(session, groups=2, households=4)
    chats = list(await session.scalars(select(ResidentialGroup.chat_id).order_by(
        ResidentialGroup.id)))  # fmt: skip
    first, second = chats
    assert first is not None and second is not None  # ward() gives every group a chat
    sandbox.ensure_chat(first, type="supergroup", member_count=41)
    sandbox.ensure_chat(second, type="supergroup", member_count=17)
    assert await sample_members(utcnow(), session_factory, api, settings) == 2
    assert await sample_members(utcnow(), session_factory, api, settings) == 0  # same day
    sandbox.ensure_chat(first).member_count = 44
    clock.advance(timedelta(days=1))
    assert await sample_members(utcnow(), session_factory, api, settings) == 2
    rows = [
        (s.members)
        for s in await session.scalars(
            select(ChatMemberSample).order_by(ChatMemberSample.day, ChatMemberSample.group_id)
        )
    ]
    assert rows == [41, 17, 44, 17]
    assert [c.params["chat_id"] for c in sandbox.calls if c.method == "getChatMemberCount"][
        :2
    ] == chats
