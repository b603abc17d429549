"""Targets: defaults until set; only the ward's administrators change them; bad values are
refused with one clear line (CLI) or message (Telegram), and nothing changes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import seed_synthetic
from bot.services.stats.targets import get_targets
from models import Role, Ward, WardTarget
from tests.delivery_kit import ward
from tests.harness import ADMIN_ID, LEADER_ID, OFFICIAL_ID, RESIDENT_ID, BotHarness, texts

OTHER_ADMIN = 100_000_077


async def test_defaults_until_an_administrator_sets_them(
    harness: BotHarness, session: AsyncSession
) -> None:
    ward_id = await ward(session, groups=2, households=4)
    assert (await get_targets(session, ward_id)).as_dict() == {
        "reach": 0.9, "max_silent_days": 10, "ack_rate": 0.7, "first_response": 0.9,
    }  # fmt: skip
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    shown = texts(await harness.send(OFFICIAL_ID, "/targets"))[0]
    assert "Chỉ tiêu của Phường Test" in shown and "(reach): 90%" in shown

    reply = texts(await harness.send(ADMIN_ID, "/targets reach=85% max_silent_days=7"))[0]
    assert "Đã lưu" in reply and "(reach): 85%" in reply and "(max_silent_days): 7" in reply
    session.expire_all()
    got = await get_targets(session, ward_id)
    assert got.reach == pytest.approx(0.85) and got.max_silent_days == 7 and got.ack_rate == 0.7


async def test_only_the_wards_administrators_change_targets(
    harness: BotHarness, session: AsyncSession
) -> None:
    await ward(session, groups=2, households=4)
    await seed_synthetic(session, groups=1, households=2, ward_name="Phường Khác")
    other = await session.scalar(select(Ward.id).where(Ward.name == "Phường Khác"))
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL, ward_name="Phường Test")
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, ward_name="Phường Test",
                     group_name="Tổ 1")  # fmt: skip
    await grant_role(session, OTHER_ADMIN, Role.WARD_ADMIN, ward_name="Phường Khác")
    for who in (OFFICIAL_ID, LEADER_ID, RESIDENT_ID):
        reply = texts(await harness.send(who, "/targets reach=10"))[0]
        assert "không có quyền" in reply
    # the other ward's administrator changes only their own ward
    assert "Đã lưu" in texts(await harness.send(OTHER_ADMIN, "/targets reach=50"))[0]
    rows = list(await session.execute(select(WardTarget.ward_id, WardTarget.value)))
    assert rows == [(other, 0.5)]


async def test_bad_values_are_refused_clearly(harness: BotHarness, session: AsyncSession) -> None:
    await ward(session, groups=1, households=2)
    for args, needle in (("reach=150", "không hợp lệ"), ("reach=abc", "không hợp lệ"),
                         ("max_silent_days=2.5", "số nguyên"), ("speed=3", "không phải chỉ tiêu"),
                         ("reach", "không phải chỉ tiêu")):  # fmt: skip
        reply = texts(await harness.send(ADMIN_ID, f"/targets max_silent_days=5 {args}"))[0]
        assert needle in reply, reply
    assert await session.scalar(select(func.count(WardTarget.id))) == 0  # all or nothing


async def test_cli_reads_and_sets_targets(
    session: AsyncSession, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward_id = await ward(session, groups=1, households=2)
    monkeypatch.setenv("LOA_DATABASE_URL", db_url)

    def run(*args: str) -> Awaitable[Result]:
        return asyncio.to_thread(CliRunner().invoke, app, ["targets", *args])

    shown = await run()
    assert shown.exit_code == 0 and "(ack_rate): 70%" in shown.stdout
    done = await run("--set", "ack_rate=0.8", "--set", "first_response=95")
    assert done.exit_code == 0 and "(ack_rate): 80%" in done.stdout
    bad = await run("--set", "reach=-1")
    assert bad.exit_code == 1 and "không hợp lệ" in bad.output
    assert "Traceback" not in bad.output
    session.expire_all()
    got = await get_targets(session, ward_id)
    assert got.ack_rate == 0.8 and got.first_response == pytest.approx(0.95)
