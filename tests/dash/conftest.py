from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.web.app import create_web_app
from tests.dash.kit import Client, World, world


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_web_app(settings, engine))) as c:
        yield c


@pytest.fixture
async def place(session: AsyncSession) -> World:
    return await world(session)
