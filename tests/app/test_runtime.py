"""`loa run` for real: polling and webhook over HTTP, /healthz, secret check, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.runtime import serve
from sandbox import Sandbox
from tests import clocked
from tests.harness import RESIDENT_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(url: str, **kw: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, **kw) as resp:
        return resp.status, await resp.text()


async def test_polling_answers_and_health(settings: Settings, sandbox: Sandbox) -> None:
    port = free_port()
    s = settings.model_copy(update={"web_port": port})
    stop = asyncio.Event()
    task = asyncio.create_task(serve(s, stop=stop))
    try:
        await sandbox.user_sends(RESIDENT_ID, "/start")
        calls = await sandbox.wait_for("sendMessage", lambda c: c.chat_id == RESIDENT_ID)
        assert "Loa" in calls[0].params["text"]
        status, body = await _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and '"database": "ok"' in body
        assert sandbox.count("setMyCommands") == 2  # vi and en menus
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    assert sandbox.pending_updates() == 0


async def test_webhook_checks_secret(settings: Settings, sandbox: Sandbox) -> None:
    port = free_port()
    s = settings.model_copy(
        update={
            "web_port": port,
            "webhook_url": f"http://127.0.0.1:{port}",
            "webhook_secret": __import__("pydantic").SecretStr("s3cret-token-0123456789"),
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(s, stop=stop))
    try:
        await sandbox.wait_for("setWebhook")
        await sandbox.user_sends(RESIDENT_ID, "/help")
        calls = await sandbox.wait_for("sendMessage", lambda c: c.chat_id == RESIDENT_ID)
        assert "/start" in calls[0].params["text"]
        async with aiohttp.ClientSession() as http:
            update = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "text": "/help",
                    "chat": {"id": 5, "type": "private"},
                    "from": {"id": 5, "is_bot": False, "first_name": "X"},
                },
            }
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(
                    f"http://127.0.0.1:{port}/webhook", json=update, headers=headers
                ) as resp:
                    assert resp.status == 401
        assert not sandbox.calls_for("sendMessage", chat_id=5)
        status, _ = await _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def _env(settings: Settings, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(
        LOA_BOT_TOKEN=TOKEN,
        LOA_DATABASE_URL=settings.database_url,
        LOA_TELEGRAM_API_URL=settings.telegram_api_url,
        LOA_WEB_PORT=str(port),
    )
    return env


async def _run_until_sigterm(settings: Settings, sandbox: Sandbox, push: bool) -> str:
    proc = await asyncio.create_subprocess_exec(
        *clocked.argv("run"),
        cwd=ROOT,
        env=_env(settings, free_port()),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        # deleteWebhook is the last call before polling starts (getUpdates is a long poll,
        # recorded only when it returns).
        started = len(sandbox.calls_for("deleteWebhook")) + 1
        await sandbox.wait_for("deleteWebhook", count=started, timeout=60)
        if push:
            sandbox.latency_ms = 300  # slow answers, so SIGTERM lands mid-handling
            await sandbox.user_sends(RESIDENT_ID, "/start")
            await sandbox.wait_for("getUpdates", lambda c: bool(c.result), timeout=15)
        else:
            await sandbox.wait_updates_consumed(15)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        sandbox.latency_ms = 0
        if proc.returncode is None:
            proc.kill()
    assert proc.stdout is not None  # started with stdout=PIPE
    out = (await proc.stdout.read()).decode()
    assert code == 0 and "Traceback" not in out, out
    return out


@pytest.mark.timeout(240)  # two real processes start and stop (slow on a loaded machine)
async def test_sigterm_loses_nothing_and_repeats_nothing(
    settings: Settings, sandbox: Sandbox
) -> None:
    """SIGTERM right after the bot fetched an update, then a restart: answered exactly once."""
    await _run_until_sigterm(settings, sandbox, push=True)
    await _run_until_sigterm(settings, sandbox, push=False)
    answers = sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)
    assert len(answers) == 1, [c.params.get("text", "")[:40] for c in answers]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LOA_BOT_TOKEN": "nope"}, "LOA_BOT_TOKEN"),
        ({}, "LOA_BOT_TOKEN"),
        ({"LOA_BOT_TOKEN": TOKEN, "LOA_WEBHOOK_URL": "https://x.example"}, "LOA_WEBHOOK_SECRET"),
    ],
)
async def test_bad_config_exits_2_naming_the_variable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={**clean, **env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert named in err.decode() and "Traceback" not in err.decode()
