"""In-memory sandbox state: chats, messages, files, the call log and call waiters.

Everything here runs on one event loop; recording a call is O(1) plus the waiters that
watch that method, so the request path stays cheap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from .calls import CallLog
from .errors import CHAT_NOT_FOUND, FORBIDDEN_KINDS, bad_request, forbidden_for, migrated

__all__ = ["DEFAULT_BOT_USER", "ChatInfo", "FileRecord", "StateCore", "chat_type_for"]

logger = logging.getLogger(__name__)

DEFAULT_BOT_USER: dict[str, Any] = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Loa",
    "username": "loa_phuong_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
SUPERGROUP_BASE = -1000000000000
_FILE_PREFIX = {
    "photo": "AgACAgUAAxkBAAI",
    "document": "BQACAgUAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}


def chat_type_for(chat_id: int) -> str:
    """Telegram's id ranges: positive = private, <= -10**12 = supergroup, else group."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= SUPERGROUP_BASE else "group"


@dataclass(slots=True, eq=False)
class ChatInfo:
    """A chat the sandbox knows; ``obj`` is the Bot API ``Chat`` dict."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    bot_can_pin: bool = True
    member_count: int = 2
    permissions: dict[str, Any] | None = None
    blocked: str | None = None
    migrated_to: int | None = None
    last_message_id: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=dict)
    menu_button: dict[str, Any] | None = None
    obj: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Rebuild :attr:`obj` after changing the chat's attributes."""
        obj: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            obj["first_name"] = self.first_name or f"User {self.id}"
            if self.last_name:
                obj["last_name"] = self.last_name
        else:
            obj["title"] = self.title or f"Group {abs(self.id)}"
        if self.username:
            obj["username"] = self.username
        self.obj = obj

    def next_message_id(self) -> int:
        """Allocate the next message id of this chat (unique, increasing)."""
        self.last_message_id += 1
        return self.last_message_id


