"""The delivery engine against a strict sandbox: audience, limits, Telegram's answers."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import (
    ChatStatus,
    Delivery,
    DeliveryStatus,
    Resident,
    ResidentialGroup,
    TargetKind,
    Urgency,
)
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, notice, received, rows, ward


async def test_urgent_notice_reaches_every_group_and_resident_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    sandbox.strict = True  # no 429 even when windows are counted at arrival
    sandbox.latency_ms = 30
    ward_id = await ward(session, groups=4, households=12)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    await deliver(settings, sandbox, session_factory, {n.id})
    got = received(sandbox)
    deliveries = await rows(session, n.id)
    assert len(deliveries) == 16 and set(got) == {d.chat_id for d in deliveries}
    assert set(got.values()) == {1}
    assert all(d.status is DeliveryStatus.SENT and d.message_ids for d in deliveries)
    assert Counter(d.target for d in deliveries) == {TargetKind.GROUP: 4, TargetKind.RESIDENT: 12}
    assert sandbox.stats["429s"] == 0
    text = sandbox.calls_for("sendMessage")[0].params["text"]
    assert "THÔNG BÁO KHẨN" in text and "Lịch tiêm chủng" in text


async def test_normal_notice_private_only_on_request_and_emergency_overrides(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=4)
    residents = list(await session.scalars(select(Resident).order_by(Resident.id)))
    residents[0].private_notices = True
    residents[1].urgent_opt_out = True
    residents[2].private_chat_blocked = True
    await session.commit()
    ids = [r.telegram_id for r in residents]
    normal = await notice(session, ward_id)
    urgent = await notice(session, ward_id, "Mất điện", Urgency.URGENT)
    emergency = await notice(session, ward_id, "Bão số 3", Urgency.EMERGENCY)
    await deliver(settings, sandbox, session_factory, {normal.id, urgent.id, emergency.id})

    def private(ds: list[Delivery]) -> dict[int, DeliveryStatus]:
        return {d.chat_id: d.status for d in ds if d.target is TargetKind.RESIDENT}

    assert private(await rows(session, normal.id)) == {ids[0]: DeliveryStatus.SENT}
    urgent_rows = private(await rows(session, urgent.id))
    assert ids[1] not in urgent_rows and urgent_rows[ids[2]] is DeliveryStatus.SKIPPED
    emergency_rows = private(await rows(session, emergency.id))
    assert emergency_rows[ids[1]] is DeliveryStatus.SENT  # the opt-out does not hold
    assert received(sandbox)[ids[2]] == 0  # blocked: never sent


async def test_429_storm_and_5xx_lose_nothing(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=9)
    sandbox.fail(
        method="sendMessage", error="429", probability=0.3, retry_after=1, times=None, seed=7
    )
    sandbox.fail(method="sendMessage", error="502", probability=0.1, times=None, seed=8)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    await deliver(settings, sandbox, session_factory, {n.id})
    deliveries = await rows(session, n.id)
    assert all(d.status is DeliveryStatus.SENT for d in deliveries), [
        (d.chat_id, d.status, d.last_error) for d in deliveries if d.status != "sent"
    ]
    assert set(received(sandbox).values()) == {1}
    assert sandbox.stats["429s"] > 0
    assert max(d.attempts for d in deliveries) >= 1  # 5xx count as attempts, 429s do not


async def test_timeout_after_send_is_unknown_but_emergency_is_resent_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=0)
    chats = await group_chats(session)
    sandbox.fail(method="sendMessage", chat_id=chats[0], error="timeout_after_send", times=1)
    normal = await notice(session, ward_id)
    await deliver(settings, sandbox, session_factory, {normal.id}, api_timeout=0.5)
    statuses = {d.chat_id: d.status for d in await rows(session, normal.id)}
    assert statuses == {chats[0]: DeliveryStatus.UNKNOWN, chats[1]: DeliveryStatus.SENT}
    assert received(sandbox)[chats[0]] == 1

    sandbox.fail(method="sendMessage", chat_id=chats[0], error="timeout_after_send", times=1)
    emergency = await notice(session, ward_id, "Lũ quét", Urgency.EMERGENCY)
    await deliver(settings, sandbox, session_factory, {emergency.id}, api_timeout=0.5)
    statuses = {d.chat_id: d.status for d in await rows(session, emergency.id)}
    assert statuses[chats[0]] is DeliveryStatus.SENT
    assert received(sandbox)[chats[0]] == 3  # 1 normal + the emergency twice


async def test_403_not_found_and_migration(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=2)
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    resident_ids = list(await session.scalars(select(Resident.telegram_id).order_by(Resident.id)))
    kicked, migrating, missing = (g.chat_id for g in groups if g.chat_id is not None)
    sandbox.block(kicked, "kicked")
    sandbox.block(resident_ids[0], "blocked")
    sandbox.block(resident_ids[1], "deactivated")
    new_id = -1_009_999_000_001
    sandbox.fail(
        method="sendMessage", chat_id=migrating, error="migrate", migrate_to_chat_id=new_id
    )
    sandbox.forget_chat(missing)
    n = await notice(session, ward_id, urgency=Urgency.URGENT)
    await deliver(settings, sandbox, session_factory, {n.id})
    by_chat = {d.chat_id: d for d in await rows(session, n.id)}
    assert by_chat[kicked].status is DeliveryStatus.FAILED and "kicked" in (
        by_chat[kicked].last_error or ""
    )
    assert by_chat[new_id].status is DeliveryStatus.SENT and migrating not in by_chat
    assert by_chat[missing].status is DeliveryStatus.FAILED
    assert "chat not found" in (by_chat[missing].last_error or "")
    for rid in resident_ids[:2]:
        assert by_chat[rid].status is DeliveryStatus.FAILED
    session.expire_all()
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    assert groups[0].chat_status is ChatStatus.REMOVED and groups[1].chat_id == new_id
    blocked = await session.scalars(select(Resident.private_chat_blocked).order_by(Resident.id))
    assert list(blocked) == [True, True]
    assert received(sandbox)[new_id] == 1


async def test_expired_and_scheduled(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    from datetime import timedelta

    from models import Delivery, Notice, utcnow

    ward_id = await ward(session, groups=2, households=0)
    expiring = await notice(session, ward_id, expires_at=utcnow() + timedelta(hours=1))
    later = await notice(session, ward_id, "Họp tổ", scheduled_at=utcnow() + timedelta(hours=2))
    # Loa was down past the expiry of the first and past the schedule of the second.
    await session.execute(
        update(Notice)
        .where(Notice.id == expiring.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()
    await deliver(settings, sandbox, session_factory, None)
    assert not received(sandbox)  # expired: never sent late; scheduled: not due yet
    await session.execute(
        update(Delivery)
        .where(Delivery.notice_id == later.id)
        .values(next_attempt_at=utcnow() - timedelta(minutes=5))
    )
    await session.commit()
    await deliver(settings, sandbox, session_factory, {later.id, expiring.id})
    assert {d.status for d in await rows(session, expiring.id)} == {DeliveryStatus.SKIPPED}
    assert {d.status for d in await rows(session, later.id)} == {DeliveryStatus.SENT}
    assert sum(received(sandbox).values()) == 2
