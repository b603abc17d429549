"""The guide web pages over real HTTP (aiohttp test server), on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.services.procedures.guides import Guide
from bot.web.app import create_web_app
from models import SearchGap

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(
    settings: Settings, engine: AsyncEngine, catalog: list[Guide]
) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_web_app(settings, engine))) as c:
        yield c


async def test_guide_page_in_vietnamese_and_english(client: Client) -> None:
    resp = await client.get("/p/1.001193")
    assert resp.status == 200 and resp.content_type == "text/html"
    html = await resp.text()
    assert '<html lang="vi">' in html and "<h1>Thủ tục đăng ký khai sinh</h1>" in html
    for part in ("Giấy tờ cần chuẩn bị", "Giấy chứng sinh", "Lệ phí", "Nơi nộp", "Lưu ý"):
        assert part in html
    assert html.count('class="case"') == 3  # every case, for printing
    assert "@media print" in html and 'name="viewport"' in html
    assert "https://t.me/loa_phuong_bot?start=p-1_001193" in html
    assert "ma_thu_tuc=1.001193" in html
    # the page says nobody has checked it yet, and where each fact comes from
    assert "Chưa được cán bộ xác minh — hãy hỏi tại Trung tâm Phục vụ hành chính công" in html
    assert "Thời hạn: Luật Hộ tịch 2014, Điều 16 khoản 2" in html and "01/11/2026" not in html

    en = await (await client.get("/p/1.001193?lang=en")).text()
    assert '<html lang="en">' in en and "<h1>Birth registration</h1>" in en
    assert "Documents to bring" in en and "Not yet checked by an official" in en


async def test_unknown_code_is_a_friendly_404(client: Client) -> None:
    resp = await client.get("/p/9.999999<script>")
    assert resp.status == 404
    html = await resp.text()
    assert "Không tìm thấy thủ tục" in html and 'name="q"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


async def test_search_page(client: Client, session: AsyncSession) -> None:
    html = await (await client.get("/p")).text()
    assert 'action="/p"' in html and "Thủ tục đăng ký khai sinh" in html  # the whole list

    html = await (await client.get("/p", params={"q": "nhap ho khau"})).text()
    assert "Kết quả cho «nhap ho khau»" in html
    results = html.split('class="results"', 1)[1]
    assert results.index("/p/1.004222") < results.index("</ol>")

    html = await (await client.get("/p", params={"q": "<b>giá vàng</b>"})).text()
    assert "&lt;b&gt;giá vàng&lt;/b&gt;" in html and "<b>giá vàng" not in html
    assert "Chưa tìm thấy thủ tục khớp" in html
    gap = await session.scalar(select(SearchGap))
    assert gap is not None and gap.source == "web"


@pytest.mark.parametrize(
    ("q", "message"), [("   ", "Hãy gõ việc cần làm"), ("a" * 250, "tối đa 200")]
)
async def test_empty_and_long_queries(client: Client, q: str, message: str) -> None:
    resp = await client.get("/p", params={"q": q})
    assert resp.status == 200
    assert message in await resp.text()
