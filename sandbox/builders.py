"""Builders for incoming updates, producing real Bot API JSON."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .state import chat_type_for
from .updates import UpdateQueue

__all__ = ["SandboxState", "chat_member"]

_TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)
_RESTRICTIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def chat_member(user: dict[str, Any], status: str, *, can_pin: bool = True) -> dict[str, Any]:
    """A valid ``ChatMember`` object of the given status."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
        member.update(can_manage_chat=True, can_delete_messages=True, can_pin_messages=can_pin)
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTIONS, False), is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


class SandboxState(UpdateQueue):
    """The complete sandbox state: chats, files, calls, updates and the update builders.

    Everything is plain in-memory data used from one event loop; :class:`Sandbox` adds the
    HTTP server, flood limits and faults on top.
    """

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's status (creator/administrator/member/restricted/left/kicked)."""
        self.ensure_chat(chat_id).members[user_id] = status

    def _sender_chat(
        self, chat_id: int, user: dict[str, Any], chat_type: str | None, title: str | None
    ) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        if chat is None:
            kind = chat_type or chat_type_for(chat_id)
            if kind == "private":
                chat = self.ensure_chat(
                    chat_id, first_name=user["first_name"], username=user.get("username")
                )
            else:
                chat = self.ensure_chat(chat_id, type=kind, title=title)
        return chat.obj

    def make_message(
        self,
        chat_id: int | None,
        user_id: int,
        text: str | None = None,
        *,
        chat_type: str | None = None,
        chat_title: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        reply_to: int | dict[str, Any] | None = None,
        sender_chat: int | dict[str, Any] | None = None,
        photo: bool = False,
        sticker: bool = False,
        caption: str | None = None,
        forward_origin: dict[str, Any] | int | None = None,
        migrate_to_chat_id: int | None = None,
        new_chat_members: list[int | dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        _key: str = "message",
        _message_id: int | None = None,
    ) -> dict[str, Any]:
        """An update ``{"message": {...}}`` from ``user_id`` in ``chat_id`` (not pushed).

        The message is stored in the chat so the bot can reply to, copy or forward it.
        ``chat_id=None`` means the user's private chat.  A leading ``/command`` gets a
        ``bot_command`` entity; ``photo``/``sticker`` attach a stored file.
        """
        user = self.user(user_id, first_name, username, language_code)
        chat_id = user_id if chat_id is None else chat_id
        chat_obj = self._sender_chat(chat_id, user, chat_type, chat_title)
        chat = self.chats[chat_id]
        now = int(time.time())
        message: dict[str, Any] = {
            "message_id": _message_id or chat.next_message_id(),
            "from": user,
            "chat": chat_obj,
            "date": now,
        }
        if sender_chat is not None:
            if isinstance(sender_chat, int):
                sender_chat = self.ensure_chat(sender_chat).obj
            message["sender_chat"] = sender_chat
        if reply_to is not None:
            if isinstance(reply_to, int):
                reply_to = chat.messages.get(reply_to) or {
                    "message_id": reply_to,
                    "chat": chat_obj,
                    "date": now,
                }
            message["reply_to_message"] = reply_to
        if forward_origin is not None:
            if isinstance(forward_origin, int):
                forward_origin = {
                    "type": "user",
                    "date": now - 60,
                    "sender_user": self.user(forward_origin),
                }
            message["forward_origin"] = forward_origin
        if photo:
            record = self.store_file(_TINY_JPEG, "photo", mime_type="image/jpeg")
            message["photo"] = [
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "width": 1280,
                    "height": 960,
                    "file_size": len(record.data),
                }
            ]
        if sticker:
            record = self.store_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker")
            message["sticker"] = {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        body = caption if caption is not None else text
        if body is not None:
            key = "caption" if (photo or sticker) else "text"
            message[key] = body
            if body.startswith("/"):
                command = body.split(maxsplit=1)[0]
                entity_key = "caption_entities" if key == "caption" else "entities"
                message[entity_key] = [
                    {"type": "bot_command", "offset": 0, "length": len(command)}
                ]
        if migrate_to_chat_id is not None:
            message["migrate_to_chat_id"] = migrate_to_chat_id
            self.migrate_chat(chat_id, migrate_to_chat_id)
        if new_chat_members:
            members = [
                m if isinstance(m, dict) else self._member_user(m) for m in new_chat_members
            ]
            message["new_chat_members"] = members
            if any(m["id"] == self.bot_user["id"] for m in members):
                chat.blocked = None
        if extra:
            message.update(extra)
        chat.messages[message["message_id"]] = message
        return {_key: message}

    def _member_user(self, user_id: int) -> dict[str, Any]:
        return self.bot_from if user_id == self.bot_user["id"] else self.user(user_id)

    def make_edited_message(
        self, chat_id: int | None, user_id: int, message_id: int, text: str, **kwargs: Any
    ) -> dict[str, Any]:
        """An ``edited_message`` update changing a user's earlier message to ``text``."""
        chat_id = user_id if chat_id is None else chat_id
        original = self.ensure_chat(chat_id).messages.get(message_id)
        update = self.make_message(
            chat_id, user_id, text, _key="edited_message", _message_id=message_id, **kwargs
        )
        message = update["edited_message"]
        message["date"] = original["date"] if original else message["date"] - 60
        message["edit_date"] = int(time.time())
        return update

    def make_callback(
        self,
        user_id: int,
        chat_id: int | None,
        message_id: int | None,
        data: str,
        *,
        inline_message_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``callback_query`` update for a button under a (stored) bot message."""
        user = self.user(user_id)
        chat_id = user_id if chat_id is None else chat_id
        self._query_seq += 1
        query: dict[str, Any] = {
            "id": str(4_000_000_000_000_000 + self._query_seq),
            "from": user,
            "chat_instance": str(abs(chat_id) * 7 + 13),
            "data": data,
        }
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        if message_id is not None:
            chat = self.ensure_chat(chat_id)
            query["message"] = chat.messages.get(message_id) or {
                "message_id": message_id,
                "from": self.bot_from,
                "chat": chat.obj,
                "date": int(time.time()),
                "text": "",
            }
        return {"callback_query": query}

    def make_my_chat_member(
        self, chat_id: int, new_status: str, user_id: int, *, old_status: str | None = None
    ) -> dict[str, Any]:
        """A ``my_chat_member`` update; also applies it (a block/kick is sticky)."""
        user = self.user(user_id)
        chat = self.ensure_chat(chat_id)
        if old_status is None:
            old_status = "member" if new_status in ("kicked", "left") else "left"
            if chat.type == "private" and new_status == "member":
                old_status = "kicked"
        if new_status in ("kicked", "left"):
            chat.blocked = (
                "blocked"
                if chat.type == "private"
                else ("kicked" if new_status == "kicked" else "not_member")
            )
        else:
            chat.blocked = None
        if new_status == "administrator":
            chat.bot_can_pin = True
        return {
            "my_chat_member": {
                "chat": chat.obj,
                "from": user,
                "date": int(time.time()),
                "old_chat_member": chat_member(self.bot_from, old_status),
                "new_chat_member": chat_member(self.bot_from, new_status),
            }
        }

    def make_inline_query(self, user_id: int, query: str, *, offset: str = "") -> dict[str, Any]:
        """An ``inline_query`` update."""
        self._query_seq += 1
        query_id = 5_000_000_000_000_000 + self._query_seq
        return {
            "inline_query": {
                "id": str(query_id),
                "from": self.user(user_id),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            }
        }

    async def user_sends(
        self, user_id: int, text: str | None, chat_id: int | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Push a message from ``user_id`` (private chat by default); returns the message."""
        update = self.make_message(chat_id, user_id, text, **kwargs)
        self.push_update(update)
        await asyncio.sleep(0)
        message: dict[str, Any] = update["message"]
        return message

    async def user_presses(
        self, user_id: int, chat_id: int | None, message_id: int, data: str
    ) -> dict[str, Any]:
        """Push a button press (callback query); returns the callback query."""
        update = self.make_callback(user_id, chat_id, message_id, data)
        self.push_update(update)
        await asyncio.sleep(0)
        query: dict[str, Any] = update["callback_query"]
        return query
