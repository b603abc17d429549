"""The demo's last scene: an official reads `/stats` (text and chart) and opens the dashboard
through the one-time link the bot sends on `/dash`."""

from __future__ import annotations

import re
from typing import Any

import aiohttp


async def stats_and_dashboard(scene: Any, official: int, port: int) -> str | None:
    """Play the scene; returns a fresh sign-in link for the person watching the demo."""
    print("\n── 6. Số liệu: /stats trong Telegram và trang số liệu trên web ──")
    since = len(scene.sb.calls)
    await scene.send(official, "/stats")
    await scene.sb.wait_for("sendPhoto", lambda c: c.seq >= since, timeout=15)
    scene.show(lines=4)
    photo = next(c for c in scene.sb.calls[since:] if c.method == "sendPhoto" and c.ok)
    size = len(getattr(photo.params.get("photo"), "data", b""))
    print(f"  🖼  Loa → cán bộ: biểu đồ «{photo.params.get('caption')}» (PNG, {size} byte)")

    link = await _link(scene, official)
    if link is None:
        return None
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        token = link.split("t=", 1)[1]
        async with http.post(f"{base}/dash/login", data={"t": token}) as resp:
            page = await resp.text()  # redirected to the overview with the session cookie
        figures = re.findall(r'<div class="value">([^<]+)</div>', page)
        print(f"  🌐 {base}/dash → {resp.status}; tỉ lệ hộ đăng ký, số ngày, đã nhận, "
              f"trả lời đúng hạn: {', '.join(figures)}")  # fmt: skip
        async with http.get(f"{base}/dash/export/groups.xlsx") as resp:
            print(f"  📥 /dash/export/groups.xlsx → {resp.status}, {len(await resp.read())} byte")
    return await _link(scene, official)


async def _link(scene: Any, official: int) -> str | None:
    calls = await scene.send(official, "/dash")
    scene.show(lines=2)
    for call in calls:
        found = re.search(r"https?://\S+/dash/login\?t=[\w-]+", str(call.params.get("text", "")))
        if found:
            return found.group(0)
    return None
