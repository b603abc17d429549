"""Who may open the dashboard: sign-in by link and by Login Widget, and the attacks on both.

Over real HTTP (aiohttp test server) on SQLite and PostgreSQL; roles are read per request.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import revoke_role
from bot.services.stats.dash_links import issue_token, token_hash
from models import DashLoginToken, Role, utcnow
from models.clock import ManualClock
from tests.dash.kit import OTHER_OFFICIAL_ID, Client, World, redeem, sign_in, widget_data
from tests.harness import LEADER_ID, OFFICIAL_ID, RESIDENT_ID


async def _status(client: Client, path: str) -> int:
    return (await client.get(path, allow_redirects=False)).status


async def test_link_signs_in_once_with_a_safe_cookie(
    client: Client, session: AsyncSession, place: World
) -> None:
    token = await issue_token(session, OFFICIAL_ID, utcnow(), timedelta(minutes=10))
    stored = (await session.scalars(select(DashLoginToken))).one()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    # opening the link (or a preview fetching it) does not use it up; the button does
    await client.get("/dash/login", params={"t": token})
    resp = await redeem(client, token, expect=303)
    assert resp.headers["Location"] == "/dash"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dash" in cookie
    assert str(OFFICIAL_ID) in cookie  # who, and nothing more (roles are read per request)
    page = await client.get("/dash")
    assert page.status == 200 and "Phường Test" in await page.text()
    assert page.headers["Cache-Control"] == "no-store"

    client.session.cookie_jar.clear()
    again = await redeem(client, token, expect=403)  # single use
    assert "đã dùng rồi hoặc đã hết hạn" in await again.text()
    assert await _status(client, "/dash") == 302


async def test_expired_or_unknown_link_is_refused(
    client: Client, session: AsyncSession, place: World, clock: ManualClock
) -> None:
    token = await issue_token(session, OFFICIAL_ID, utcnow(), timedelta(minutes=10))
    clock.advance(timedelta(minutes=11))
    await redeem(client, token, expect=403)
    await redeem(client, "not-a-token", expect=403)
    resp = await client.post("/dash/login", data={}, allow_redirects=False)
    assert resp.status == 403
    assert await _status(client, "/dash") == 302


async def test_no_cookie_forged_cookie_and_old_cookie(
    client: Client, session: AsyncSession, place: World, clock: ManualClock
) -> None:
    for path in ("/dash", "/dash/groups", "/dash/notices", "/dash/export/groups.xlsx",
                 f"/dash/notices/{place.notice_id}", "/dash/questions"):  # fmt: skip
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/dash/signin", path
    await sign_in(client, session, LEADER_ID)
    genuine = client.session.cookie_jar.filter_cookies(client.make_url("/dash"))["loa_dash"].value
    tid, issued, mac = genuine.split(".")
    for forged in (f"{OFFICIAL_ID}.{issued}.{mac}",  # someone else's id under the leader's MAC
                   f"{tid}.{int(issued) + 99999}.{mac}",  # a later date to outlive expiry
                   f"{OFFICIAL_ID}.{issued}.{'0' * 64}", "garbage", ""):  # fmt: skip
        _set_cookie(client, forged)
        assert await _status(client, "/dash") == 302, forged
    _set_cookie(client, genuine)
    assert await _status(client, "/dash") == 200
    clock.advance(timedelta(hours=13))  # the session lasts LOA_DASH_SESSION_HOURS (12)
    assert await _status(client, "/dash") == 302


async def test_resident_is_refused(client: Client, session: AsyncSession, place: World) -> None:
    await sign_in(client, session, RESIDENT_ID)  # a link obtained somehow opens nothing
    resp = await client.get("/dash", allow_redirects=False)
    assert resp.status == 403 and "không có quyền" in await resp.text()
    assert await _status(client, "/dash/export/notices.csv") == 403


async def test_official_of_another_ward_sees_only_their_own(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, OTHER_OFFICIAL_ID)
    own = await client.get("/dash")
    html = await own.text()
    assert own.status == 200 and "Phường Khác" in html and "Phường Test" not in html
    assert await _status(client, f"/dash?ward={place.ward_id}") == 403
    assert await _status(client, f"/dash/groups?ward={place.ward_id}") == 403
    assert await _status(client, f"/dash/export/groups.csv?ward={place.ward_id}") == 403
    # the notice belongs to another ward: not found in this one
    path = f"/dash/notices/{place.notice_id}?ward={place.other_ward_id}"
    assert await _status(client, path) == 404


async def test_revoked_official_loses_access_at_once(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, OFFICIAL_ID)
    assert await _status(client, "/dash/questions") == 200
    await revoke_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL, ward_name="Phường Test")
    assert await _status(client, "/dash") == 403
    assert await _status(client, "/dash/questions") == 403


async def test_leader_sees_only_their_group(
    client: Client, session: AsyncSession, place: World
) -> None:
    await sign_in(client, session, LEADER_ID)
    groups = await (await client.get("/dash/groups")).text()
    assert "Tổ 2" in groups and "Tổ 1" not in groups and "Tổ 3" not in groups
    csv = (await (await client.get("/dash/export/groups.csv")).read()).decode("utf-8-sig")
    assert "Tổ 2" in csv and "Tổ 1" not in csv
    assert await _status(client, "/dash/questions") == 403
    assert await _status(client, "/dash/procedures") == 403
    notice = await client.get(f"/dash/notices/{place.notice_id}")
    html = await notice.text()
    assert notice.status == 200 and "Tổ 2" in html and "Tổ 1" not in html
    assert "chưa bấm" not in html  # no household list for a leader
    assert not any(address in html for address in place.acked)


async def test_login_widget_hash_and_age(
    client: Client, session: AsyncSession, place: World, clock: ManualClock
) -> None:
    now = int(utcnow().timestamp())
    forged = widget_data(OFFICIAL_ID, now, token="999999:another-bots-token-xxxxxxxxxx")
    assert await _status(client, "/dash/auth/telegram?" + _qs(forged)) == 403
    tampered = {**widget_data(LEADER_ID, now), "id": str(OFFICIAL_ID)}
    assert await _status(client, "/dash/auth/telegram?" + _qs(tampered)) == 403
    stale = widget_data(OFFICIAL_ID, now - 2 * 24 * 3600)
    assert await _status(client, "/dash/auth/telegram?" + _qs(stale)) == 403
    no_hash = {k: v for k, v in widget_data(OFFICIAL_ID, now).items() if k != "hash"}
    assert await _status(client, "/dash/auth/telegram?" + _qs(no_hash)) == 403
    assert await _status(client, "/dash") == 302

    resp = await client.get("/dash/auth/telegram?" + _qs(widget_data(OFFICIAL_ID, now)),
                            allow_redirects=False)  # fmt: skip
    assert resp.status == 303 and "HttpOnly" in resp.headers["Set-Cookie"]
    assert await _status(client, "/dash") == 200


def _set_cookie(client: Client, value: str) -> None:
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"loa_dash": value}, client.make_url("/dash"))


def _qs(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


async def test_signin_page_shows_the_widget_and_only_it_may_load_telegram(
    client: Client, session: AsyncSession, place: World
) -> None:
    resp = await client.get("/dash/signin")
    html = await resp.text()
    assert resp.status == 200 and "/dash" in html
    assert 'data-telegram-login="loa_phuong_bot"' in html
    assert "http://127.0.0.1:8080/dash/auth/telegram" in html
    assert "https://telegram.org" in resp.headers["Content-Security-Policy"]
    await sign_in(client, session, OFFICIAL_ID)
    page = await client.get("/dash")
    assert "telegram.org" not in page.headers["Content-Security-Policy"]
    assert "script-src 'unsafe-hashes'" in page.headers["Content-Security-Policy"]
    signout = await client.post("/dash/signout", allow_redirects=False)
    assert signout.status == 303 and signout.headers["Location"] == "/dash/signin"
    assert await _status(client, "/dash") == 302
