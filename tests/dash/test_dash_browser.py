"""The dashboard in a real browser: Debian's headless chromium driven by Playwright.

Sign in through the one-time link, read a figure on the overview, download the XLSX export and
open it. Skipped only where /usr/bin/chromium is missing (`.ci/run` installs it in CI).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.dash_links import issue_token
from models import utcnow
from tests.dash.kit import Client, World
from tests.harness import OFFICIAL_ID

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium: apt-get install -y chromium",
    ),
    # one database is enough here: the pages' queries run on both in the other dashboard tests
    pytest.mark.parametrize("db_template", ["sqlite"], indirect=True),
]


async def test_sign_in_read_a_figure_and_download_xlsx(
    client: Client, session: AsyncSession, place: World, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    token = await issue_token(session, OFFICIAL_ID, utcnow(), timedelta(minutes=10))
    base = str(client.make_url("")).rstrip("/")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page(accept_downloads=True)
            page.set_default_timeout(10_000)
            await page.goto(f"{base}/dash/login?t={token}")
            await page.click("#enter")
            await page.wait_for_url(f"{base}/dash")
            reach = page.locator('[data-figure="1"] .value')
            assert (await reach.inner_text()).strip() == "100%"
            assert "Phường Test" in await page.locator("h1").inner_text()

            await page.click("text=Tổ dân phố")
            async with page.expect_download() as info:
                await page.click("#export-groups-xlsx")
            download = await info.value
            assert download.suggested_filename.endswith(".xlsx")
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
        finally:
            await browser.close()
    sheet = load_workbook(saved).active
    assert isinstance(sheet, Worksheet)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Tổ" and [r[0] for r in rows[1:]] == ["Tổ 1", "Tổ 2", "Tổ 3"]
