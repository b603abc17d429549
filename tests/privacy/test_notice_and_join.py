"""The notice residents read, the photo warning, and registration only after consent."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.seed import seed_sample
from handlers.directory.start import JoinAction, JoinCb
from models import Household, ResidentialGroup
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.privacy.kit import consent_and_pick_group
from tests.triage.triage_world import make_world

STRANGER = 200_000_055
NEIGHBOUR = 200_000_056
ROOT = Path(__file__).resolve().parents[2]


async def _group(session: AsyncSession, name: str) -> ResidentialGroup:
    query = select(ResidentialGroup).where(ResidentialGroup.name == name)
    return (await session.scalars(query)).one()


async def test_notice_names_the_ward_and_cites_the_law_in_force(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    message = last_message(await harness.send(STRANGER, "/start"))
    welcome = message["text"]
    for part in (
        "Ủy ban nhân dân Phường Sông Cầu",
        "91/2025/QH15",
        "356/2025/NĐ-CP",
        "cả nhóm đều thấy",
        "ngoài Việt Nam",
        "12 tháng",
        "/mydata",
        "/forget",
    ):
        assert part in welcome, part
    english = last_message(await harness.press_button(STRANGER, message, "English"))
    assert "People's Committee of Phường Sông Cầu" in english["text"]
    assert "outside Vietnam" in english["text"]
    assert "Ủy ban nhân dân" in texts(await harness.send(STRANGER, "/privacy"))[0]


def test_no_mention_of_the_replaced_decree() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = [
        name
        for name in tracked
        if not name.startswith("tests/")
        and (ROOT / name).is_file()
        and "13/2023" in (ROOT / name).read_text(encoding="utf-8", errors="ignore")
    ]
    assert found == []


async def test_photo_warning_before_a_photo_is_attached(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    prompt = texts(await harness.send(RESIDENT_ID, "/ask"))[0]
    assert "căn cước" in prompt and "sổ đỏ" in prompt and "thẻ ngân hàng" in prompt
    assert "che các con số" in prompt


async def test_forged_press_without_consent_shows_no_addresses(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    group = await _group(session, "Tổ 13")
    welcome = last_message(await harness.send(STRANGER, "/start"))
    for action in (JoinAction.GROUP, JoinAction.PAGE, JoinAction.TYPE):
        forged = JoinCb(action=action, id=group.id).pack()
        calls = await harness.press(STRANGER, welcome, forged)
        assert texts(calls) == [
            "Cần đồng ý với thông báo về dữ liệu trước. Bấm /start để bắt đầu."
        ]
        assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")]


async def test_picker_offers_only_the_wards_own_list(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    households = await consent_and_pick_group(harness, NEIGHBOUR)
    await harness.press_button(NEIGHBOUR, households, "Nhập địa chỉ")
    await harness.send(NEIGHBOUR, "77 ngõ Nhà Riêng")
    typed = (await session.scalars(select(Household).where(Household.house_number == "77"))).one()
    assert typed.listed is False

    picker = await consent_and_pick_group(harness, STRANGER)
    shown = []
    for _page in range(100):  # every page of the picker
        labels = [b["text"] for row in picker["reply_markup"]["inline_keyboard"] for b in row]
        shown += labels
        if not any("Tiếp" in b for b in labels):
            break
        picker = last_message(await harness.press_button(STRANGER, picker, "Tiếp"))
    assert len(shown) > 3
    assert not [b for b in shown if "Nhà Riêng" in b]
