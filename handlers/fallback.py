"""The last router: anything not understood gets a short helpful answer, never silence.

In group chats the bot only answers commands addressed to it, so it never talks over residents.
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.registry import RouterBlueprint

router = RouterBlueprint("fallback")


@router.message(F.chat.type == "private", F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(_("fallback.unknown_command"))


@router.message(F.chat.type == "private", F.text)
async def unknown_text(message: Message) -> None:
    await message.answer(_("fallback.text"))


@router.message(
    F.chat.type == "private",
    F.sticker
    | F.photo
    | F.animation
    | F.voice
    | F.video
    | F.document
    | F.video_note
    | F.location
    | F.contact,
)
async def unsupported_media(message: Message) -> None:
    await message.answer(_("fallback.media"))


@router.message(F.chat.type.in_({"group", "supergroup"}), F.text.regexp(r"^/\w+@"))
async def unknown_group_command(message: Message) -> None:
    await message.reply(_("fallback.group_command"))


@router.message()
async def ignore_other(message: Message) -> None:
    """Service messages and group chatter: deliberately quiet."""


@router.edited_message()
async def ignore_edited(message: Message) -> None:
    """Edits of earlier messages are not commands; ignore them without error."""


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """A press no handler took: an old keyboard, a button whose state has passed, or data
    that is garbled or forged (the typed fields of every CallbackData refuse it)."""
    await query.answer(_("error.stale_button"), show_alert=True)
