"""The dashboard's pages and exports show the ward's figures; the bot hands out the link."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import DashLoginToken, Lookup, utcnow
from tests.dash.kit import Client, World, redeem, sign_in
from tests.harness import GROUP_CHAT, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts


async def test_bot_sends_a_one_time_link_to_officials_only(
    harness: BotHarness, client: Client, session: AsyncSession, place: World
) -> None:
    reply = texts(await harness.send(OFFICIAL_ID, "/dash"))[0]
    match = re.search(r"http://127\.0\.0\.1:8080/dash/login\?t=([\w-]+)", reply)
    assert match and "10 phút" in reply
    stored = (await session.scalars(select(DashLoginToken))).one()
    assert stored.telegram_id == OFFICIAL_ID and match.group(1) not in stored.token_hash
    await redeem(client, match.group(1), expect=303)
    assert (await client.get("/dash")).status == 200

    assert "không có quyền" in texts(await harness.send(RESIDENT_ID, "/dash"))[0]
    in_group = texts(await harness.send(OFFICIAL_ID, "/dash", chat_id=GROUP_CHAT))[0]
    assert "riêng" in in_group and "/dash/login" not in in_group
    assert len((await session.scalars(select(DashLoginToken))).all()) == 1


async def test_overview_figures_against_targets_and_charts(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, OFFICIAL_ID)
    html = await (await client.get("/dash")).text()
    cards = re.findall(r'<section class="card (\w+)" data-figure="\d">\s*<div>([^<]+)</div>\s*'
                       r'<div class="value">([^<]+)</div>', html)  # fmt: skip
    assert [(level, value) for level, _, value in cards] == [
        ("good", "100%"),  # 9 of 9 households registered, target 90%
        ("good", "0"),  # a notice today, at most 10 days
        ("bad", "22%"),  # 2 of 9 acknowledged within 24 hours, target 70%
        ("unknown", "—"),  # no question yet
    ]
    assert "<svg" in html and "Tỉ lệ hộ đăng ký Loa theo tổ" in html and "Giờ trong ngày" in html
    assert "<?xml" not in html


async def test_official_drills_down_to_households(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, OFFICIAL_ID)
    listing = await (await client.get("/dash/notices")).text()
    assert "Lịch tiêm chủng" in listing and "2/9 (22%)" in listing
    html = await (await client.get(f"/dash/notices/{place.notice_id}")).text()
    assert "Các hộ chưa bấm «Đã nhận»" in html
    assert all(address not in html for address in place.acked)
    assert html.count("<li>") == 7  # the seven households that have not acknowledged
    for page in ("/dash/questions", "/dash/procedures", "/dash/groups?days=7"):
        assert (await client.get(page)).status == 200, page


async def test_exports_open_as_spreadsheets(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, OFFICIAL_ID)
    resp = await client.get("/dash/export/groups.xlsx")
    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await resp.read())).active
    assert isinstance(sheet, Worksheet)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Tổ", "Số hộ", "Hộ đã đăng ký", "Tỉ lệ đăng ký")
    assert rows[1][:4] == ("Tổ 1", 3, 3, 1.0) and len(rows) == 4
    assert sheet["D2"].number_format == "0%"
    notices = load_workbook(
        io.BytesIO(await (await client.get("/dash/export/notices.xlsx")).read())
    )
    assert isinstance(notices.active, Worksheet)
    row = list(notices.active.iter_rows(values_only=True))[1]
    assert row[0] == place.notice_id and row[2] == "Lịch tiêm chủng" and row[4:] == (9, 2, 0.2222)
    raw = await (await client.get("/dash/export/notices.csv")).read()
    assert raw.startswith(b"\xef\xbb\xbf") and "Lịch tiêm chủng" in raw.decode("utf-8-sig")


async def test_procedures_page_shows_the_wards_own_lookups(
    client: Client, session: AsyncSession, place: World
) -> None:
    now = utcnow() - timedelta(minutes=5)  # within today, before the page's now
    for ward_id, code, source in ((place.ward_id, "1.001193", "search"),
                                  (place.ward_id, "1.001193", "qr"),
                                  (place.ward_id, None, "search"),
                                  (place.other_ward_id, "2.000986", "search"),
                                  (None, "2.000986", "web")):  # fmt: skip
        session.add(Lookup(at=now, ward_id=ward_id, code=code, source=source))
    await session.commit()
    await sign_in(client, session, OFFICIAL_ID)
    html = await (await client.get("/dash/procedures")).text()
    figure = re.search(
        r'<div>Lượt tra cứu hướng dẫn của người dân</div><div class="value">(\d+)', html
    )
    assert figure and figure.group(1) == "3"  # the other ward's and the web's are not ours
    assert '<a href="/p/1.001193">1.001193</a>: 2' in html and "2.000986" not in html
    assert "Gõ tìm trong Telegram: 2" in html and "Quét mã QR hoặc mở đường dẫn: 1" in html
