"""Tests for the Telegram Bot API sandbox, driven by a real aiogram Bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram import exceptions as tg
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from aiohttp import web

from sandbox import SECRET_HEADER, FloodLimiter, Sandbox

TOKEN = "42:SANDBOX-test_token"
USER = 1001
GROUP = -4001
SUPERGROUP = -1001234567890


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox without flood limits (two tests switch them on)."""
    async with Sandbox(limits=False) as sandbox:
        yield sandbox


@pytest.fixture
async def bot(sb: Sandbox) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sb.base_url))
    client = Bot(TOKEN, session=session)
    yield client
    await client.session.close()


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Run a tiny local aiohttp app (a webhook receiver) on a free port."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def keyboard(data: str = "ok") -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text="OK", callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def test_get_me_and_chat_types(sb: Sandbox, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "loa_phuong_bot", True)
    assert me.supports_inline_queries is True
    assert (await bot.get_chat(USER)).type == "private"
    assert (await bot.get_chat(GROUP)).type == "group"
    assert (await bot.get_chat(SUPERGROUP)).type == "supergroup"
    assert sb.count("getMe") == 1 and sb.count("getchat") == 3


async def test_send_message_ids_increase_per_chat(sb: Sandbox, bot: Bot) -> None:
    first = await bot.send_message(USER, "Xin chào", reply_markup=keyboard())
    second = await bot.send_message(USER, "Thông báo")
    other = await bot.send_message(GROUP, "Nhóm")
    assert first.from_user and first.from_user.is_bot
    assert second.message_id == first.message_id + 1
    assert other.message_id == 1 and other.chat.type == "group"
    sent = sb.sent_messages(USER)
    assert [m["text"] for m in sent] == ["Xin chào", "Thông báo"]
    assert sent[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"
    calls = await sb.wait_for("sendMessage", lambda c: c.chat_id == GROUP)
    assert calls[0].params["text"] == "Nhóm" and calls[0].ok


async def test_html_entities_and_validation(sb: Sandbox, bot: Bot) -> None:
    msg = await bot.send_message(USER, "<b>Lịch</b> &amp; giờ", parse_mode="HTML")
    assert msg.text == "Lịch & giờ"
    assert msg.entities and msg.entities[0].type == "bold" and msg.entities[0].length == 4
    with pytest.raises(tg.TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(tg.TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(tg.TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(tg.TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard("đ" * 40))
    assert sb.stats["errors_by_code"][400] == 4


async def test_photo_upload_then_resend_by_file_id(sb: Sandbox, bot: Bot) -> None:
    data = b"\x89PNG fake image bytes"
    first = await bot.send_photo(USER, BufferedInputFile(data, "map.png"), caption="Bản đồ")
    assert first.photo and first.caption == "Bản đồ"
    file_id = first.photo[-1].file_id
    again = await bot.send_photo(GROUP, file_id)
    assert again.photo and again.photo[-1].file_unique_id == first.photo[-1].file_unique_id
    assert sb.stats["uploads"] == 1 and sb.stats["file_id_resends"] == 1
    assert sb.files[file_id].sends == 2
    doc = await bot.send_document(USER, BufferedInputFile(b"%PDF-1.4", "don.pdf"))
    assert doc.document and doc.document.file_name == "don.pdf"
    info = await bot.get_file(file_id)
    assert info.file_path
    downloaded = await bot.download_file(info.file_path)
    assert downloaded is not None and downloaded.read() == data
    with pytest.raises(tg.TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, file_id, caption="x" * 1025)
    with pytest.raises(tg.TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file")
    group = await bot.send_media_group(
        USER,
        media=[
            InputMediaPhoto(media=file_id),
            InputMediaPhoto(media=BufferedInputFile(b"two", "b.jpg")),
        ],
    )
    assert len(group) == 2 and group[0].media_group_id == group[1].media_group_id
    assert sb.stats["uploads"] == 3


async def test_edit_delete_pin(sb: Sandbox, bot: Bot) -> None:
    msg = await bot.send_message(USER, "Phiên bản 1", reply_markup=keyboard())
    edited = await bot.edit_message_text("Phiên bản 2", chat_id=USER, message_id=msg.message_id)
    assert isinstance(edited, Message) and edited.text == "Phiên bản 2"
    assert edited.reply_markup is None  # Telegram drops the keyboard when not re-sent
    assert sb.sent_messages(USER)[0]["text"] == "Phiên bản 1"
    assert (stored := sb.message(USER, msg.message_id)) and stored["text"] == "Phiên bản 2"
    with pytest.raises(tg.TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Phiên bản 2", chat_id=USER, message_id=msg.message_id)
    with pytest.raises(tg.TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=msg.message_id, reply_markup=keyboard("b")
    )
    assert await bot.pin_chat_message(USER, msg.message_id)
    assert await bot.unpin_chat_message(USER, message_id=msg.message_id)
    assert await bot.delete_message(USER, msg.message_id)
    with pytest.raises(tg.TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, msg.message_id)
    sb.add_chat(GROUP, title="Tổ dân phố 3", bot_can_pin=False)
    notice = await bot.send_message(GROUP, "Cúp nước")
    assert notice.chat.title == "Tổ dân phố 3"
    with pytest.raises(tg.TelegramBadRequest, match="not enough rights to manage pinned"):
        await bot.pin_chat_message(GROUP, notice.message_id)


async def test_copy_forward_and_callbacks(sb: Sandbox, bot: Bot) -> None:
    incoming = await sb.user_sends(USER, "Ổ gà trước nhà", photo=True)
    copy = await bot.copy_message(GROUP, USER, incoming["message_id"])
    assert (kept := sb.message(GROUP, copy.message_id)) and kept["caption"] == "Ổ gà trước nhà"
    forwarded = await bot.forward_message(GROUP, USER, incoming["message_id"])
    assert forwarded.forward_origin is not None
    assert [m["chat"]["id"] for m in sb.sent_messages(GROUP)] == [GROUP, GROUP]
    update = sb.make_callback(USER, USER, incoming["message_id"], "vote:1")
    sb.push_update(update)
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Đã ghi nhận")
    with pytest.raises(tg.TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_flood_limits_raise_retry_after(sb: Sandbox, bot: Bot) -> None:
    sb.limits = True
    await bot.send_message(USER, "1")
    with pytest.raises(tg.TelegramRetryAfter) as info:
        await bot.send_message(USER, "2")
    assert info.value.retry_after == 1
    for i in range(3):  # group burst of three, then 20/min
        await bot.send_message(GROUP, f"g{i}")
    with pytest.raises(tg.TelegramRetryAfter) as info:
        await bot.send_message(GROUP, "g3")
    assert info.value.retry_after == 3
    assert await bot.delete_message(USER, 1)  # deleteMessage is never limited
    assert sb.stats["429s"] == 2 and sb.stats["errors_by_code"] == {429: 2}
    sb.limits = False
    await bot.send_message(USER, "free")


def test_flood_limiter_arithmetic() -> None:
    limiter = FloodLimiter(global_rate=30.0)
    assert limiter.wait_time("t", 5, 100.0) == 0
    limiter.commit("t", 5, 100.0)
    assert limiter.wait_time("t", 5, 100.5) == pytest.approx(0.45)
    assert limiter.wait_time("t", 5, 100.95) == 0  # 50 ms tolerance
    for step in range(60):  # a perfectly paced client at exactly 30/s is never refused
        now = 200.0 + step / 30.0
        assert limiter.wait_time("t", None, now) == 0
        limiter.commit("t", None, now)
    assert FloodLimiter.retry_after(0.01) == 1 and FloodLimiter.retry_after(2.2) == 3


async def test_faults_map_to_aiogram_exceptions(sb: Sandbox, bot: Bot) -> None:
    sb.limits = True
    sb.fail("sendMessage", error="502")
    with pytest.raises(tg.TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER, "a")
    await bot.send_message(USER, "b")  # fault fired once; the refusal consumed no token
    sb.fail("sendMessage", chat_id=2002, error="403_blocked")
    for _ in range(2):  # sticky, as in Telegram
        with pytest.raises(tg.TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(2002, "x")
    sb.fail("sendMessage", chat_id=GROUP, error="migrate", migrate_to_chat_id=SUPERGROUP)
    with pytest.raises(tg.TelegramMigrateToChat) as info:
        await bot.send_message(GROUP, "x")
    assert info.value.migrate_to_chat_id == SUPERGROUP
    with pytest.raises(tg.TelegramMigrateToChat):
        await bot.send_message(GROUP, "still old")
    assert (await bot.send_message(SUPERGROUP, "moved")).chat.type == "supergroup"
    sb.fail(None, chat_id=3003, error="chat_not_found")
    with pytest.raises(tg.TelegramBadRequest, match="chat not found"):
        await bot.send_message(3003, "x")
    sb.forget_chat(3004)
    with pytest.raises(tg.TelegramBadRequest, match="chat not found"):
        await bot.get_chat(3004)
    sb.block(-4005, "kicked")
    with pytest.raises(tg.TelegramForbiddenError, match="kicked from the group chat"):
        await bot.send_message(-4005, "x")
    sb.fail("sendMessage", error="429", retry_after=7)
    with pytest.raises(tg.TelegramRetryAfter) as retry:
        await bot.send_message(4006, "x")
    assert retry.value.retry_after == 7


async def test_probabilistic_faults_are_reproducible() -> None:
    outcomes = []
    for _ in range(2):
        sandbox = Sandbox(limits=False)
        sandbox.fail("sendMessage", error="502", times=None, probability=0.3, seed=7)
        params = [{"chat_id": USER, "text": str(i)} for i in range(40)]
        outcomes.append([(await sandbox.call_api("sendMessage", p))[0] for p in params])
    assert outcomes[0] == outcomes[1] and 502 in outcomes[0] and 200 in outcomes[0]


async def test_timeout_after_send_is_delivered_but_unanswered(sb: Sandbox, bot: Bot) -> None:
    sb.fail("sendMessage", error="timeout_after_send")
    with pytest.raises(tg.TelegramNetworkError):
        timeout = 0.3  # aiogram says int; aiohttp's ClientTimeout takes the float
        await bot.send_message(USER, "Họp tổ lúc 19h", request_timeout=timeout)  # type: ignore[arg-type]  # aiogram types it int
    (call,) = await sb.wait_for("sendMessage")
    assert call.delivered_but_unanswered and call.ok
    assert sb.sent_messages(USER)[0]["text"] == "Họp tổ lúc 19h"


async def test_get_updates_long_polling(sb: Sandbox, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sb.wait_polling(timeout=1)
    assert sb.polling and not poll.done()
    update_id = sb.push_update(sb.make_message(None, USER, "/start", username="dan_phuong"))
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message and message.text == "/start" and message.entities
    assert message.entities[0].type == "bot_command" and message.from_user
    assert message.from_user.language_code == "vi" and sb.pending_updates() == 1
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []
    await sb.wait_updates_consumed(timeout=1)  # confirmed by the offset


async def test_webhook_delivery_with_secret(sb: Sandbox, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER)
        received.append((secret, await request.json()))
        return web.json_response({}, status=200 if secret == "s3cret" else 401)

    app = web.Application()
    app.router.add_post("/hook", hook)
    url = f"{(runner := await serve(app))[1]}/hook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret", drop_pending_updates=True)
        with pytest.raises(tg.TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        first = sb.push_update(sb.make_message(None, USER, "xin chào"))
        await sb.wait_updates_consumed(timeout=1.5)
        assert received[0][0] == "s3cret" and received[0][1]["update_id"] == first
        assert sb.webhook_deliveries[-1].status == 200
        await bot.set_webhook(url, secret_token="wrong")
        sb.push_update(sb.make_message(None, USER, "again"))
        await sb.wait_updates_consumed(timeout=1.5)
        assert sb.webhook_deliveries[-1].status == 401
        info = await bot.get_webhook_info()
        assert info.url == url and info.last_error_message and "401" in info.last_error_message
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner[0].cleanup()


async def test_wait_for_timeout_is_readable(sb: Sandbox, bot: Bot) -> None:
    await bot.send_message(USER, "only this")
    with pytest.raises(TimeoutError, match=r"sendPhoto[\s\S]*only this"):
        await sb.wait_for("sendPhoto", timeout=0.05)
    with pytest.raises(TimeoutError):
        await sb.wait_for("sendMessage", count=2, timeout=0.05)


async def test_raw_http_parsing_and_auth() -> None:
    async with Sandbox(token=TOKEN, limits=False) as sb, aiohttp.ClientSession() as http:
        base = f"{sb.base_url}/bot{TOKEN}"
        async with http.post(f"{base}/SENDMESSAGE", json={"chat_id": USER, "text": "123"}) as r:
            body = await r.json()
        assert body["ok"] and body["result"]["text"] == "123"
        async with http.get(f"{base}/sendMessage?chat_id={USER}&text=hi") as r:
            assert (await r.json())["result"]["message_id"] == 2
        markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "1"}]]})
        form = {"chat_id": str(GROUP), "text": "form", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", data=form) as r:
            result = (await r.json())["result"]
        assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"
        async with http.post(f"{base}/setMyDescription", data={"description": "x"}) as r:
            assert await r.json() == {"ok": True, "result": True}
        async with http.post(f"{sb.base_url}/bot1:wrong/getMe") as r:
            assert r.status == 401 and (await r.json())["description"] == "Unauthorized"
        assert [c.method for c in sb.calls] == ["sendMessage"] * 3 + ["setMyDescription"]


async def test_dispatcher_polling_end_to_end(sb: Sandbox, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "/ping")
    async def ping(message: Message) -> None:
        await message.answer("pong")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    await sb.user_sends(USER, "/ping")
    (call,) = await sb.wait_for("sendMessage", lambda c: c.params.get("text") == "pong")
    assert call.chat_id == USER
    await dp.stop_polling()
    await asyncio.wait_for(polling, 2)
    assert sb.calls_for("getUpdates")[0].ok and sb.count("getMe") == 1


async def test_member_updates_inline_queries_and_commands(sb: Sandbox, bot: Bot) -> None:
    sb.push_update(sb.make_my_chat_member(USER, "kicked", USER))
    with pytest.raises(tg.TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(USER, "x")
    sb.push_update(sb.make_my_chat_member(USER, "member", USER))
    assert (await bot.send_message(USER, "welcome back")).text == "welcome back"
    sb.set_member(GROUP, 77, "creator")
    admins = await bot.get_chat_administrators(GROUP)
    assert {a.status for a in admins} == {"creator", "administrator"}
    assert (await bot.get_chat_member(GROUP, sb.bot_user["id"])).status == "administrator"
    assert await bot.get_chat_member_count(GROUP) == 25
    inline = sb.make_inline_query(USER, "giờ làm việc")
    sb.push_update(inline)
    assert await bot.answer_inline_query(inline["inline_query"]["id"], results=[])
    assert await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    edited = sb.make_edited_message(None, USER, 1, "sửa lại")["edited_message"]
    assert edited["message_id"] == 1 and edited["edit_date"] >= edited["date"]


async def test_aiogram_webhook_reply_in_response(sb: Sandbox, bot: Bot) -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    dp = Dispatcher()

    @dp.message(F.text == "/hours")
    async def hours(message: Message) -> object:
        return message.answer("7:30 - 17:00")  # returned, not awaited: sent in the reply

    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token="k3y").register(
        app, path="/wh"
    )
    runner, base = await serve(app)
    try:
        await bot.set_webhook(f"{base}/wh", secret_token="k3y")
        await sb.user_sends(USER, "/hours")
        (call,) = await sb.wait_for("sendMessage", timeout=2)
        assert call.params["text"] == "7:30 - 17:00" and call.chat_id == USER
        await sb.wait_updates_consumed(timeout=1)
        assert sb.webhook_deliveries[-1].reply_method == "sendMessage"
    finally:
        await runner.cleanup()


async def test_latency_is_concurrent_and_cli_options(sb: Sandbox, bot: Bot) -> None:
    from sandbox.__main__ import parse_args

    sb.latency_ms = 150
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(bot.get_me() for _ in range(10)))
    elapsed = loop.time() - started
    assert 0.15 <= elapsed < 1.0  # ten delayed calls overlap instead of queueing
    assert sb.stats["max_inflight"] >= 2
    args = parse_args(["--port", "0", "--latency-ms", "20", "--no-limits"])
    assert (args.host, args.port, args.latency_ms, args.no_limits) == ("127.0.0.1", 0, 20.0, True)
