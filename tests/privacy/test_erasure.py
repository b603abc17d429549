"""/forget erases the person from every table: a dump of the whole database finds no trace.

Every table of Base.metadata is classified below; a new table that is not fails the test, so
whoever adds one decides how /forget treats it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import Base, FaqEntry, Urgency, utcnow
from sandbox import Sandbox
from tests.delivery_kit import announce, deliver
from tests.engagement.report_kit import report as street_report
from tests.harness import GROUP_CHAT, BotHarness, last_message, texts
from tests.privacy.kit import answer_by_reply, consent_and_pick_group
from tests.triage.triage_world import NEIGHBOUR, TECH_A, ask_private, card, make_world

PERSON = 200_000_077
NAME = "Trần Văn Bình"
ADDRESS = "99 ngõ Riêng Tư"
PHONE = "0912345678"

# table -> how /forget treats it (the reason is for the reader)
TABLES = {
    "residents": "erased",
    "households": "an address the person typed is erased; the ward's list stays",
    "tickets": "erased with messages, links, events and ratings",
    "ticket_messages": "erased with the ticket",
    "ticket_links": "erased with the ticket",
    "ticket_events": "erased with the ticket",
    "ticket_ratings": "erased with the ticket",
    "faq_entries": "written by staff in general words; loses the link to the ticket",
    "acknowledgements": "kept for the household's count, without who or which chat",
    "attendances": "kept for the head count, without who",
    "deliveries": "kept for the notice's figures, without the private chat",
    "fsm_states": "conversations of the person erased",
    "audit_log": "entries kept, actor unlinked",
    "ask_blocks": "re-keyed to the pseudonym",
    "abuse_marks": "pseudonym only",
    "procedure_search_gaps": "the person's searches erased; others carry only a pseudonym",
    "procedure_scans": "never holds a person",
    "lookups": "never holds a person: when, which guide, how, and a ward (no id, no text)",
    "procedures": "the catalog",
    "wards": "the ward's own data",
    "residential_groups": "the ward's own data",
    "role_grants": "officials' roles, not residents'",
    "bind_codes": "officials' codes",
    "dash_login_tokens": "officials' one-time dashboard links, hashed, swept once expired",
    "notices": "written by officials",
    "notice_templates": "written by officials",
    "staff_chats": "the team's chat",
    "ward_targets": "the ward's own data; updated_by is an administrator's id",
    "chat_member_samples": "a count per group chat and day, never who",
    "stats_messages": "which digest or alert went out for a ward or group, never to whom",
    "consultations": "written by officials",
    "consult_votes": "kept for the household's vote, without who pressed",
    "consult_tallies": "counts only",
    "checkins": "written by officials",
    "checkin_answers": "kept for the household's answer, without who pressed or their location",
    "street_reports": "kept on the public list, without the reporter",
    "street_report_events": "public notes; the team member unlinked",
}
# Salted one-way hashes: compared, never shown, not reversible without the salt.
PSEUDONYM_COLUMNS = {"abuse_marks.subject", "ask_blocks.subject", "procedure_search_gaps.subject"}


def test_every_table_is_classified() -> None:
    assert set(TABLES) == set(Base.metadata.tables)
    for column in PSEUDONYM_COLUMNS:
        table, name = column.split(".")
        assert name in Base.metadata.tables[table].c


async def _register_typing_address(harness: BotHarness) -> None:
    households = await consent_and_pick_group(harness, PERSON, first_name=NAME)
    await harness.press_button(PERSON, households, "Nhập địa chỉ")
    done = texts(await harness.send(PERSON, ADDRESS))
    assert "Riêng Tư" in done[0], done


async def _dump(session: AsyncSession) -> list[tuple[str, str]]:
    """(table.column, value) of every cell of every table."""
    cells = []
    for table in Base.metadata.sorted_tables:
        for row in (await session.execute(select(table))).mappings():
            for column, value in row.items():
                cells.append((f"{table.name}.{column}", str(value)))
    return cells


async def test_forget_leaves_no_trace_in_any_table(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await make_world(harness, session)
    await _register_typing_address(harness)
    # An urgent event notice reaches the private chat; "Đã nhận" and "Tôi sẽ tham gia" there.
    ward_id = (await session.execute(select(Base.metadata.tables["wards"].c.id))).scalar_one()
    notice_id = await announce(
        session,
        ward_id,
        "Họp tổ dân phố",
        queued_at=utcnow(),
        urgency=Urgency.URGENT,
        event_at=utcnow() + timedelta(days=3),
    )
    await deliver(settings, sandbox, session_factory, {notice_id})
    private = sandbox.calls_for("sendMessage", chat_id=PERSON)[-1].result
    assert "Cảm ơn" in texts(await harness.press_button(PERSON, private, "Đã nhận"))[0]
    assert "Cảm ơn" in texts(await harness.press_button(PERSON, private, "tham gia"))[0]
    # A question with a phone number, answered; the team makes an FAQ entry of it.
    number = await ask_private(harness, f"Tôi {NAME}, số {PHONE}, hỏi làm sổ hộ khẩu", PERSON)
    await answer_by_reply(harness, number, "Bác mang căn cước đến bộ phận một cửa nhé.")
    await harness.press_button(TECH_A, card(harness, number), "FAQ")
    await harness.send(TECH_A, "Đăng ký thường trú cần giấy tờ gì?")
    created = texts(await harness.send(TECH_A, "ok"))
    assert "FAQ" in created[0], created
    # A street report: it stays on the public list, without who sent it.
    reported = await street_report(harness, user_id=PERSON, text="Cống tắc trước chợ.")
    # A search nobody could answer, and a question left half-written (with the phone).
    await harness.send(PERSON, f"{PHONE} xyzzy quux")
    await harness.send(PERSON, f"/ask gọi lại cho tôi {PHONE} về sổ đỏ")

    confirm = last_message(await harness.send(PERSON, "/forget"))
    assert "Đã xóa" in texts(await harness.press_button(PERSON, confirm, "Xóa dữ liệu"))[0]

    session.expire_all()
    needles = (str(PERSON), NAME, "Riêng Tư", PHONE)
    leaks = [
        (where, value)
        for where, value in await _dump(session)
        if where not in PSEUDONYM_COLUMNS and any(n in value for n in needles)
    ]
    assert leaks == []
    faq = (await session.scalars(select(FaqEntry))).one()
    assert faq.question == "Đăng ký thường trú cần giấy tờ gì?"
    # What the ward's record needs is still counted.
    tables = Base.metadata.tables
    acks = (await session.execute(select(tables["acknowledgements"]))).all()
    attendances = (await session.execute(select(tables["attendances"]))).all()
    assert len(acks) == 0  # the typed household went, and its acknowledgement with it
    assert len(attendances) == 1
    kept = (await session.execute(select(tables["street_reports"]))).mappings().one()
    assert kept["id"] == reported and kept["reporter_tg_id"] is None
    assert kept["text"] == "Cống tắc trước chợ."


async def test_someone_who_only_asked_in_the_group_can_erase(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    asked = await harness.send(
        NEIGHBOUR,
        f"/ask Cho hỏi số {PHONE} của ai?",
        chat_id=GROUP_CHAT,
        chat_type="supergroup",
        first_name="Ông Tư",
    )
    assert any("#" in t for t in texts(asked))
    shown = texts(await harness.send(NEIGHBOUR, "/mydata"))[0]
    assert "Câu hỏi #" in shown
    confirm = last_message(await harness.send(NEIGHBOUR, "/forget"))
    assert "Đã xóa" in texts(await harness.press_button(NEIGHBOUR, confirm, "Xóa dữ liệu"))[0]
    session.expire_all()
    leaks = [cell for cell in await _dump(session) if PHONE in cell[1] or "Ông Tư" in cell[1]]
    assert leaks == []