@dataclass(slots=True, eq=False)
class FileRecord:
    """A stored file (uploaded by the bot or attached to a pushed update)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None
    sends: int = 0

    def as_file(self) -> dict[str, Any]:
        """The Bot API ``File`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class StateCore(CallLog):
    """Chats, users and files, on top of the call log (no HTTP in here)."""

    def __init__(self, token: str | None = None, bot_user: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.token = token
        self.bot_user: dict[str, Any] = {**DEFAULT_BOT_USER, **(bot_user or {})}
        self.bot_from: dict[str, Any] = {
            k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")
        }
        self.chats: dict[int, ChatInfo] = {}
        self._missing: set[int] = set()
        self._usernames: dict[str, int] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files: dict[str, FileRecord] = {}
        self._file_paths: dict[str, FileRecord] = {}
        self._file_seq = 0
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "commands"}

    # ----------------------------------------------------------------- chats
    def add_chat(
        self,
        chat_id: int,
        *,
        type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        bot_can_pin: bool = True,
        member_count: int | None = None,
        permissions: dict[str, Any] | None = None,
    ) -> ChatInfo:
        """Register (or replace) a chat; unknown chats are otherwise auto-created."""
        self._missing.discard(chat_id)
        chat_type = type or chat_type_for(chat_id)
        known = self.users.get(chat_id) if chat_type == "private" else None
        if known is not None:
            first_name = first_name or known.get("first_name")
            last_name = last_name or known.get("last_name")
            username = username or known.get("username")
        old = self.chats.get(chat_id)
        chat = ChatInfo(
            id=chat_id,
            type=chat_type,
            title=title,
            username=username,
            first_name=first_name,
            last_name=last_name,
            bot_can_pin=bot_can_pin,
            member_count=member_count or (2 if chat_type == "private" else 25),
            permissions=permissions,
        )
        if old is not None:
            chat.last_message_id, chat.messages = old.last_message_id, old.messages
        self.chats[chat_id] = chat
        if username:
            self._usernames[username.lower().lstrip("@")] = chat_id
        return chat

    def forget_chat(self, chat_id: int) -> None:
        """Make ``chat_id`` unknown: later calls answer ``400 chat not found``."""
        chat = self.chats.pop(chat_id, None)
        if chat is not None and chat.username:
            self._usernames.pop(chat.username.lower(), None)
        self._missing.add(chat_id)

    def block(self, chat_id: int, kind: str = "blocked") -> None:
        """Sticky 403 for ``chat_id``: kind is blocked | kicked | deactivated | not_member."""
        kind = kind.removeprefix("403_")
        if kind not in FORBIDDEN_KINDS:
            raise ValueError(f"unknown block kind {kind!r}; expected {sorted(FORBIDDEN_KINDS)}")
        self.ensure_chat(chat_id).blocked = kind

    def unblock(self, chat_id: int) -> None:
        """Lift a sticky 403 (the user pressed Start again / the bot was re-added)."""
        chat = self.chats.get(chat_id)
        if chat is not None:
            chat.blocked = None

    def migrate_chat(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade a group to a supergroup; sends to the old id then answer the migrate error."""
        old = self.ensure_chat(chat_id)
        if new_chat_id is None:
            new_chat_id = SUPERGROUP_BASE - abs(chat_id)
        old.migrated_to = new_chat_id
        new = self.add_chat(
            new_chat_id, type="supergroup", title=old.title, bot_can_pin=old.bot_can_pin
        )
        new.member_count = old.member_count
        return new_chat_id

    def ensure_chat(self, chat_id: int, **kwargs: Any) -> ChatInfo:
        """Return the chat, creating it (no error checks) when unknown."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.add_chat(chat_id, **kwargs)
        return chat

    def resolve_chat(self, raw: Any, *, check_blocked: bool = True) -> ChatInfo:
        """The chat a method targets, or the ApiError Telegram answers for it."""
        if isinstance(raw, str):
            if raw.startswith("@"):
                found = self._usernames.get(raw[1:].lower())
                if found is None:
                    raise bad_request(CHAT_NOT_FOUND)
                raw = found
            else:
                try:
                    raw = int(raw)
                except ValueError:
                    raise bad_request(CHAT_NOT_FOUND) from None
        if raw is None or isinstance(raw, bool) or not isinstance(raw, int) or raw == 0:
            raise bad_request("chat_id is empty" if raw is None else CHAT_NOT_FOUND)
        chat = self.chats.get(raw)
        if chat is None:
            if raw in self._missing:
                raise bad_request(CHAT_NOT_FOUND)
            chat = self.add_chat(raw)
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        if check_blocked and chat.blocked is not None:
            raise forbidden_for(chat.blocked, chat.type)
        return chat

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every message stored in a chat (after edits), oldest first."""
        chat = self.chats.get(chat_id)
        return [] if chat is None else list(chat.messages.values())

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of one stored message (``None`` if unknown or deleted)."""
        chat = self.chats.get(chat_id)
        return None if chat is None else chat.messages.get(message_id)

    # ----------------------------------------------------------------- users
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """The ``User`` dict for ``user_id``, remembering any names given."""
        user = self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
            self.users[user_id] = user
        elif first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        if last_name:
            user["last_name"] = last_name
        if language_code:
            user["language_code"] = language_code
        return user

    # ----------------------------------------------------------------- files
    def store_file(
        self,
        data: bytes,
        kind: str = "document",
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> FileRecord:
        """Store bytes and mint a ``file_id``/``file_unique_id`` pair for them."""
        self._file_seq += 1
        seq = self._file_seq
        ext = (filename.rsplit(".", 1)[-1] if filename and "." in filename else None) or (
            "jpg" if kind == "photo" else "bin"
        )
        record = FileRecord(
            file_id=f"{_FILE_PREFIX.get(kind, 'BQACAgUAAxkBAAI')}{seq:010d}sbx",
            file_unique_id=f"AQAD{seq:08d}",
            kind=kind,
            data=data,
            file_path=f"{kind}s/file_{seq}.{ext}",
            filename=filename,
            mime_type=mime_type,
            url=url,
        )
        self.files[record.file_id] = record
        self._file_paths[record.file_path] = record
        return record

    def file_by_path(self, file_path: str) -> FileRecord | None:
        """The stored file served at ``/file/bot<token>/<file_path>``."""
        return self._file_paths.get(file_path)
