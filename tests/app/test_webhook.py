"""Webhook mode and web pages over real HTTP: authentication, bad bodies, answer-after-handling,
security headers; and the minimum secret length at start."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.config import ConfigError, Settings, load_settings
from bot.runtime import serve
from sandbox import Sandbox
from tests.app.test_runtime import free_port
from tests.harness import RESIDENT_ID

SECRET = "s3cret-token-0123456789"


def _update(update_id: int, text: str = "/help") -> dict[str, object]:
    user = {"id": RESIDENT_ID, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": RESIDENT_ID, "type": "private"},
            "from": user,
        },
    }


@pytest.fixture
async def webhook(settings: Settings, sandbox: Sandbox) -> AsyncIterator[str]:
    """`loa run` in webhook mode; yields its base URL."""
    port = free_port()
    s = settings.model_copy(
        update={
            "web_port": port,
            "webhook_url": f"http://127.0.0.1:{port}",
            "webhook_secret": SecretStr(SECRET),
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(s, stop=stop))
    try:
        await sandbox.wait_for("setWebhook", timeout=60)  # migrations first: slow on a busy CI
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def _raw_post(base: str, headers: bytes, body: bytes) -> int:
    """A POST written byte by byte (an HTTP client would refuse a non-ASCII header)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + headers
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


async def test_webhook_answers_only_after_handling(webhook: str, sandbox: Sandbox) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{webhook}/webhook",
            json=_update(5001),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as resp,
    ):
        assert resp.status == 200
    # No waiting: the answer was sent before Telegram heard 200.
    assert sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)


async def test_webhook_refuses_bad_secrets_and_bad_bodies(webhook: str, sandbox: Sandbox) -> None:
    body = json.dumps(_update(5002)).encode()
    for header in (
        b"",
        b"X-Telegram-Bot-Api-Secret-Token: wrong\r\n",
        "X-Telegram-Bot-Api-Secret-Token: sêcret-tôken-0123456789\r\n".encode(),
        b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\r\n",
    ):
        assert await _raw_post(webhook, header, body) == 401, header
    good = f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n".encode()
    for bad_body in (b"{not json", b"[1, 2]", b'{"update_id": "x"}', b"\xff\xfe", b""):
        assert await _raw_post(webhook, good, bad_body) == 400, bad_body
    assert not sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)
    async with aiohttp.ClientSession() as http, http.get(f"{webhook}/healthz") as resp:
        assert resp.status == 200  # still serving


async def test_web_pages_send_security_headers(webhook: str) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/p", "/p/1.001193", "/p/9.999", "/nowhere", "/healthz"):
            async with http.get(webhook + path) as resp:
                csp = resp.headers.get("Content-Security-Policy", "")
                assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, path
                assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
                assert resp.headers.get("X-Frame-Options") == "DENY", path
    # The print button's inline handler is the only script allowed, by its hash.
    digest = base64.b64encode(hashlib.sha256(b"window.print()").digest()).decode()
    assert f"'sha256-{digest}'" in csp
    async with aiohttp.ClientSession() as http, http.get(webhook + "/p/1.001193") as resp:
        assert 'onclick="window.print()"' in await resp.text()  # the hash covers it exactly


@pytest.mark.parametrize("secret", ["s", "short-secret-15"])
def test_short_webhook_secret_is_refused_at_start(secret: str) -> None:
    with pytest.raises(ConfigError, match="LOA_WEBHOOK_SECRET: 16-256 characters"):
        load_settings(_env_file=None, webhook_url="https://x.example", webhook_secret=secret)
    ok = load_settings(_env_file=None, webhook_url="https://x.example", webhook_secret="a" * 16)
    assert ok.webhook_secret is not None
