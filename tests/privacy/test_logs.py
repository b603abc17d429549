"""Logs hold no personal data at any level, and say nothing while Loa is idle (finding 3)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import aiohttp
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot import logs
from bot.config import Settings
from bot.web.app import create_runner, create_web_app
from broadcasts.scheduler import add_delivery_jobs
from tests.harness import RESIDENT_ID, BotHarness
from tests.privacy.kit import answer_by_reply
from tests.triage.triage_world import ask_private, make_world

PHONE = "0912345678"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ("", *logs.QUIET)
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    # sandbox is the Telegram stand-in, not Loa: it records what Telegram would receive.
    return [r.getMessage() for r in caplog.records if not r.name.startswith("sandbox")]


async def test_debug_logs_hold_no_names_texts_or_ids(
    harness: BotHarness,
    session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
    restore_logging: None,
) -> None:
    logs.configure("DEBUG")
    caplog.set_level(logging.DEBUG)
    await make_world(harness, session)
    number = await ask_private(harness, f"Bà Lan hỏi, số {PHONE}, về sổ hộ khẩu")
    await answer_by_reply(harness, number, "Bà mang căn cước ra bộ phận một cửa.")
    await harness.send(RESIDENT_ID, "/mydata")
    await harness.send(RESIDENT_ID, "/queue")  # refused, and logged without the id
    messages = _messages(caplog)
    assert any(m.startswith("refused queue for user p:") for m in messages)
    assert logging.getLogger("handlers").isEnabledFor(logging.DEBUG)  # DEBUG was really on
    needles = ("Bà Lan", PHONE, "căn cước", str(RESIDENT_ID))
    assert [m for m in messages if any(n in m for n in needles)] == []


async def test_idle_delivery_tick_writes_nothing_at_info(
    caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    logs.configure("INFO")
    caplog.set_level(logging.INFO)
    woken = asyncio.Event()
    count = 0

    class IdleSender:
        def wake(self) -> None:
            nonlocal count
            count += 1
            if count >= 3:
                woken.set()

    scheduler = AsyncIOScheduler()
    add_delivery_jobs(scheduler, IdleSender(), seconds=0.05)  # type: ignore[arg-type]  # a stand-in with the one method the job calls, not a Sender
    scheduler.start()
    await woken.wait()
    scheduler.shutdown(wait=False)
    # (A loaded machine may make APScheduler warn of a missed run: a real warning, not chatter.)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == []


async def test_web_search_query_is_not_logged(
    settings: Settings,
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
    restore_logging: None,
) -> None:
    logs.configure("DEBUG")
    caplog.set_level(logging.DEBUG)
    runner = create_runner(create_web_app(settings, engine))
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/p"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(url, params={"q": f"sổ đỏ của tôi {PHONE}"}) as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert access == ["GET /p 200" + access[0].removeprefix("GET /p 200")]
    assert [m for m in _messages(caplog) if PHONE in m or "s%E1%BB%95" in m] == []
