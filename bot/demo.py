"""`make demo`: the whole job, offline, in a minute.

The sandbox Bot API (with Telegram's limits) runs in this process; the real bot runs against it
by long polling, exactly as `loa run` does; a scripted scene plays real updates through it and
prints what each person sees. The web server then stays up until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import select

from bot.config import load_settings
from bot.db import create_engine, create_session_factory
from bot.demo_dash import stats_and_dashboard
from bot.demo_engagement import consult_and_checkin
from bot.services.common.errors import NotConfigured
from bot.services.directory.roles import grant_role
from bot.services.directory.seed import SAMPLE_WARD, seed_sample
from bot.services.procedures import core as procedures
from broadcasts import outbox
from models import ChatStatus, Notice, ResidentialGroup, Role, utcnow

if TYPE_CHECKING:  # the sandbox is test equipment, left out of the Docker image
    from sandbox import Call, Sandbox

TOKEN = "123456789:DEMO-token-for-the-offline-sandbox"
OFFICIAL, LEADER, TECH, RESIDENT = 7_100_000_001, 7_100_000_002, 7_100_000_003, 7_200_000_001
DEPUTY, NEIGHBOUR = 7_100_000_004, 7_200_000_002
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP13, STAFF = -1_007_000_000_013, -1_007_000_000_999
NAMES: dict[int | str | None, str] = {  # keyed like Call.chat_id, which may be an @name
    OFFICIAL: "Cán bộ phường (chị Hà)",
    DEPUTY: "Phó Chủ tịch phường (anh Tuấn)",
    LEADER: "Tổ trưởng Tổ 13 (bác Sơn)",
    TECH: "Tổ công nghệ số (anh Minh)",
    RESIDENT: "Cư dân (bà Lan)",
    NEIGHBOUR: "Cư dân (ông Bình)",
    GROUP13: "Nhóm Tổ 13",
    STAFF: "Nhóm tổ công nghệ số",
}


def _plain(html: str, lines: int = 3) -> str:
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&amp;", "&")
    kept = [ln for ln in text.splitlines() if ln.strip()][:lines]
    return "\n        ".join(kept)


class Scene:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.seen = 0

    def say(self, who: int, text: str) -> None:
        print(f"\n  👤 {NAMES.get(who, who)}: {text}")

    def show(self, only: Callable[[Call], bool] | None = None, lines: int = 3) -> None:
        """Print what the bot sent since the last look."""
        for call in self.sb.calls[self.seen :]:
            if call.ok and call.method == "answerCallbackQuery" and call.params.get("text"):
                print(
                    "  🤖 Loa (ô thông báo) → người bấm:\n        "
                    + _plain(str(call.params["text"]), lines)
                )
            if call.ok and call.method in ("sendMessage", "editMessageText", "sendDocument"):
                if only is None or only(call):
                    who = NAMES.get(call.chat_id, f"chat {call.chat_id}")
                    body = call.params.get("text") or call.params.get("caption") or "(tệp)"
                    print(f"  🤖 Loa → {who}:\n        {_plain(str(body), lines)}")
        self.seen = len(self.sb.calls)

    async def send(self, who: int, text: str, chat: int | None = None, **kw: Any) -> list[Call]:
        self.say(who, text)
        since = len(self.sb.calls)
        chat_type = "supergroup" if chat and chat < 0 else None
        await self.sb.user_sends(
            who,
            text,
            chat,
            chat_type=chat_type,
            first_name=NAMES[who].split("(")[-1].rstrip(")"),
            **kw,
        )
        return await self.reply(since, chat or who)

    async def reply(self, since: int, chat: int | None = None) -> list[Call]:
        """Wait for the bot's answer (a new message or an edited one) to what just happened."""

        def mine(c: Call) -> bool:
            return c.seq >= since and (chat is None or c.chat_id == chat)

        waits = [
            asyncio.create_task(self.sb.wait_for(m, mine, timeout=15))
            for m in ("sendMessage", "editMessageText")
        ]
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()
        await asyncio.sleep(0.3)  # let the rest of the answer arrive, for reading
        return [c for c in self.sb.calls[since:] if c.ok]

    async def press(
        self, who: int, message: dict[str, Any], label: str, *, answer_only: bool = False
    ) -> list[Call]:
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    self.say(who, f"[bấm «{button['text']}»]")
                    since = len(self.sb.calls)
                    await self.sb.user_presses(
                        who, message["chat"]["id"], message["message_id"], button["callback_data"]
                    )
                    if answer_only:  # the bot answers the press itself, with a small note
                        await self.sb.wait_for("answerCallbackQuery", since=since)
                        return [c for c in self.sb.calls[since:] if c.ok]
                    return await self.reply(since, message["chat"]["id"])
        raise RuntimeError(f"no button {label!r}")


