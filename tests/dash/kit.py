"""A small world for dashboard tests: two wards, roles, one notice with some acknowledgements,
and sign-in helpers that go through the real link, the real cookie and the real pages."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_synthetic
from bot.services.stats.dash_links import issue_token
from broadcasts import audience, outbox
from models import Acknowledgement, Delivery, Household, Resident, Role, Ward, utcnow
from tests.harness import LEADER_ID, OFFICIAL_ID, TOKEN

OTHER_OFFICIAL_ID = 100_000_009
Client = TestClient[web.Request, web.Application]


@dataclass(frozen=True)
class World:
    ward_id: int
    other_ward_id: int
    notice_id: int
    acked: list[str]  # addresses of households that acknowledged (all in Tổ 1)


async def world(session: AsyncSession) -> World:
    """Phường Test (3 groups × 3 households, all registered) and Phường Khác; one ward notice
    in every group chat, acknowledged by two households of Tổ 1."""
    await seed_synthetic(session, groups=3, households=9, ward_name="Phường Test")
    await seed_synthetic(session, groups=2, households=4, ward_name="Phường Khác")
    wards = {w.name: w.id for w in await session.scalars(select(Ward))}
    ward_id = wards["Phường Test"]
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL, ward_name="Phường Test")
    await grant_role(
        session, LEADER_ID, Role.GROUP_LEADER, ward_name="Phường Test", group_name="Tổ 2"
    )
    await grant_role(session, OTHER_OFFICIAL_ID, Role.WARD_OFFICIAL, ward_name="Phường Khác")
    n, _ = await outbox.enqueue(
        session,
        ward_id=ward_id,
        text="Lịch tiêm chủng\nSáng thứ Bảy",
        audience=audience.spec("ward"),
    )
    await session.execute(
        update(Delivery).where(Delivery.notice_id == n.id).values(status="sent", sent_at=utcnow())
    )
    rows = (
        await session.execute(
            select(Household.id, Household.house_number, Household.street, Resident.telegram_id)
            .join(Resident, Resident.household_id == Household.id)
            .where(Household.ward_id == ward_id)
            .order_by(Household.group_id, Household.id)
        )
    ).all()
    acked = []
    for hid, number, street, tid in rows[:2]:
        session.add(Acknowledgement(notice_id=n.id, household_id=hid, telegram_id=tid,
                                    chat_id=tid, at=utcnow()))  # fmt: skip
        acked.append(f"{number} {street}")
    await session.commit()
    return World(ward_id, wards["Phường Khác"], n.id, acked)


async def sign_in(client: Client, session: AsyncSession, telegram_id: int) -> None:
    """Through the link page and its button, as a person would; the cookie stays in the jar."""
    token = await issue_token(session, telegram_id, utcnow(), timedelta(minutes=10))
    await redeem(client, token, expect=303)


async def redeem(client: Client, token: str, expect: int) -> Any:
    page = await client.get("/dash/login", params={"t": token})
    assert page.status == 200 and "Vào trang số liệu" in await page.text()
    resp = await client.post("/dash/login", data={"t": token}, allow_redirects=False)
    assert resp.status == expect, await resp.text()
    return resp


def widget_data(telegram_id: int, auth_date: int, token: str = TOKEN) -> dict[str, str]:
    """What Telegram's Login Widget sends, signed as Telegram signs it."""
    data = {"id": str(telegram_id), "first_name": "Lan", "username": "lan_cb",
            "auth_date": str(auth_date)}  # fmt: skip
    check = "\n".join(f"{k}={data[k]}" for k in sorted(data))
    key = hashlib.sha256(token.encode()).digest()
    data["hash"] = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    return data
