"""A notice shown in a private chat exactly as residents see it (not a router)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from broadcasts.render import Marks, Part, render
from broadcasts.telegram_ops import notice_markup
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


def parts_for(notice: Notice, text: str | None = None, *, media: bool = False) -> list[Part]:
    """The current version: struck out when cancelled, marked when corrected."""
    mark = None
    if notice.status is NoticeStatus.CANCELLED:
        mark = "cancelled"
    elif notice.version > 1 or text is not None:
        mark = "correction"
    kind = notice.media_type if media else None
    return render(text or notice.text, marks_for(notice.urgency), media=kind, mark=mark)


async def send_notice(message: Message, notice: Notice) -> None:
    """Send the notice into `message`'s chat; the last part carries "Đã nhận" unless it
    was cancelled."""
    media = bool(notice.media_type and notice.media_file_id)
    parts = parts_for(notice, media=media)
    markup = None
    if notice.status is not NoticeStatus.CANCELLED:
        data = notice_markup(
            notice.parent_id or notice.id,
            marks_for(notice.urgency),
            event=notice.event_at is not None,
        )
        markup = InlineKeyboardMarkup.model_validate(data)
    for i, part in enumerate(parts):
        keyboard = markup if i == len(parts) - 1 else None
        if part.kind == "photo":
            await message.answer_photo(
                notice.media_file_id or "", caption=part.html, reply_markup=keyboard
            )
        elif part.kind == "document":
            await message.answer_document(
                notice.media_file_id or "", caption=part.html, reply_markup=keyboard
            )
        else:
            await message.answer(part.html, reply_markup=keyboard)