def _last(calls: list[Call], chat: int | None = None) -> dict[str, Any]:
    for c in reversed(calls):
        if c.method in ("sendMessage", "editMessageText") and (chat is None or c.chat_id == chat):
            return c.result
    raise RuntimeError("the bot did not answer")


async def _step(scene: Scene, who: int, action: str, expect: str, *, button: bool = True) -> None:
    """Type or press `action`, then wait for the bot's question containing `expect` (the
    composer may answer in two messages, paced one a second in a private chat)."""
    since = len(scene.sb.calls)
    if button:
        message = _with_buttons(scene.sb.calls, who)
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for b in row:
                if action in b["text"]:
                    scene.say(who, f"[bấm «{b['text']}»]")
                    await scene.sb.user_presses(who, who, message["message_id"],
                                                b["callback_data"])  # fmt: skip
                    break
            else:
                continue
            break
        else:
            raise RuntimeError(f"no button {action!r}")
    else:
        scene.say(who, action)
        await scene.sb.user_sends(who, action, None)
    await scene.sb.wait_for(
        "sendMessage",
        lambda c: c.chat_id == who and expect in str(c.params.get("text")),
        since=since,
        timeout=20,
    )


async def _announce(scene: Scene, factory: Any) -> int:
    """Section 3: the screening notice from a template, approved by a second official."""
    print("\n── 3. Cán bộ soạn thông báo khám sàng lọc, cán bộ thứ hai duyệt ──")
    day = utcnow().astimezone(HCM) + timedelta(days=2)
    steps = [
        ("/announce", "Soạn thông báo", False),
        ("Dùng mẫu", "Chọn mẫu", True),
        ("Khám sàng lọc", "Điền «<b>Đơn vị", True),
        ("Trạm Y tế phường", "Điền «<b>bệnh", False),
        ("tiểu đường", "ngày nào", False),
        (f"{day:%d/%m}", "Mấy giờ", False),
        ("07:30", "Ở đâu", True),
        ("Nhà văn hóa Tổ 13", "Ai nên đến", False),
        ("Giữ", "mang theo", True),
        ("Giữ", "Gửi tới ai", True),
        ("Toàn phường", "Mức độ", True),
        ("Bình thường", "Khi nào gửi", True),
        ("Gửi ngay", "hết hạn", True),
        ("sự kiện kết thúc", "Xem trước", True),
    ]
    for action, expect, button in steps:
        await _step(scene, OFFICIAL, action, expect, button=button)
        scene.show(lines=12 if expect == "Xem trước" else 2)
    await _step(scene, OFFICIAL, "Gửi khẩn", "Xem trước")
    scene.show(only=lambda c: "Xem trước" in str(c.params.get("text")), lines=12)
    await _step(scene, OFFICIAL, "Gửi để duyệt", "để duyệt")
    await scene.sb.wait_for("sendMessage", lambda c: c.chat_id == DEPUTY, count=2, timeout=20)
    scene.show(lines=3)
    scene.sb.user(DEPUTY, first_name="anh Tuấn")
    await scene.press(DEPUTY, _with_buttons(scene.sb.calls, DEPUTY), "Duyệt")
    scene.show(only=lambda c: c.chat_id in (DEPUTY, OFFICIAL), lines=2)
    async with factory() as session:
        return (await session.scalars(select(Notice.id).order_by(Notice.id.desc()))).first()


