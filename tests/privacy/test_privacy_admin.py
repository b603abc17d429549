"""/mydata, /forget, /language, roles in Telegram, /help by role, and never-silent fallback."""

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.residents import give_consent, join_household
from bot.services.directory.seed import seed_sample
from models import AuditEntry, Household, Resident, RoleGrant
from tests.harness import ADMIN_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, last_message, texts


async def _resident(session: AsyncSession) -> None:
    await seed_sample(session)
    await give_consent(session, RESIDENT_ID, "Bà Lan", "vi")
    household = await session.scalar(select(Household).limit(1))
    assert household is not None
    await join_household(session, RESIDENT_ID, household.group_id, household_id=household.id)


async def test_mydata_message_and_json(harness: BotHarness, session: AsyncSession) -> None:
    await _resident(session)
    calls = await harness.send(RESIDENT_ID, "/mydata")
    assert "Bà Lan" in texts(calls)[0]
    doc = next(c for c in calls if c.method == "sendDocument")
    upload = doc.params["document"]
    data = json.loads(upload.data)
    assert data["telegram_id"] == RESIDENT_ID
    assert data["resident"]["display_name"] == "Bà Lan"
    assert data["resident"]["household"]["group"].startswith("Tổ")
    assert {"resident.consent", "resident.joined"} <= {a["action"] for a in data["activity"]}


async def test_forget_after_confirmation(harness: BotHarness, session: AsyncSession) -> None:
    await _resident(session)
    confirm = last_message(await harness.send(RESIDENT_ID, "/forget"))
    kept = await harness.press_button(RESIDENT_ID, confirm, "Không, giữ lại")
    assert "giữ nguyên" in texts(kept)[0]
    assert await session.scalar(select(Resident)) is not None

    confirm = last_message(await harness.send(RESIDENT_ID, "/forget"))
    await harness.press_button(RESIDENT_ID, confirm, "Xóa dữ liệu")
    session.expire_all()
    assert await session.scalar(select(Resident)) is None
    entries = list(await session.scalars(select(AuditEntry)))
    assert not [e for e in entries if e.actor_id == RESIDENT_ID]
    assert "resident.forgotten" in {e.action for e in entries}
    assert "không lưu" in texts(await harness.send(RESIDENT_ID, "/mydata"))[0]


async def test_language_switch_persists(harness: BotHarness, session: AsyncSession) -> None:
    await _resident(session)
    choose = last_message(await harness.send(RESIDENT_ID, "/language"))
    assert (
        "Language set to English"
        in texts(await harness.press_button(RESIDENT_ID, choose, "English"))[0]
    )
    assert "What Loa can do" in texts(await harness.send(RESIDENT_ID, "/help"))[0]


async def test_admin_grants_and_revokes_in_telegram(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    granted = texts(await harness.send(ADMIN_ID, f"/grant {OFFICIAL_ID} ward_official"))[0]
    assert str(OFFICIAL_ID) in granted and "cán bộ phường" in granted
    leader = texts(await harness.send(ADMIN_ID, f"/grant {RESIDENT_ID} group_leader Tổ 13"))[0]
    assert "tổ trưởng" in leader
    help_text = texts(await harness.send(OFFICIAL_ID, "/help"))[0]
    assert "/bindcode" in help_text and "/grant" not in help_text
    refused = texts(await harness.send(OFFICIAL_ID, f"/grant {OFFICIAL_ID} ward_admin"))[0]
    assert "không có quyền" in refused
    revoked = texts(await harness.send(ADMIN_ID, f"/revoke {OFFICIAL_ID}"))[0]
    assert "thu hồi 1" in revoked
    session.expire_all()
    rows = list(await session.scalars(select(RoleGrant)))
    assert [(r.telegram_id, r.role.value) for r in rows] == [(RESIDENT_ID, "group_leader")]
    actions = [a for a in await session.scalars(select(AuditEntry.action)) if a.startswith("role")]
    assert actions == ["role.grant", "role.grant", "role.revoke"]
    usage = texts(await harness.send(ADMIN_ID, "/grant abc"))[0]
    assert "Cách dùng" in usage


async def test_resident_refused_is_logged(
    harness: BotHarness, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    await _resident(session)
    assert "không có quyền" in texts(await harness.send(RESIDENT_ID, "/grant 1 ward_admin"))[0]
    assert any("refused grant" in r.getMessage() for r in caplog.records)


async def test_never_silent_and_never_crashes(harness: BotHarness, session: AsyncSession) -> None:
    await _resident(session)
    assert "/help" in texts(await harness.send(RESIDENT_ID, "xin chào"))[0]
    assert "/help" in texts(await harness.send(RESIDENT_ID, "/khonglenh"))[0]
    assert "nhãn dán" in texts(await harness.send(RESIDENT_ID, None, sticker=True))[0]
    assert "nhãn dán" in texts(await harness.send(RESIDENT_ID, None, photo=True))[0]
    sent = harness.sandbox.make_message(None, RESIDENT_ID, "lời nhắn")["message"]
    edited = harness.sandbox.make_edited_message(None, RESIDENT_ID, sent["message_id"], "sửa")
    assert await harness.feed(edited) == []
    # Group chatter gets no reply; a joined-members service message neither.
    assert await harness.send(RESIDENT_ID, "chào cả tổ", chat_id=-1_007, chat_type="group") == []
    assert (
        await harness.send(
            RESIDENT_ID,
            None,
            chat_id=-1_007,
            chat_type="group",
            new_chat_members=[RESIDENT_ID + 1],
        )
        == []
    )
