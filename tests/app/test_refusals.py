"""The one path for refusals (handlers/refusals.py): the person's stored language, nothing
written, an alert for a button and a message for a message."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Invalid
from bot.services.directory import residents
from bot.services.directory.seed import seed_sample
from handlers.directory.start import JoinAction, JoinCb
from models import AuditEntry, Household, Resident, ResidentialGroup
from tests.harness import GROUP_CHAT, LEADER_ID, RESIDENT_ID, BotHarness, last_message

NOT_FOUND_EN = "That household was not found. Press /start to choose again."
NOTICE_GONE_EN = "Notice 4242 was not found."
NOTICE_GONE_VI = "Không tìm thấy thông báo số 4242."


async def _joining(harness: BotHarness, session: AsyncSession) -> dict[str, Any]:
    """A resident who consented and is choosing a household of Tổ 13 (Telegram says vi)."""
    await seed_sample(session)
    welcome = last_message(await harness.send(RESIDENT_ID, "/start"))
    groups = last_message(await harness.press_button(RESIDENT_ID, welcome, "Tôi đồng ý"))
    return last_message(await harness.press_button(RESIDENT_ID, groups, "Tổ 13"))


async def _group_id(session: AsyncSession) -> int:
    query = select(ResidentialGroup.id).where(ResidentialGroup.name == "Tổ 13")
    return int((await session.scalars(query)).one())


async def test_button_refusal_is_an_alert_in_the_stored_language(
    harness: BotHarness, session: AsyncSession
) -> None:
    households = await _joining(harness, session)
    await residents.set_language(session, RESIDENT_ID, "en")  # Telegram still says "vi"
    forged = JoinCb(action=JoinAction.HOUSEHOLD, id=999_999, page=await _group_id(session))
    calls = await harness.press(RESIDENT_ID, households, forged.pack())
    alerts = [c for c in calls if c.method == "answerCallbackQuery"]
    assert [(c.params.get("text"), c.params.get("show_alert")) for c in alerts] == [
        (NOT_FOUND_EN, True)
    ]
    assert not [c for c in calls if c.method == "sendMessage"]  # an alert, not a message
    session.expire_all()
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert resident is not None and resident.household_id is None


@pytest.mark.parametrize(
    ("language", "expected"), [("en", NOTICE_GONE_EN), ("vi", NOTICE_GONE_VI)]
)
async def test_message_refusal_is_answered_in_the_chat_in_the_stored_language(
    harness: BotHarness, session: AsyncSession, language: str, expected: str
) -> None:
    await _joining(harness, session)
    await residents.set_language(session, RESIDENT_ID, language)
    calls = await harness.send(RESIDENT_ID, "/notice 4242", language_code="en")
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [(c.chat_id, c.params["text"]) for c in sent] == [(RESIDENT_ID, expected)]
    assert not [c for c in calls if c.method == "answerCallbackQuery"]


async def test_a_refusal_mid_write_leaves_the_database_unchanged(
    harness: BotHarness, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typed address creates a household (flushed), then the service refuses: the
    household, the audit lines and the resident's move are all rolled back."""
    households = await _joining(harness, session)
    await residents.set_language(session, RESIDENT_ID, "en")
    before = (
        await session.scalar(select(func.count()).select_from(Household)),
        await session.scalar(select(func.count()).select_from(AuditEntry)),
    )
    record = audit.record

    def refuse_the_move(db: AsyncSession, action: str, **kw: Any) -> Any:
        if action == "resident.joined":
            raise Invalid("join.household_not_found")
        return record(db, action, **kw)

    monkeypatch.setattr(audit, "record", refuse_the_move)
    asked = last_message(await harness.press_button(RESIDENT_ID, households, "Nhập địa chỉ"))
    calls = await harness.send(RESIDENT_ID, "99 ngõ 7 Trường Chinh", language_code="vi")
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [(c.chat_id, c.params["text"]) for c in sent] == [(RESIDENT_ID, NOT_FOUND_EN)]
    assert asked["chat"]["id"] == RESIDENT_ID

    session.expire_all()
    after = (
        await session.scalar(select(func.count()).select_from(Household)),
        await session.scalar(select(func.count()).select_from(AuditEntry)),
    )
    assert after == before
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert resident is not None and resident.household_id is None


async def test_a_quoting_handler_replies_to_the_refused_message(
    harness: BotHarness, session: AsyncSession
) -> None:
    """/bind in a group (flagged @quoting): the refusal quotes the /bind it answers."""
    await seed_sample(session)
    update = harness.sandbox.make_message(
        GROUP_CHAT, LEADER_ID, "/bind ZZZZZZ", chat_type="supergroup"
    )
    calls = await harness.feed(update)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1 and sent[0].chat_id == GROUP_CHAT
    assert "không đúng" in sent[0].params["text"]
    quoted = sent[0].params.get("reply_parameters") or {}
    assert quoted.get("message_id") == update["message"]["message_id"]
