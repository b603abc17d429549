"""A commune's people read "xã" and "thôn", a ward's "phường" and "tổ dân phố" (issue 15).

The same walk for Xã Nông Thượng (data/sample/nong_thuong) and Phường Sông Cầu: a group chat
bound, a resident joining, help for every role, a question asked in the group chat and
escalated, the announcement audience buttons, /stats, the scam check. Everything that reached
the Bot API stand-in (texts, captions, alerts, button labels) is read.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.services.directory.io import import_directory
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import SAMPLE_DIR, seed_sample
from bot.services.procedures.guides import Guide
from bot.web.app import create_web_app
from handlers.triage.jobs import run_sla_checks
from models import Role, Ticket
from sandbox import Sandbox
from tests.harness import (
    GROUP_CHAT,
    LEADER_ID,
    OFFICIAL_ID,
    RESIDENT_ID,
    BotHarness,
    last_message,
    texts,
)
from tests.notices.announce_kit import Composer
from tests.triage.triage_world import (
    STAFF_CHAT,
    TECH_A,
    ask_private,
    bind_staff_chat,
    card,
    ticket,
)

UNBOUND_CHAT = -1_003_000_000_001
# What a commune's people must never read: the ward's words.
WARD_WORDS = re.compile(r"phường|tổ dân phố|tổ trưởng|toàn phường", re.I)


def everything_said(sandbox: Sandbox) -> list[str]:
    """Every text, caption, alert and button label the bot sent or edited."""
    out: list[str] = []
    for c in sandbox.calls:
        for key in ("text", "caption"):
            if c.params.get(key):
                out.append(str(c.params[key]))
        markup = c.params.get("reply_markup") or {}
        if isinstance(markup, str):
            continue
        for row in markup.get("inline_keyboard", []):
            out += [b["text"] for b in row]
    return out


async def _join(harness: BotHarness, group: str) -> None:
    """The resident consents, picks the group and its first household."""
    welcome = last_message(await harness.send(RESIDENT_ID, "/start"))
    groups_msg = last_message(await harness.press_button(RESIDENT_ID, welcome, "Tôi đồng ý"))
    households = last_message(await harness.press_button(RESIDENT_ID, groups_msg, group))
    first = households["reply_markup"]["inline_keyboard"][0][0]["text"]
    await harness.press_button(RESIDENT_ID, households, first)


async def _walk(harness: BotHarness, session: AsyncSession, group: str) -> dict[str, Any]:
    """The same steps in any ward; returns what some of them answered."""
    seen: dict[str, Any] = {}
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=group)
    await grant_role(session, TECH_A, Role.TECH_TEAM)
    # the bot is added to the group's chat, a code is made and used there
    await harness.feed(harness.sandbox.make_my_chat_member(GROUP_CHAT, "member", LEADER_ID))
    seen["usage"] = texts(await harness.send(OFFICIAL_ID, "/bindcode"))[0]
    code_msg = texts(await harness.send(OFFICIAL_ID, f"/bindcode {group}"))[0]
    code = code_msg.split("<code>")[1].split("</code>")[0]
    seen["bound"] = texts(
        await harness.send(LEADER_ID, f"/bind {code}", chat_id=GROUP_CHAT, chat_type="supergroup")
    )
    await harness.send(LEADER_ID, "/bind SAI-MA", chat_id=UNBOUND_CHAT, chat_type="supergroup")
    seen["forbidden"] = texts(await harness.send(RESIDENT_ID + 5, "/bindcode " + group))[0]
    # a resident joins
    await _join(harness, group)
    for user in (RESIDENT_ID, OFFICIAL_ID, LEADER_ID, TECH_A):
        seen[f"help{user}"] = "\n".join(texts(await harness.send(user, "/help")))
    await harness.send(RESIDENT_ID, "/help", chat_id=GROUP_CHAT, chat_type="supergroup")
    # a question in the group chat, escalated by the team; another in a chat nobody bound
    await bind_staff_chat(harness)
    await harness.send(
        RESIDENT_ID, "/ask Cho hỏi làm giấy khai sinh ở đâu?", chat_id=GROUP_CHAT,
        chat_type="supergroup",
    )  # fmt: skip
    number = (await session.scalars(select(Ticket.id))).one()
    seen["escalated"] = texts(await harness.press_button(TECH_A, card(harness, number), "⬆️"))
    seen["card"] = card(harness, number)["text"]
    await harness.send(RESIDENT_ID, "/ask Chỗ này hỏi được không?", chat_id=UNBOUND_CHAT,
                       chat_type="supergroup")  # fmt: skip
    # the audience of an announcement, then /stats and the scam check
    composer = Composer(harness)
    await composer.say("/announce")
    await composer.tap("Thông báo")
    await composer.say("Họp dân chiều Chủ nhật tại nhà văn hóa.")
    seen["audiences"] = [b["text"] for row in composer.last["reply_markup"]["inline_keyboard"]
                         for b in row]  # fmt: skip
    await composer.tap("☑️")
    await composer.tap("➡️")  # none chosen yet
    await composer.say("/cancel")
    seen["stats"] = texts(await harness.send(OFFICIAL_ID, "/stats"))[0]
    seen["templates"] = "\n".join(texts(await harness.send(OFFICIAL_ID, "/templates")))
    seen["scam"] = texts(
        await harness.send(RESIDENT_ID, "Chuyển khoản ngay", forward_origin=RESIDENT_ID + 1)
    )[0]
    assert STAFF_CHAT in {c.chat_id for c in harness.sandbox.calls}
    return seen


async def test_a_commune_never_hears_ward_words(
    harness: BotHarness, session: AsyncSession
) -> None:
    sample = SAMPLE_DIR.parent / "nong_thuong"
    await import_directory(session, sample / "groups.csv", sample / "households.csv")
    seen = await _walk(harness, session, "Thôn Nà Pài")

    said = everything_said(harness.sandbox)
    leaked = [t for t in said if WARD_WORDS.search(t)]
    assert not leaked
    assert "/bindcode Thôn 1" in seen["usage"]
    assert any("Thông báo của xã" in t for t in seen["bound"])
    assert "cán bộ hoặc trưởng thôn" in seen["forbidden"]
    assert "<b>Cán bộ xã</b>" in seen[f"help{OFFICIAL_ID}"]
    assert "<b>Trưởng thôn</b>" in seen[f"help{LEADER_ID}"]
    assert "Báo cán bộ xã" in seen[f"help{TECH_A}"]
    assert "xem thôn, hộ của mình" in seen[f"help{RESIDENT_ID}"]
    assert "Hỏi trong nhóm thôn" in seen["card"] and "Đã báo cán bộ xã" in seen["card"]
    assert any("cán bộ xã" in t for t in seen["escalated"])
    assert seen["audiences"][:3] == ["🏘 Toàn xã", "☑️ Chọn thôn", "🧑‍💼 Chỉ các trưởng thôn"]
    assert "Xã Nông Thượng" in seen["stats"] and "Thôn Nà Pài" in seen["stats"]
    assert "<b>Họp thôn</b>" in seen["templates"] and "trong xã." in seen["templates"]
    assert "Hãy hỏi trưởng thôn hoặc Ủy ban nhân dân xã" in seen["scam"]
    assert any("chưa được gắn với thôn nào" in t for t in said)
    assert any("Hãy chọn ít nhất một thôn" in t for t in said)
    assert any("cán bộ xã" in t and "trưởng thôn" in t for t in said if "/bind MÃ" in t)


async def test_a_ward_still_says_phuong(harness: BotHarness, session: AsyncSession) -> None:
    await seed_sample(session)
    seen = await _walk(harness, session, "Tổ 13")

    said = everything_said(harness.sandbox)
    commune_words = re.compile(r"\bxã\b(?! hội)|\bthôn\b|trưởng thôn", re.I)
    assert not [t for t in said if commune_words.search(t.replace("phường, xã", ""))]
    assert "/bindcode Tổ 13" in seen["usage"]
    assert any("Thông báo của phường" in t for t in seen["bound"])
    assert "<b>Cán bộ phường</b>" in seen[f"help{OFFICIAL_ID}"]
    assert "<b>Tổ trưởng</b>" in seen[f"help{LEADER_ID}"]
    assert "Hỏi trong nhóm tổ dân phố" in seen["card"]
    assert "Họp tổ dân phố" in seen["templates"]
    audiences = ["🏘 Toàn phường", "☑️ Chọn tổ dân phố", "🧑‍💼 Chỉ các tổ trưởng"]
    assert seen["audiences"][:3] == audiences
    assert "Hãy hỏi tổ trưởng hoặc Ủy ban nhân dân phường" in seen["scam"]
    assert any("chưa được gắn với tổ dân phố nào" in t for t in said)


@pytest.mark.parametrize("lang", ["en"])
async def test_english_names_the_commune(
    harness: BotHarness, session: AsyncSession, lang: str
) -> None:
    sample = SAMPLE_DIR.parent / "nong_thuong"
    await import_directory(session, sample / "groups.csv", sample / "households.csv")
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    said = texts(await harness.send(OFFICIAL_ID, "/help", language_code=lang))
    assert any("<b>Commune official</b>" in t and "/bindcode Thôn 1" in t for t in said)
    assert not [t for t in said if re.search(r"\bward\b|residential group", t)]


async def _commune(session: AsyncSession) -> None:
    sample = SAMPLE_DIR.parent / "nong_thuong"
    await import_directory(session, sample / "groups.csv", sample / "households.csv")


@pytest.mark.parametrize("commune", [True, False], ids=["commune", "ward"])
async def test_a_guide_names_the_readers_own_authority(
    harness: BotHarness,
    session: AsyncSession,
    settings: Settings,
    engine: AsyncEngine,
    catalog: list[Guide],
    commune: bool,
) -> None:
    """Guides say "UBND phường"; a commune's reader is sent to "UBND xã" and the "trưởng thôn",
    and a place that may lie elsewhere reads "xã, phường" (in Telegram and on the web)."""
    await (_commune(session) if commune else seed_sample(session))
    card = "\n".join(texts(await harness.send(RESIDENT_ID, "/start p-1_011606")))
    async with TestClient(TestServer(create_web_app(settings, engine))) as client:
        page = await (await client.get("/p/1.011606")).text()
        residence = await (await client.get("/p/1.004222")).text()
        english = await (await client.get("/p/1.004222?lang=en")).text()
    if commune:
        for text in (card, page):
            assert "cho UBND xã hoặc qua trưởng thôn" in text
            assert "UBND phường" not in text and "tổ dân phố" not in text
        assert "Công an xã, phường nơi có chỗ ở" in residence  # the home may be elsewhere
        assert "ward" not in english.replace("commune or ward", "").replace("ward or commune", "")
    else:
        for text in (card, page):
            assert "cho UBND phường hoặc qua tổ trưởng tổ dân phố" in text
        assert "Công an phường nơi có chỗ ở" in residence


async def test_an_overdue_commune_question_alerts_the_communes_officials(
    harness: BotHarness, session: AsyncSession
) -> None:
    """The response-time watch runs outside any update: it speaks for the question's ward."""
    await _commune(session)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    await grant_role(session, TECH_A, Role.TECH_TEAM)
    await bind_staff_chat(harness)
    await _join(harness, "Thôn Nà Pài")
    number = await ask_private(harness, "Cho hỏi giờ làm việc của Trung tâm?")
    due = (await ticket(session, number)).due_at
    harness.sandbox.clear_calls()

    args = (harness.session_factory, harness.bot, harness.settings)
    late = await run_sla_checks(due + timedelta(minutes=1), *args)
    assert late.escalated == [number]
    staff_note = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1].params["text"]
    assert "1 cán bộ xã" in staff_note
    assert "Đã báo cán bộ xã" in card(harness, number)["text"]
    said = everything_said(harness.sandbox)
    assert said and not [t for t in said if WARD_WORDS.search(t)]