def _fresh_dir() -> Path:
    out = Path("demo-out")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    return out


def _with_buttons(calls: list[Call], chat: int) -> dict[str, Any]:
    """The latest message in `chat` that has buttons."""
    for c in reversed(calls):
        if c.chat_id == chat and isinstance(c.result, dict) and c.result.get("reply_markup"):
            return c.result
    raise RuntimeError(f"no message with buttons in chat {chat}")


def _sandbox() -> type[Sandbox]:
    """The Bot API stand-in; an image without it says so in one line (exit code 2)."""
    try:
        from sandbox import Sandbox
    except ModuleNotFoundError as exc:
        if exc.name != "sandbox":
            raise
        raise NotConfigured("demo.no_sandbox") from None
    return Sandbox


async def run_demo(port: int = 8080, keep: bool = True) -> None:
    sandbox = _sandbox()(latency_ms=40)  # Telegram's flood limits on, 40 ms network latency
    out = _fresh_dir()
    api = await sandbox.start()
    settings = load_settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=api,
        database_url=f"sqlite+aiosqlite:///{out / 'loa-demo.db'}",
        admin_ids=[OFFICIAL],
        web_port=port,
        bot_username="loa_phuong_bot",
        public_url=f"http://127.0.0.1:{port}",
        dash_link_minutes=60,  # time to open the printed link after the demo
    )
    from bot import migrate
    from bot.runtime import serve

    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    async with factory() as session:
        await seed_sample(session)
        await grant_role(session, LEADER, Role.GROUP_LEADER, group_name="Tổ 13")
        await grant_role(session, TECH, Role.TECH_TEAM)
        await grant_role(session, DEPUTY, Role.WARD_OFFICIAL)
        # The other groups' chats were bound earlier; Tổ 13 is bound on stage below.
        for g in await session.scalars(select(ResidentialGroup)):
            if g.name != "Tổ 13":
                g.chat_id, g.chat_status = -1_007_000_000_000 - g.sort_key, ChatStatus.ACTIVE
        await session.commit()
    print(f"📢 Loa demo — {SAMPLE_WARD}: 16 tổ dân phố, sandbox Bot API at {api}")
    stop = asyncio.Event()
    bot_task = asyncio.create_task(serve(settings, stop=stop))
    scene = Scene(sandbox)
    try:
        await sandbox.wait_for("deleteWebhook", timeout=30)
        await _play(scene, factory)
        await _guides(scene, port)
        dash = await stats_and_dashboard(scene, OFFICIAL, port)
        await consult_and_checkin(scene, factory, OFFICIAL, RESIDENT, NEIGHBOUR, GROUP13)
        print(f"\n🌐 Web server: http://127.0.0.1:{port}/healthz; dashboard sign-in link "
              f"(one use, {settings.dash_link_minutes} min): {dash}"
              + ("  — Ctrl-C to stop." if keep else ""))  # fmt: skip
        if keep:
            await asyncio.Event().wait()
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot_task, 30)
        await engine.dispose()
        await sandbox.stop()


async def _guides(scene: Scene, port: int) -> None:
    print("\n── 5. Tra cứu thủ tục: gõ chữ, quét mã QR, trang web ──")
    await scene.send(RESIDENT, "làm giấy khai sinh cho con")
    scene.show(lines=4)
    link = procedures.bot_link("loa_phuong_bot", "1.001193", "mot_cua")
    print(f"\n  📷 Mã QR ở Trung tâm Phục vụ hành chính công mở: {link}")
    await scene.send(RESIDENT, "/start " + procedures.start_payload("1.001193", "mot_cua"))
    scene.show(lines=2)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/p/1.001193") as resp:
            page = await resp.text()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    print(
        f"  🌐 http://127.0.0.1:{port}/p/1.001193 → {resp.status}, "
        f"«{title.group(1).strip() if title else '?'}»"
    )


