"""Secret ballots keep counts only; many households voting at once count exactly once each."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.engagement import votes
from models import AuditEntry, Consultation, ConsultVote, Resident, utcnow
from sandbox import Sandbox
from tests.delivery_kit import deliver
from tests.engagement.kit import FORM, consult_message, raw_counts, setup, tallies, vote_rows
from tests.harness import LEADER_ID, BotHarness, texts


async def test_secret_ballot_keeps_counts_only(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    w = await setup(session, households=8)
    mine = w["mine"]
    said = texts(await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h\nKín: có"))
    assert said[0].startswith("✅")
    consult = (await session.scalars(select(Consultation))).one()
    assert consult.secret
    await deliver(settings, sandbox, session_factory, {consult.notice_id})
    in_group = consult_message(sandbox, w["group"].chat_id)
    assert "🔒 Bỏ phiếu kín" in in_group["text"]

    for person, label in zip(mine, ["1. Đồng ý", "1. Đồng ý", "2. Không"], strict=False):
        assert (
            "Cảm ơn" in texts(await harness.press_button(person.telegram_id, in_group, label))[0]
        )
    changed = texts(await harness.press_button(mine[0].telegram_id, in_group, "2. Không"))
    assert "Đã đổi ý kiến" in changed[0]  # replaced, though the row never held the option
    same = texts(await harness.press_button(mine[0].telegram_id, in_group, "2. Không"))
    assert "rồi" in same[0]

    rows = await vote_rows(session, consult.id)
    assert len(rows) == 3 and all(r.option is None for r in rows)
    marks = [r.mark for r in rows]
    assert len(set(marks)) == 3 and not {"o0", "o1"} & set(marks)  # no shared or plain mark
    assert await tallies(session, consult.id) == {0: 1, 1: 2}
    assert sum((await tallies(session, consult.id)).values()) == len(rows)
    entries = list(
        await session.scalars(
            select(AuditEntry).where(AuditEntry.target == f"consult:{consult.id}")
        )
    )
    changes = [e for e in entries if e.action == "consult.vote_changed"]
    assert len(changes) == 1 and "option" not in changes[0].details
    assert all("option" not in e.details for e in entries)
    status = texts(await harness.send(LEADER_ID, f"/consult_status {consult.id}"))[0]
    assert "1. Đồng ý: 1 hộ" in status and "2. Không đồng ý: 2 hộ" in status


async def test_many_households_vote_at_once(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    w = await setup(session, groups=2, households=80)
    mine = w["mine"]
    said = texts(await harness.send(LEADER_ID, FORM + "Đóng: 30/11 20h"))
    assert said[0].startswith("✅")
    cid = (await session.scalars(select(Consultation.id))).one()
    # A second member in every other household: both press at the same moment.
    for p in mine[::2]:
        session.add(
            Resident(
                telegram_id=p.telegram_id + 900_000,
                display_name="Con",
                household_id=p.household_id,
                consent_at=utcnow(),
            )
        )
    await session.commit()

    async def press(telegram_id: int, option: int) -> str:
        async with session_factory() as s:
            return (await votes.vote(s, cid, option, telegram_id, settings.privacy_key)).outcome

    first = [press(p.telegram_id, i % 2) for i, p in enumerate(mine)]
    twins = [press(p.telegram_id + 900_000, 1) for p in mine[::2]]
    outcomes = await asyncio.gather(*first, *twins)
    assert outcomes.count("new") == len(mine)
    rows = await vote_rows(session, cid)
    assert len(rows) == len(mine) == len({r.household_id for r in rows})
    counts = await tallies(session, cid)
    assert counts == await raw_counts(session, cid)
    assert sum(counts.values()) == len(mine)
    # Everyone changes at once: every count moves, none is lost.
    await asyncio.gather(*(press(p.telegram_id, 0) for p in mine))
    assert await tallies(session, cid) == {0: len(mine)} == await raw_counts(session, cid)
    total = await session.scalar(
        select(func.count()).select_from(ConsultVote).where(ConsultVote.consultation_id == cid)
    )
    assert total == len(mine)
