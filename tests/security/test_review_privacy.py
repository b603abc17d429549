"""Review: what one resident typed is never shown to another, nor kept alive by them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.seed import seed_sample
from handlers.start import JoinAction, JoinCb
from models import Household, Resident
from tests.harness import BotHarness, last_message, texts
from tests.privacy.kit import consent_and_pick_group

NEIGHBOUR = 200_000_156
STRANGER = 200_000_155


async def test_a_forged_household_press_cannot_join_an_address_someone_else_typed(
    harness: BotHarness, session: AsyncSession
) -> None:
    """Household ids are sequential: a consented resident presses "h:<id>" for each and is
    told every address other residents typed; joining one also keeps it past its owner's
    /forget ("goes when nobody else lives there")."""
    await seed_sample(session)
    picker = await consent_and_pick_group(harness, NEIGHBOUR)
    await harness.press_button(NEIGHBOUR, picker, "Nhập địa chỉ")
    await harness.send(NEIGHBOUR, "77 ngõ Nhà Riêng")
    typed = (await session.scalars(select(Household).where(Household.house_number == "77"))).one()

    picker = await consent_and_pick_group(harness, STRANGER)
    forged = JoinCb(action=JoinAction.HOUSEHOLD, id=typed.id, page=typed.group_id).pack()
    shown = texts(await harness.press(STRANGER, picker, forged))
    assert not any("Nhà Riêng" in t for t in shown)
    stranger = await session.scalar(select(Resident).where(Resident.telegram_id == STRANGER))
    assert stranger is not None and stranger.household_id != typed.id

    welcome = last_message(await harness.send(NEIGHBOUR, "/forget"))
    await harness.press_button(NEIGHBOUR, welcome, "Xóa dữ liệu")
    assert await session.get(Household, typed.id, populate_existing=True) is None
