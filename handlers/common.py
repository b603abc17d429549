"""Small pieces every router uses: rendering service errors, refusing politely, deep links."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.logs import who
from bot.services.common.errors import Forbidden, ServiceError
from bot.services.directory.units import home_ward
from bot.text import esc

__all__ = [
    "button_message",
    "command_args",
    "error_text",
    "esc",
    "privacy_notice",
    "refuse",
    "sender",
]

logger = logging.getLogger(__name__)


def error_text(err: ServiceError) -> str:
    return _(err.key).format(**{k: esc(v) for k, v in err.params.items()})


async def refuse(event: Message | CallbackQuery, action: str) -> None:
    """Refuse a privileged action politely, and log who tried (ids only)."""
    user = event.from_user
    logger.warning("refused %s for user %s", action, who(user.id if user else None))
    text = _("error.forbidden")
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.answer(text)


def button_message(query: CallbackQuery) -> Message:
    """The message under the pressed button. Telegram leaves it out when that message is over 48
    hours old (an InaccessibleMessage) or was sent inline (None): such a press is told that the
    button no longer works, as a press no handler takes is (handlers/fallback.py)."""
    if isinstance(query.message, Message):
        return query.message
    raise ServiceError("error.stale_button")


def sender(message: Message) -> User:
    """Who sent the message. Telegram leaves `from` out only in channels (a chat that posts in a
    group gets a stand-in user), so a message without one may do nothing."""
    if message.from_user is None:
        raise Forbidden()
    return message.from_user


def command_args(message: Message) -> str:
    """What follows the command: "/bindcode Tổ 13" → "Tổ 13"."""
    parts = (message.text or message.caption or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def code_from_group(message: Message, command: str, usage: str) -> str | None:
    """The one-time code after /bind or /bindstaff, or None when the sender may not use it.

    An anonymous admin or a channel posts as `sender_chat`: nobody can tell who it is, so it
    may never perform a privileged action. `usage` is the message to send when the code is
    missing (already translated).
    """
    if message.sender_chat is not None:
        logger.warning("refused /%s from sender_chat in chat %s", command, message.chat.id)
        await message.reply(_("bind.anonymous_refused"))
        return None
    code = command_args(message)
    if not code:
        await message.reply(usage)
        return None
    return code


async def privacy_notice(session: AsyncSession, settings: Settings, group_id: int = 0) -> str:
    """The notice residents read before consenting (/start) and any time (/privacy)."""
    ward = await home_ward(session, group_id)
    body = _("privacy.body_named").format(ward=ward.name) if ward else _("privacy.body_unnamed")
    return _("start.privacy").format(
        body=esc(body), months=max(1, settings.retention_question_days // 30)
    )


async def bot_username(bot: Bot, settings: Settings) -> str:
    """The bot's own @username (without the @): LOA_BOT_USERNAME, else asked once (getMe)."""
    return (settings.bot_username or (await bot.me()).username or "").lstrip("@")
