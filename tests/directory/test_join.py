"""A resident joins through /start and through a group's join link."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.io import import_directory
from bot.services.directory.seed import SAMPLE_DIR, seed_sample
from models import AuditEntry, Household, Resident, ResidentialGroup, Ward
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts


async def _group(session: AsyncSession, name: str) -> ResidentialGroup:
    return (
        await session.scalars(select(ResidentialGroup).where(ResidentialGroup.name == name))
    ).one()


async def test_start_consent_group_household(harness: BotHarness, session: AsyncSession) -> None:
    await seed_sample(session)
    calls = await harness.send(RESIDENT_ID, "/start", first_name="Bà Lan")
    welcome = last_message(calls)
    assert "Loa" in welcome["text"] and "/mydata" in welcome["text"]  # privacy notice shown
    # who speaks through Loa, and how to check a message one is not sure of
    assert "kênh thông tin chính thức của Ủy ban nhân dân Phường Sông Cầu" in welcome["text"]
    assert "chọn «Chuyển tiếp» và gửi cho Loa" in welcome["text"]
    assert await session.scalar(select(Resident)) is None  # silence is not consent

    calls = await harness.press_button(RESIDENT_ID, welcome, "Tôi đồng ý")
    groups_msg = last_message(calls)
    assert "Gia đình ở tổ dân phố nào?" in groups_msg["text"]
    calls = await harness.press_button(RESIDENT_ID, groups_msg, "Tổ 13")
    households_msg = last_message(calls)
    assert "Tổ 13" in households_msg["text"]
    first = households_msg["reply_markup"]["inline_keyboard"][0][0]["text"]
    calls = await harness.press_button(RESIDENT_ID, households_msg, first)
    assert any("Xong" in t and first in t for t in texts(calls))

    session.expire_all()
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert resident is not None and resident.consent_at is not None
    assert resident.display_name == "Bà Lan"
    household = await session.get(Household, resident.household_id)
    assert household is not None and household.address == first

    again = await harness.send(RESIDENT_ID, "/start")
    assert "Tổ 13" in texts(again)[0] and first in texts(again)[0]


async def test_join_link_skips_group_choice_and_typed_address(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    group_id = (await _group(session, "Tổ 7")).id
    welcome = last_message(await harness.send(RESIDENT_ID, f"/start join-{group_id}"))
    households_msg = last_message(await harness.press_button(RESIDENT_ID, welcome, "đồng ý"))
    assert "Tổ 7" in households_msg["text"]
    ask = await harness.press_button(RESIDENT_ID, households_msg, "Nhập địa chỉ")
    assert "số nhà" in texts(ask)[-1]
    bad = await harness.send(RESIDENT_ID, "nhà bà Lan")
    assert "chưa hiểu địa chỉ" in texts(bad)[0]
    done = await harness.send(RESIDENT_ID, "Số 99 ngõ 5 Trường Chinh")
    assert "99 ngõ 5 Trường Chinh" in texts(done)[0]

    session.expire_all()
    h = await session.scalar(select(Household).where(Household.house_number == "99"))
    assert h is not None and h.group_id == group_id and h.street == "ngõ 5 Trường Chinh"
    actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"resident.consent", "household.self_registered", "resident.joined"} <= actions


async def test_decline_stores_nothing_and_english_switch(
    harness: BotHarness, session: AsyncSession
) -> None:
    await seed_sample(session)
    welcome = last_message(await harness.send(RESIDENT_ID, "/start"))
    english = last_message(await harness.press_button(RESIDENT_ID, welcome, "English"))
    assert "Your personal data on Loa" in english["text"]
    assert "the official channel of Ủy ban nhân dân Phường Sông Cầu" in english["text"]
    declined = await harness.press_button(RESIDENT_ID, english, "do not agree")
    assert "stores nothing" in texts(declined)[0]
    assert await session.scalar(select(Resident)) is None


async def test_english_consent_is_remembered(harness: BotHarness, session: AsyncSession) -> None:
    await seed_sample(session)
    welcome = last_message(await harness.send(RESIDENT_ID, "/start", language_code="en"))
    assert "Hello!" in welcome["text"]
    groups_msg = last_message(await harness.press_button(RESIDENT_ID, welcome, "I agree"))
    assert "residential group" in groups_msg["text"]
    reply = await harness.send(RESIDENT_ID, "/help", language_code="vi")
    assert "What Loa can do" in texts(reply)[0]  # saved language wins over Telegram's
    assert "<code>@loa_phuong_bot birth</code>" in texts(reply)[0]  # the real username


async def test_a_commune_speaks_of_its_villages(
    harness: BotHarness, session: AsyncSession
) -> None:
    """Xã Nông Thượng (data/sample/nong_thuong): "xã" and "thôn", never "phường"/"tổ dân phố"."""
    sample = SAMPLE_DIR.parent / "nong_thuong"
    await import_directory(session, sample / "groups.csv", sample / "households.csv")
    commune = (await session.scalars(select(Ward))).one()
    assert (commune.kind_label, commune.group_label) == ("Xã", "Thôn")
    assert commune.council == "Ủy ban nhân dân Xã Nông Thượng"
    assert commune.leader_of("Thôn Nà Pài") == "Trưởng thôn Nà Pài"

    welcome = last_message(await harness.send(RESIDENT_ID, "/start"))
    assert "kênh thông tin chính thức của Ủy ban nhân dân Xã Nông Thượng" in welcome["text"]
    groups_msg = last_message(await harness.press_button(RESIDENT_ID, welcome, "Tôi đồng ý"))
    assert "Gia đình ở thôn nào?" in groups_msg["text"]
    households_msg = last_message(await harness.press_button(RESIDENT_ID, groups_msg, "Nà Pài"))
    first = households_msg["reply_markup"]["inline_keyboard"][0][0]["text"]
    done = texts(await harness.press_button(RESIDENT_ID, households_msg, first))[-1]
    assert "Thông báo của xã và thôn sẽ tới qua Loa" in done
    fake = texts(await harness.send(RESIDENT_ID, "Nộp tiền ngay", forward_origin=RESIDENT_ID + 1))
    assert "Ủy ban nhân dân xã trước khi làm theo" in fake[0]
    intro = welcome["text"].split("🔒")[0]  # the privacy notice after it is issue 12's
    for text in (intro, groups_msg["text"], done, fake[0]):
        assert "phường" not in text.lower() and "tổ dân phố" not in text.lower()
