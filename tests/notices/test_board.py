"""The public notice board over real HTTP, on both databases: what it shows, what it never
shows, the Atom feed, and the printable page's QR code."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.services.directory.seed import SAMPLE_WARD, seed_sample
from bot.services.notices.board import slug
from bot.web.app import create_web_app
from broadcasts import audience, outbox
from models import (
    ChatStatus,
    Delivery,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    ResidentialGroup,
    Ward,
)
from models.clock import ManualClock
from tests.conftest import HCM

Client = TestClient[web.Request, web.Application]
ATOM = "{http://www.w3.org/2005/Atom}"
SLUG = "phuong-song-cau"


@dataclass
class World:
    ward: Ward
    public: Notice  # ward-wide, sent
    corrected: Notice  # sent, then corrected
    cancelled: Notice  # sent, then cancelled
    expired: Notice  # sent, expired since
    hidden: dict[str, Notice]  # each must stay off the board


async def _sent(session: AsyncSession, notice: Notice) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.notice_id == notice.id)
        .values(status="sent", sent_at=notice.queued_at)
    )
    await session.commit()


async def _notice(session: AsyncSession, ward: Ward, text: str, **kw: Any) -> Notice:
    spec = kw.pop("audience", audience.spec("ward"))
    n, _ = await outbox.enqueue(session, ward_id=ward.id, text=text, audience=spec, **kw)
    return n


async def _world(session: AsyncSession, clock: ManualClock) -> World:
    await seed_sample(session)
    ward = (await session.scalars(select(Ward))).one()
    groups = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    for i, g in enumerate(groups):
        g.chat_id, g.chat_status = -100_700 - i, ChatStatus.ACTIVE
    household = (await session.scalars(select(Household).order_by(Household.id))).first()
    assert household is not None
    resident = Resident(telegram_id=777_001, display_name="Trần Thị Bí Mật",
                        household_id=household.id, consent_at=clock.now())  # fmt: skip
    session.add(resident)
    other = Ward(name="Xã Bên Cạnh")
    session.add(other)
    await session.commit()

    clock.set(datetime(2026, 11, 10, 8, tzinfo=HCM))
    public = await _notice(
        session, ward, "Lịch tiêm phòng dại cho chó mèo\nSáng thứ Bảy tại nhà văn hóa."
    )
    await _sent(session, public)
    expired = await _notice(session, ward, "Cắt điện khu phố 3 ngày 12/11",
                            audience=audience.spec("groups", [groups[0].id]),
                            expires_at=datetime(2026, 11, 13, 8, tzinfo=HCM),
                            media=("photo", "ban-do-cat-dien.jpg", b"\xff\xd8 no"))  # fmt: skip
    await _sent(session, expired)
    corrected = await _notice(session, ward, "Họp tổ dân phố lúc 19:00 thứ Sáu")
    await _sent(session, corrected)
    cancelled = await _notice(session, ward, "Phát gạo cứu trợ chiều Chủ nhật")
    await _sent(session, cancelled)
    clock.set(datetime(2026, 11, 12, 8, tzinfo=HCM))
    await outbox.correct(session, corrected.id, "Họp tổ dân phố lúc 19:30 thứ Sáu", None)
    await outbox.cancel(session, cancelled.id, None)

    hidden: dict[str, Notice] = {}
    hidden["leaders"] = await _notice(session, ward, "Nội bộ: danh sách hộ chưa nộp quỹ",
                                      audience=audience.spec("leaders"))  # fmt: skip
    await _sent(session, hidden["leaders"])
    hidden["residents"] = await _notice(
        session, ward, "Nhắc riêng gia đình bà Bí Mật",
        audience=audience.spec("residents", resident_ids=[resident.id]),
    )  # fmt: skip
    await _sent(session, hidden["residents"])
    hidden["never_sent"] = await _notice(session, ward, "Thông báo hủy trước khi gửi")
    await outbox.cancel(session, hidden["never_sent"].id, None)
    tomorrow = datetime(2026, 11, 25, 8, tzinfo=HCM)
    hidden["scheduled"] = await _notice(
        session, ward, "Thông báo hẹn giờ ngày mai", scheduled_at=tomorrow
    )
    other_notice = await _notice(session, other, "Thông báo của xã bên cạnh")
    await _sent(session, other_notice)
    hidden["other_ward"] = other_notice
    for status, text in ((NoticeStatus.DRAFT, "Bản nháp chưa gửi"),
                         (NoticeStatus.PENDING_APPROVAL, "Đang chờ duyệt"),
                         (NoticeStatus.REJECTED, "Bị từ chối")):  # fmt: skip
        n = Notice(ward_id=ward.id, text=text, status=status, audience=audience.spec("ward"),
                   author_name="Cán bộ Nguyễn Văn Soạn")  # fmt: skip
        session.add(n)
        hidden[status.value] = n
    pending_fix = public
    pending_fix.pending_text, pending_fix.pending_name = "Bản sửa chưa duyệt", "Người Sửa"
    await session.commit()
    clock.set(datetime(2026, 11, 24, 9, tzinfo=HCM))
    return World(ward, public, corrected, cancelled, expired, hidden)


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_web_app(settings, engine))) as c:
        yield c


def test_slug_drops_the_marks() -> None:
    assert slug(SAMPLE_WARD) == SLUG
    assert slug("Xã Đồng Tâm  (mới)") == "xa-dong-tam-moi"


async def test_board_shows_public_notices_only(
    client: Client, session: AsyncSession, clock: ManualClock
) -> None:
    w = await _world(session, clock)
    resp = await client.get(f"/w/{SLUG}")
    assert resp.status == 200 and resp.content_type == "text/html"
    html = await resp.text()
    assert '<html lang="vi">' in html and "Bảng tin Phường Sông Cầu" in html
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert 'name="viewport"' in html
    assert "Lịch tiêm phòng dại cho chó mèo" in html
    assert "📢 THÔNG BÁO — Ủy ban nhân dân Phường Sông Cầu" in html  # the issuer
    assert "Đăng lúc 08:00 10/11/2026" in html
    # a correction shows as one, with the corrected text only
    assert "Họp tổ dân phố lúc 19:30 thứ Sáu" in html and "19:00" not in html
    assert "✏️ ĐÍNH CHÍNH" in html and "đính chính lúc 08:00 12/11/2026" in html
    # a cancellation after sending stays on the record, marked
    assert "❌ ĐÃ HỦY" in html and "Phát gạo cứu trợ" in html
    # in force first, then the past ones
    current, past = html.split("Thông báo đã qua", 1)
    assert "Lịch tiêm phòng" in current and "Họp tổ dân phố" in current
    assert "Cắt điện khu phố 3" in past and "Phát gạo cứu trợ" in past
    for n in w.hidden.values():
        assert n.text not in html, n.text
    # nobody's personal details: no resident, household, author or pending correction
    for private in ("Bí Mật", "Nguyễn Văn Tố", "Nguyễn Văn Soạn", "Bản sửa chưa duyệt",
                    "Người Sửa", "777001", "Hà Đức Hạnh"):  # fmt: skip
        assert private not in html, private
    assert f"/w/{SLUG}/feed.atom" in html
    assert html.count("kèm ảnh hoặc tệp") == 1 and "ban-do-cat-dien" not in html
    assert f'href="/w/{SLUG}/n/{w.public.id}?lang=vi"' in html  # each notice opens for printing

    by_id = await client.get(f"/w/{w.ward.id}?lang=en")
    en = await by_id.text()
    assert by_id.status == 200 and '<html lang="en">' in en and "📢 NOTICE" in en
    assert "Notice board of Phường Sông Cầu" in en


async def test_unknown_ward_or_notice_is_a_clear_404(
    client: Client, session: AsyncSession, clock: ManualClock
) -> None:
    w = await _world(session, clock)
    resp = await client.get("/w/phuong-khong-co<script>")
    html = await resp.text()
    assert resp.status == 404 and "Không tìm thấy trang" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    for nid in (w.hidden["leaders"].id, w.hidden["draft"].id, w.hidden["other_ward"].id,
                w.hidden["never_sent"].id, 999_999, "abc"):  # fmt: skip
        resp = await client.get(f"/w/{SLUG}/n/{nid}")
        assert resp.status == 404, nid
        assert "Không có thông báo công khai số" in await resp.text()
    resp = await client.get(f"/w/{SLUG}/feed.atom".replace(SLUG, "khong-co"))
    assert resp.status == 404


async def test_atom_feed_is_valid_with_stable_ids(
    client: Client, session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    w = await _world(session, clock)
    resp = await client.get(f"/w/{SLUG}/feed.atom")
    assert resp.status == 200 and resp.content_type == "application/atom+xml"
    body = await resp.read()
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    base = settings.public_url.rstrip("/")
    assert root.findtext(f"{ATOM}id") == f"{base}/w/{w.ward.id}"
    assert root.findtext(f"{ATOM}title") == "Bảng tin Phường Sông Cầu"
    updated = datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "")
    assert updated == datetime(2026, 11, 12, 8, tzinfo=HCM)  # the last correction
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    expected = [w.cancelled, w.corrected, w.expired, w.public]  # newest first
    assert ids == [f"{base}/w/{w.ward.id}/n/{n.id}" for n in expected]
    for e in entries:
        for tag in ("title", "updated", "published", "content"):
            assert e.findtext(f"{ATOM}{tag}"), tag
        assert e.find(f"{ATOM}author/{ATOM}name") is not None
        datetime.fromisoformat(e.findtext(f"{ATOM}updated") or "")
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert titles[0].startswith("❌ ĐÃ HỦY") and titles[1].startswith("✏️ ĐÍNH CHÍNH")
    assert titles[3] == "Lịch tiêm phòng dại cho chó mèo"
    assert b"B\xc3\xad M\xe1\xba\xadt" not in body  # "Bí Mật"
    again = await (await client.get(f"/w/{w.ward.id}/feed.atom")).read()
    assert [e.findtext(f"{ATOM}id") for e in ET.fromstring(again).findall(f"{ATOM}entry")] == ids


async def test_printable_page_carries_a_qr_code_to_itself(
    client: Client, session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    w = await _world(session, clock)
    resp = await client.get(f"/w/{SLUG}/n/{w.corrected.id}")
    assert resp.status == 200
    html = await resp.text()
    assert "@page { size: A4" in html and "@media print" in html
    assert 'onclick="window.print()"' in html  # allowed by its hash in the page's CSP
    assert "Họp tổ dân phố lúc 19:30 thứ Sáu" in html and "✏️ ĐÍNH CHÍNH" in html
    url = f"{settings.public_url.rstrip('/')}/w/{w.ward.id}/n/{w.corrected.id}"
    assert url in html
    found = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert found is not None
    png = base64.b64decode(found.group(1))
    assert png.startswith(b"\x89PNG")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [c.text for c in codes] == [url]
    # that address is the web copy itself
    assert (await client.get(url.removeprefix(settings.public_url.rstrip("/")))).status == 200


async def test_an_empty_board_says_so(client: Client, session: AsyncSession) -> None:
    await seed_sample(session)
    html = await (await client.get(f"/w/{SLUG}/")).text()
    assert "Chưa có thông báo công khai nào trong 90 ngày qua." in html
    feed = ET.fromstring(await (await client.get(f"/w/{SLUG}/feed.atom")).read())
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated")
