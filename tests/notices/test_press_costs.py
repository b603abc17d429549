"""Presses at scale: many at once are each answered and counted once per household, written
in shared transactions, and no press pays for a conversation-state query."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import Acknowledgement, Delivery, DeliveryStatus, Resident, ResidentialGroup, utcnow
from tests.delivery_kit import notice, people, ward
from tests.harness import BotHarness


async def test_presses_at_once_count_once_per_household_without_fsm_reads(
    harness: BotHarness, session: AsyncSession, engine: AsyncEngine
) -> None:
    ward_id = await ward(session, groups=2, households=12)
    n = await notice(session, ward_id, "Mất nước sáng mai")
    residents = await people(session)
    first = residents[0]
    session.add(Resident(telegram_id=first.telegram_id + 777_000, display_name="Con bà",
                         household_id=first.household_id, consent_at=utcnow()))  # fmt: skip
    # The notice reached every group chat: a press counts only from a chat it reached.
    await session.execute(update(Delivery).where(Delivery.notice_id == n.id)
                          .values(status=DeliveryStatus.SENT))  # fmt: skip
    await session.commit()
    groups = await session.execute(select(ResidentialGroup.id, ResidentialGroup.chat_id))
    chat_of = dict(groups.tuples().all())
    pressers = [(p.telegram_id, chat_of[p.group_id]) for p in residents]
    pressers.append((first.telegram_id + 777_000, chat_of[first.group_id]))
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    sandbox = harness.sandbox

    await asyncio.gather(
        *(harness.feed(sandbox.make_callback(who, chat, None, f"ack:{n.id}"))
          for who, chat in pressers)
    )  # fmt: skip

    answers = [c.params.get("text", "") for c in sandbox.calls_for("answerCallbackQuery")]
    assert len(answers) == len(pressers)  # every press answered
    assert sum("đã xác nhận rồi" in a for a in answers) == 1  # the household's second press
    count = await session.scalar(
        select(func.count()).select_from(Acknowledgement).where(Acknowledgement.notice_id == n.id)
    )
    assert count == len(residents)
    assert not [s for s in statements if "fsm_states" in s and "WHERE" in s]  # state from memory
    inserts = [s for s in statements if s.startswith("INSERT INTO acknowledgements")]
    assert len(inserts) < len(residents)  # presses share their transactions
