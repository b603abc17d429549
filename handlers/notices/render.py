"""A notice shown in a private chat exactly as residents see it (not a router): the same
rendering and buttons as the delivery engine, in the reader's language.

Used by the composer's preview (notice id 0: its buttons record nothing), the approval card,
`/start n-<id>` and `/notices`.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services.notices import announcements as ann
from bot.services.notices.drafts import Media
from broadcasts.render import Marks, Part, render
from broadcasts.telegram_ops import consult_markup, notice_markup
from models import Notice, NoticeStatus, Urgency


def marks_for(urgency: Urgency) -> Marks:
    """The header and marks in the reader's language (the sender uses the bot's)."""
    return Marks(
        header=_(f"notice.header_{urgency.value}"),
        correction=_("notice.mark_correction"),
        cancelled=_("notice.mark_cancelled"),
        continued=_("notice.continued"),
        ack=_("notice.ack_button"),
        attend=_("notice.attend_button"),
    )


def parts_for(notice: Notice, text: str) -> list[Part]:
    """A correction as residents will see it (new text, "ĐÍNH CHÍNH" mark)."""
    return render(text, marks_for(notice.urgency), mark="correction", issuer=notice.issuer)


async def show(
    bot: Bot,
    chat_id: int,
    *,
    text: str,
    urgency: Urgency,
    media: Media | None = None,
    event: bool = False,
    notice_id: int = 0,
    mark: str | None = None,  # None, "correction" or "cancelled"
    buttons: bool = True,
    issuer: str | None = None,
    consult: tuple[int, list[str]] | None = None,  # a consultation's id and options
) -> list[Message]:
    """Send the parts; "Đã nhận" (and "Tôi sẽ tham gia") go under the last one."""
    marks = marks_for(urgency)
    parts = render(
        text, marks, media=media.type.value if media else None, mark=mark, issuer=issuer
    )
    markup = None
    if buttons:
        raw = consult_markup(*consult) if consult else notice_markup(notice_id, marks, event=event)
        markup = InlineKeyboardMarkup.model_validate(raw)
    sent = []
    for i, part in enumerate(parts):
        extra: dict[str, Any] = {"reply_markup": markup} if i == len(parts) - 1 else {}
        if part.kind == "photo" and media:
            sent.append(await bot.send_photo(chat_id, media.file_id, caption=part.html, **extra))
        elif part.kind == "document" and media:
            sent.append(
                await bot.send_document(chat_id, media.file_id, caption=part.html, **extra)
            )
        else:
            sent.append(await bot.send_message(chat_id, part.html, **extra))
    return sent


async def send_notice(
    message: Message, notice: Notice, consult: tuple[int, list[str]] | None = None
) -> None:
    """The notice's current version into `message`'s chat: struck out when cancelled (and
    without buttons), marked when corrected."""
    cancelled = notice.status is NoticeStatus.CANCELLED
    mark = "cancelled" if cancelled else ("correction" if notice.version > 1 else None)
    assert message.bot is not None  # a message that came through the dispatcher knows its bot
    await show(
        message.bot,
        message.chat.id,
        text=notice.text,
        urgency=notice.urgency,
        media=ann.media_of(notice),
        event=notice.event_at is not None,
        notice_id=notice.parent_id or notice.id,
        mark=mark,
        buttons=not cancelled,
        issuer=notice.issuer,
        consult=consult,
    )
