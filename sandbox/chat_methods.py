"""Non-message methods: identity, chat info, commands, queries, files and webhooks."""

from __future__ import annotations

import json
import re
from typing import Any

from .builders import SandboxState, chat_member
from .calls import Call
from .errors import QUERY_TOO_OLD, bad_request

__all__ = ["HANDLERS"]

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_GIFT_TYPES = dict.fromkeys(
    (
        "unlimited_gifts",
        "limited_gifts",
        "unique_gifts",
        "premium_subscription",
        "gifts_from_channels",
    ),
    False,
)


def _get_me(state: SandboxState, call: Call) -> dict[str, Any]:
    return state.bot_user


def _get_chat(state: SandboxState, call: Call) -> dict[str, Any]:
    chat = state.resolve_chat(call.params.get("chat_id"), check_blocked=False)
    info: dict[str, Any] = {
        **chat.obj,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _GIFT_TYPES,
    }
    if chat.permissions is not None:
        info["permissions"] = chat.permissions
    if chat.pinned and chat.pinned[-1] in chat.messages:
        info["pinned_message"] = chat.messages[chat.pinned[-1]]
    return info


def _bot_status(state: SandboxState, chat_type: str, blocked: str | None, can_pin: bool) -> str:
    if blocked is not None:
        return "kicked" if blocked == "kicked" else "left"
    return "administrator" if chat_type != "private" and can_pin else "member"


def _get_chat_member(state: SandboxState, call: Call) -> dict[str, Any]:
    chat = state.resolve_chat(call.params.get("chat_id"), check_blocked=False)
    user_id = int(call.params.get("user_id") or 0)
    if user_id == state.bot_user["id"]:
        status = _bot_status(state, chat.type, chat.blocked, chat.bot_can_pin)
        return chat_member(state.bot_from, status, can_pin=chat.bot_can_pin)
    if chat.type == "private" and user_id != chat.id:
        raise bad_request("user not found")
    return chat_member(state.user(user_id), chat.members.get(user_id, "member"))


def _get_admins(state: SandboxState, call: Call) -> list[dict[str, Any]]:
    chat = state.resolve_chat(call.params.get("chat_id"), check_blocked=False)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [
        chat_member(state.user(user_id), status)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]
    if chat.blocked is None and chat.bot_can_pin:
        admins.append(chat_member(state.bot_from, "administrator"))
    return admins


def _member_count(state: SandboxState, call: Call) -> int:
    return state.resolve_chat(call.params.get("chat_id"), check_blocked=False).member_count


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


def _set_commands(state: SandboxState, call: Call) -> bool:
    commands = call.params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand")
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be 1-256 characters long")
    state.commands[_commands_key(call.params)] = commands
    return True


def _get_commands(state: SandboxState, call: Call) -> list[dict[str, Any]]:
    return state.commands.get(_commands_key(call.params), [])


def _delete_commands(state: SandboxState, call: Call) -> bool:
    state.commands.pop(_commands_key(call.params), None)
    return True


def _set_menu_button(state: SandboxState, call: Call) -> bool:
    button = call.params.get("menu_button") or {"type": "default"}
    chat_id = call.params.get("chat_id")
    if chat_id is None:
        state.default_menu_button = button
    else:
        state.resolve_chat(chat_id, check_blocked=False).menu_button = button
    return True


def _get_menu_button(state: SandboxState, call: Call) -> dict[str, Any]:
    chat_id = call.params.get("chat_id")
    if chat_id is not None:
        button = state.resolve_chat(chat_id, check_blocked=False).menu_button
        if button is not None:
            return button
    return state.default_menu_button


def _get_file(state: SandboxState, call: Call) -> dict[str, Any]:
    record = state.files.get(str(call.params.get("file_id") or ""))
    if record is None:
        raise bad_request("invalid file_id")
    return record.as_file()


def _leave_chat(state: SandboxState, call: Call) -> bool:
    chat = state.resolve_chat(call.params.get("chat_id"))
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.blocked = "not_member"
    return True


def _chat_action(state: SandboxState, call: Call) -> bool:
    state.resolve_chat(call.params.get("chat_id"))
    if call.params.get("action") not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _answer(kind: str) -> Any:
    def answer(state: SandboxState, call: Call) -> bool:
        key = "callback_query_id" if kind == "callback_query" else "inline_query_id"
        query_id = str(call.params.get(key) or "")
        if state.open_queries.get(query_id) != kind:
            raise bad_request(QUERY_TOO_OLD)
        if kind == "callback_query" and len(str(call.params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        if kind == "inline_query":
            ids = [str(result.get("id")) for result in call.params.get("results") or []]
            if len(ids) != len(set(ids)):
                raise bad_request("RESULT_ID_DUPLICATE")
        del state.open_queries[query_id]
        return True

    return answer


def _set_webhook(state: SandboxState, call: Call) -> bool:
    params = call.params
    url = str(params.get("url") or "")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        state.drop_pending_updates()
    hook = state.webhook
    hook.url = url
    hook.secret_token = str(secret) if secret else None
    hook.allowed_updates = list(params.get("allowed_updates") or []) or None
    hook.max_connections = int(params.get("max_connections") or 40)
    hook.last_error_date = hook.last_error_message = None
    if url:
        state.route_queued_to_webhook()
    return True


def _delete_webhook(state: SandboxState, call: Call) -> bool:
    state.webhook.url = ""
    state.webhook.secret_token = None
    if call.params.get("drop_pending_updates"):
        state.drop_pending_updates()
    return True


def _webhook_info(state: SandboxState, call: Call) -> dict[str, Any]:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": state.pending_updates(),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


def _true(state: SandboxState, call: Call) -> bool:
    return True


HANDLERS = {
    "getMe": _get_me,
    "getChat": _get_chat,
    "getChatMember": _get_chat_member,
    "getChatAdministrators": _get_admins,
    "getChatMemberCount": _member_count,
    "getChatMembersCount": _member_count,
    "setMyCommands": _set_commands,
    "getMyCommands": _get_commands,
    "deleteMyCommands": _delete_commands,
    "setChatMenuButton": _set_menu_button,
    "getChatMenuButton": _get_menu_button,
    "getFile": _get_file,
    "leaveChat": _leave_chat,
    "sendChatAction": _chat_action,
    "answerCallbackQuery": _answer("callback_query"),
    "answerInlineQuery": _answer("inline_query"),
    "setWebhook": _set_webhook,
    "deleteWebhook": _delete_webhook,
    "getWebhookInfo": _webhook_info,
    "logOut": _true,
    "close": _true,
}
