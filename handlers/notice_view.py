"""Show a notice in a chat exactly as residents receive it (the composer's preview, the
approval card): the same rendering and buttons as the delivery engine."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, Message

from bot.catalog import Catalog
from broadcasts.engine import marks_factory
from broadcasts.render import render
from broadcasts.telegram_ops import notice_markup
from models import Urgency


async def show_notice(
    bot: Bot,
    chat_id: int,
    *,
    text: str,
    urgency: Urgency,
    media: dict[str, Any] | None,
    event: bool,
    catalog: Catalog,
    language: str,
    notice_id: int = 0,
) -> list[Message]:
    """Send the notice's parts; the "Đã nhận" (and "Tôi sẽ tham gia") buttons go under the
    last part. `notice_id` 0 makes them preview buttons that record nothing."""
    marks = marks_factory(catalog, language)(urgency)
    parts = render(text, marks, media=media["type"] if media else None)
    markup = InlineKeyboardMarkup.model_validate(notice_markup(notice_id, marks, event=event))
    sent = []
    for i, part in enumerate(parts):
        extra: dict[str, Any] = {"reply_markup": markup} if i == len(parts) - 1 else {}
        if i == 0 and media and media["type"] == "photo":
            sent.append(
                await bot.send_photo(chat_id, media["file_id"], caption=part.html, **extra)
            )
        elif i == 0 and media:
            sent.append(
                await bot.send_document(chat_id, media["file_id"], caption=part.html, **extra)
            )
        else:
            sent.append(await bot.send_message(chat_id, part.html, **extra))
    return sent