async def _play(scene: Scene, factory: Any) -> None:
    print("\n── 1. Gắn nhóm Telegram của Tổ 13 ──")
    calls = await scene.send(OFFICIAL, "/bindcode Tổ 13")
    scene.show()
    code = re.search(r"<code>([A-Z0-9]{6})</code>", _last(calls)["text"] or "")
    code_text = code.group(1) if code else re.findall(r"\b[A-Z2-9]{6}\b", _last(calls)["text"])[0]
    await scene.send(LEADER, f"/bind {code_text}", GROUP13, chat_title="Tổ 13 – Sông Cầu")
    scene.show()

    print("\n── 2. Một cư dân tham gia (đồng ý, chọn tổ, chọn hộ) ──")
    welcome = _last(await scene.send(RESIDENT, "/start"))
    scene.show(lines=2)
    groups = _last(await scene.press(RESIDENT, welcome, "đồng ý"))
    scene.show(lines=1)
    households = _last(await scene.press(RESIDENT, groups, "Tổ 13"))
    scene.show(lines=1)
    first = households["reply_markup"]["inline_keyboard"][0][0]["text"]
    await scene.press(RESIDENT, households, first)
    scene.show()

    notice_id = await _announce(scene, factory)
    while True:  # a demo may poll: it shows the progress a person would watch
        async with factory() as session:
            p = await outbox.progress(session, notice_id)
            done = (await session.get(Notice, notice_id, populate_existing=True)).finished_at
        print(f"     … {p.sent}/{p.recipients} đã gửi, {p.failed} lỗi, còn {p.pending}")
        if done:
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(3.5)  # the final progress report
    scene.show(only=lambda c: c.chat_id in (GROUP13, RESIDENT, OFFICIAL), lines=2)
    groups_got = len(
        {
            c.chat_id
            for c in scene.sb.calls
            if c.method == "sendMessage"
            and isinstance(c.chat_id, int)
            and c.chat_id < 0
            and c.ok
            and "sàng lọc" in str(c.params.get("text"))
        }
    )
    print(
        f"\n  📊 Kết quả: {p.sent}/{p.recipients} nhận được ({groups_got} nhóm tổ + nhắn riêng "
        f"cho cư dân), {p.failed} lỗi, 429 từ Telegram: {scene.sb.stats['429s']}; "
        f"ghim trong nhóm: {scene.sb.count('pinChatMessage')}"
    )
    in_group = _with_buttons(scene.sb.calls, GROUP13)
    for label in ("Đã nhận", "Tôi sẽ tham gia"):
        await scene.press(RESIDENT, in_group, label, answer_only=True)
        scene.show(lines=1)
    await scene.send(OFFICIAL, f"/coverage {notice_id}")
    scene.show(lines=20)

    print("\n── 4. Cư dân hỏi trong nhóm, tổ công nghệ số trả lời ──")
    calls = await scene.send(OFFICIAL, "/staffcode")
    code = re.search(r"/bindstaff ([A-Z2-9]{6})", _plain(_last(calls)["text"], 10))
    scene.show(lines=1)
    if code:
        await scene.send(TECH, f"/bindstaff {code.group(1)}", STAFF, chat_title="Tổ CNS Sông Cầu")
        scene.show(lines=1)
        await scene.send(
            RESIDENT, "/ask Cho hỏi khám sàng lọc có cần mang sổ khám bệnh cũ không?", GROUP13
        )
        await asyncio.sleep(0.5)
        scene.show(lines=2)
        card = _last(scene.sb.calls, STAFF)
        await scene.press(TECH, card, "Nhận")
        scene.show(lines=1)
        await scene.send(
            TECH,
            "Bà mang theo sổ khám cũ nếu có, để bác sĩ xem tiền sử ạ.",
            STAFF,
            reply_to=card["message_id"],
        )
        scene.show(lines=2)
        await scene.press(TECH, _with_buttons(scene.sb.calls, STAFF), "Đóng")
        scene.show(lines=2)
        ask = next(
            c.result
            for c in reversed(scene.sb.calls)
            if c.chat_id == RESIDENT and c.result and c.result.get("reply_markup")
        )
        await scene.press(RESIDENT, ask, "Tốt")
        scene.show(lines=1)
