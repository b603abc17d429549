"""Drive the real dispatcher with real Bot API JSON, over HTTP to the sandbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from sandbox import Call, Sandbox

TOKEN = "123456789:TEST-token-for-the-sandbox-only_xx"
ADMIN_ID = 100_000_001
OFFICIAL_ID = 100_000_002
LEADER_ID = 100_000_003
RESIDENT_ID = 200_000_001
GROUP_CHAT = -1_001_234_567_890


class BotHarness:
    """Feeds updates through `Dispatcher.feed_raw_update`; every Bot call goes to the sandbox."""

    def __init__(
        self,
        settings: Settings,
        sandbox: Sandbox,
        engine: AsyncEngine,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        self.settings, self.sandbox = settings, sandbox
        self.session_factory = session_factory
        self.bot = create_bot(settings)
        self.dp = create_dispatcher(settings, session_factory, engine)
        self._update_id = 0

    async def close(self) -> None:
        await self.bot.session.close()

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        """Feed one update; return the Bot API calls it caused (in order)."""
        before = len(self.sandbox.calls)
        self._update_id += 1
        update = {"update_id": self._update_id, **update}
        self.sandbox.register_update(update)  # opens callback/inline queries, as a push does
        await self.dp.feed_raw_update(self.bot, update)
        return list(self.sandbox.calls[before:])

    async def send(
        self, user_id: int, text: str | None, chat_id: int | None = None, **kw: Any
    ) -> list[Call]:
        return await self.feed(self.sandbox.make_message(chat_id, user_id, text, **kw))

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> list[Call]:
        chat_id = message["chat"]["id"]
        return await self.feed(
            self.sandbox.make_callback(user_id, chat_id, message["message_id"], data)
        )

    async def press_button(
        self, user_id: int, message: dict[str, Any], text_part: str
    ) -> list[Call]:
        """Press the button whose label contains `text_part` (as a person would)."""
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if text_part in button["text"]:
                    return await self.press(user_id, message, button["callback_data"])
        labels = [
            b["text"]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        raise AssertionError(f"no button containing {text_part!r}; buttons: {labels}")


def texts(calls: list[Call]) -> list[str]:
    """Texts the bot sent or edited in these calls."""
    out = []
    for c in calls:
        if c.ok and c.method in ("sendMessage", "editMessageText"):
            out.append(str(c.params.get("text", "")))
        elif c.method == "answerCallbackQuery" and c.params.get("text"):
            out.append(str(c.params["text"]))
    return out


def last_message(calls: list[Call]) -> dict[str, Any]:
    """The message object the last send/edit call produced (with its keyboard)."""
    for c in reversed(calls):
        if c.ok and c.method in ("sendMessage", "editMessageText") and isinstance(c.result, dict):
            return c.result
    raise AssertionError(f"no message sent; calls: {[c.method for c in calls]}")
