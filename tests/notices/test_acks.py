"""Residents press "Đã nhận"; officials and leaders see coverage per group."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import Acknowledgement, Household, Resident, ResidentialGroup, Role, Urgency, utcnow
from sandbox import Sandbox
from tests.delivery_kit import deliver, notice, ward
from tests.harness import ADMIN_ID, LEADER_ID, BotHarness, texts


async def test_ack_counts_once_per_household_and_coverage_by_role(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=4)
    g1, g2 = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    g1_chat, g1_id = g1.chat_id, g1.id
    first = (
        await session.execute(
            select(Resident.telegram_id, Household.id, Household.house_number, Household.street)
            .join(Household, Household.id == Resident.household_id)
            .where(Household.group_id == g1_id)
            .order_by(Resident.id)
            .limit(1)
        )
    ).one()
    member, household_id = first[0], first[1]
    address = f"{first[2]} {first[3]}"
    session.add(
        Resident(
            telegram_id=member + 777_000,
            display_name="Con bà",
            household_id=household_id,
            consent_at=utcnow(),
        )
    )
    await session.commit()
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=g2.name)

    n = await notice(session, ward_id, "Họp tổ tối nay", Urgency.NORMAL)
    await deliver(settings, sandbox, session_factory, {n.id})
    in_group = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=g1_chat))
    assert in_group["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"

    pressed = texts(await harness.press_button(member, in_group, "Đã nhận"))
    assert pressed == [f"✅ Cảm ơn! Đã ghi nhận hộ {address} đã nhận thông báo."]
    again = texts(await harness.press_button(member + 777_000, in_group, "Đã nhận"))
    assert "đã xác nhận rồi" in again[0]  # the same household counts once
    stranger = texts(await harness.press_button(55_555, in_group, "Đã nhận"))
    assert "chưa đăng ký" in stranger[0]
    count = await session.scalar(select(func.count()).select_from(Acknowledgement))
    assert count == 1

    report = texts(await harness.send(ADMIN_ID, f"/coverage {n.id}"))[0]
    assert f"{g1.name}: 1/2 hộ" in report and f"{g2.name}: 0/2 hộ" in report
    assert "Chưa nhận" in report and address not in report.split(g2.name)[0].split("Chưa")[-1]
    leader = texts(await harness.send(LEADER_ID, f"/coverage {n.id}"))[0]
    assert f"{g2.name}: 0/2" in leader and g1.name + ":" not in leader
    assert "không có quyền" in texts(await harness.send(member, f"/coverage {n.id}"))[0]
    assert "Cách dùng" in texts(await harness.send(ADMIN_ID, "/coverage abc"))[0]
    assert "Không tìm thấy" in texts(await harness.send(ADMIN_ID, "/coverage 999"))[0]


async def test_coverage_names_groups_without_registered_households_once(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=6)
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    g2_id, g2_name, g1_name = groups[1].id, groups[1].name, groups[0].name
    households = select(Household.id).where(Household.group_id == g2_id)
    for r in await session.scalars(select(Resident).where(Resident.household_id.in_(households))):
        r.consent_at = None  # nobody of this group has joined Loa
    await session.commit()
    n = await notice(session, ward_id, "Họp tổ tối nay", Urgency.NORMAL)
    await deliver(settings, sandbox, session_factory, {n.id})
    report = texts(await harness.send(ADMIN_ID, f"/coverage {n.id}"))[0]
    assert f"Chưa có hộ nào đăng ký Loa: {g2_name}" in report
    assert f"{g2_name}: 0/0" not in report and f"{g1_name}: 0/2" in report
