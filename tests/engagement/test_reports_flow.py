"""Street reports through the real dispatcher: /report, the card, every status change told to
the reporter, "resolved" only with a photo."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import StreetReport, StreetReportEvent
from tests.engagement.report_kit import LOCATION, card, report, row, start
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.triage.triage_world import STAFF_CHAT, TECH_A, make_world


async def test_report_reaches_the_team_and_every_change_the_reporter(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    menu = last_message(await harness.send(RESIDENT_ID, "/report"))
    labels = [b["text"] for r in menu["reply_markup"]["inline_keyboard"] for b in r]
    assert any("Thoát nước" in x for x in labels) and any("Cây xanh" in x for x in labels)
    asked = texts(await harness.press_button(RESIDENT_ID, menu, "Chiếu sáng"))
    assert "gửi ảnh" in asked[0]
    assert "Đã nhận 1 ảnh" in texts(await harness.send(RESIDENT_ID, None, photo=True))[0]
    assert "mô tả" in texts(await harness.send(RESIDENT_ID, None, extra=LOCATION))[0]
    sent = texts(await harness.send(RESIDENT_ID, "Đèn đường ngõ 5 tắt ba hôm nay."))
    assert "Đã gửi phản ánh #1" in sent[-1]
    stored = await row(session, 1)
    assert stored.category == "lighting" and stored.status == "received"
    assert stored.latitude == 21.0285 and len(stored.photos) == 1
    assert harness.sandbox.calls_for("sendPhoto", chat_id=STAFF_CHAT)
    assert "21.02850, 105.85420" in card(harness, 1)["text"]
    sent_card = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[0]
    assert "openstreetmap.org/?mlat=21.02850" in sent_card.params["text"]
    assert "Đã tiếp nhận" in card(harness, 1)["text"]

    for label, status in (("Xác nhận", "acknowledged"), ("Đang xử lý", "in_progress")):
        before = len(harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID))
        await harness.press_button(TECH_A, card(harness, 1), label)
        assert (await row(session, 1)).status == status
        news = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[before:]
        assert len(news) == 1 and "Phản ánh #1" in news[0].params["text"]

    # A public note by a text reply to the card; the reporter reads it.
    card_id = card(harness, 1)["message_id"]
    noted = texts(
        await harness.send(TECH_A, "Tối nay thợ điện đến.", chat_id=STAFF_CHAT, reply_to=card_id)
    )
    assert "ghi chú công khai" in noted[-1]
    last = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[-1]
    assert "Tối nay thợ điện đến." in last.params["text"]

    # "Đã xong" without a photo is refused; a photo in reply to the card resolves it.
    refused = texts(await harness.press_button(TECH_A, card(harness, 1), "Đã xong"))
    assert "ảnh chụp kết quả" in refused[-1]
    assert (await row(session, 1)).status == "in_progress"
    await harness.send(
        TECH_A, None, chat_id=STAFF_CHAT, reply_to=card_id, photo=True, caption="Đã thay bóng."
    )
    done = await row(session, 1)
    assert done.status == "resolved" and done.resolved_at is not None
    proof = harness.sandbox.calls_for("sendPhoto", chat_id=RESIDENT_ID)
    assert len(proof) == 1
    told = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[-1]
    assert "Đã thay bóng." in told.params["text"]
    await harness.press_button(TECH_A, card(harness, 1), "Đóng")
    assert (await row(session, 1)).status == "closed"
    assert card(harness, 1).get("reply_markup") is None  # nothing left to press
    events = await session.scalar(select(func.count(StreetReportEvent.id)))
    assert events == 6  # received, acknowledged, in progress, note, resolved, closed


async def test_typed_address_and_a_huge_album(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    await start(harness, "Rác")
    replies: list[str] = []
    for _ in range(8):
        calls = await harness.send(
            RESIDENT_ID, None, photo=True, extra={"media_group_id": "album-9"}
        )
        replies += texts(calls)
    assert sum("tối đa 5 ảnh" in r for r in replies) == 1
    typed = texts(await harness.send(RESIDENT_ID, "Đầu ngõ 12 Lê Lợi"))
    assert "mô tả" in typed[0]
    await harness.send(RESIDENT_ID, "Rác để ba ngày chưa ai thu.")
    stored = await row(session, 1)
    assert len(stored.photos) == 5 and stored.address == "Đầu ngõ 12 Lê Lợi"
    assert stored.category == "rubbish"
    album = harness.sandbox.calls_for("sendMediaGroup", chat_id=STAFF_CHAT)
    assert len(album) == 1 and len(album[0].params["media"]) == 5


async def test_a_report_without_a_photo_is_refused(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    await start(harness)
    attempts = (
        await harness.send(RESIDENT_ID, "Ngõ 5"),
        await harness.send(RESIDENT_ID, None, extra=LOCATION),
        await harness.send(RESIDENT_ID, None, sticker=True),
    )
    for calls in attempts:
        assert "cần ít nhất một ảnh" in texts(calls)[0], texts(calls)
    assert await session.scalar(select(func.count(StreetReport.id))) == 0
    # The flow carries on once a photo arrives.
    number = await report(harness)
    assert number == 1
