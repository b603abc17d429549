"""Message methods: send*, copy/forward, edit*, delete and pin.

Every handler takes ``(state, call)``, reads ``call.params`` and returns the ``result``
(or raises :class:`~sandbox.errors.ApiError`).  Created messages are stored in their
chat and listed in ``call.messages``; edits replace the stored dict with a new one, so the
dicts already handed out keep showing what was originally sent.
"""

from __future__ import annotations

import time
from typing import Any

from .builders import SandboxState
from .calls import Call
from .errors import NOT_MODIFIED, bad_request
from .markup import parse_text, utf16_len
from .parsing import Upload
from .state import ChatInfo, FileRecord

__all__ = ["HANDLERS"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "sticker",
    "video",
    "audio",
    "voice",
    "animation",
    "location",
    "contact",
    "poll",
)
_MEDIA_KEYS = ("photo", "document", "video", "audio", "voice", "animation", "sticker")
# Fields the Bot API requires on each media object, with plausible values.
_MEDIA_EXTRA: dict[str, dict[str, Any]] = {
    "video": {"width": 1280, "height": 720, "duration": 10},
    "animation": {"width": 480, "height": 360, "duration": 3},
    "audio": {"duration": 60},
    "voice": {"duration": 5},
    "sticker": {
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    },
}


def _text(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request("message text is empty")
    text, entities = parse_text(raw, params.get("parse_mode"), params.get("entities"))
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return content


def _caption(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("caption")
    if not isinstance(raw, str) or not raw:
        return {}
    caption, entities = parse_text(raw, params.get("parse_mode"), params.get("caption_entities"))
    if utf16_len(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {"caption": caption}
    if entities:
        content["caption_entities"] = entities
    return content


def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            if len(button) < 2:
                raise bad_request("text buttons are unallowed in the inline keyboard")
    return markup


def _new_message(
    state: SandboxState, chat: ChatInfo, params: dict[str, Any], content: dict[str, Any]
) -> dict[str, Any]:
    reply_to = params.get("reply_parameters") or {}
    reply_id = reply_to.get("message_id") or params.get("reply_to_message_id")
    markup = _inline_markup(params)
    message: dict[str, Any] = {
        "message_id": 0,
        "from": state.bot_from,
        "chat": chat.obj,
        "date": int(time.time()),
    }
    if reply_id:
        original = chat.messages.get(int(reply_id))
        if original is not None:
            message["reply_to_message"] = original
        elif not (
            reply_to.get("allow_sending_without_reply")
            or params.get("allow_sending_without_reply")
        ):
            raise bad_request("message to be replied not found")
    message.update(content)
    if markup is not None:
        message["reply_markup"] = markup
    message["message_id"] = message_id = chat.next_message_id()
    chat.messages[message_id] = message
    return message


def _file(state: SandboxState, value: Any, kind: str) -> FileRecord:
    if isinstance(value, Upload):
        state.stats["uploads"] += 1
        record = state.store_file(value.data, kind, value.filename, value.content_type)
    elif isinstance(value, str) and value in state.files:
        state.stats["file_id_resends"] += 1
        record = state.files[value]
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        record = state.store_file(b"", kind, value.rsplit("/", 1)[-1] or None, url=value)
    elif value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    record.sends += 1
    return record


def _media_content(record: FileRecord, kind: str) -> dict[str, Any]:
    base = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
    }
    if kind == "photo":
        return {"photo": [{**base, "width": 1280, "height": 960}]}
    base.update(_MEDIA_EXTRA.get(kind, ()))
    if record.filename and kind != "sticker":
        base["file_name"] = record.filename
    if record.mime_type:
        base["mime_type"] = record.mime_type
    return {kind: base}


def _send_text(state: SandboxState, call: Call) -> dict[str, Any]:
    chat = state.resolve_chat(call.params.get("chat_id"))
    message = _new_message(state, chat, call.params, _text(call.params))
    call.messages = [message]
    return message


def _sender(kind: str) -> Any:
    def send(state: SandboxState, call: Call) -> dict[str, Any]:
        params = call.params
        chat = state.resolve_chat(params.get("chat_id"))
        caption = _caption(params)
        record = _file(state, params.get(kind), kind)
        message = _new_message(state, chat, params, {**_media_content(record, kind), **caption})
        call.messages = [message]
        return message

    send.__name__ = f"send_{kind}"
    return send


def _send_media_group(state: SandboxState, call: Call) -> list[dict[str, Any]]:
    params = call.params
    chat = state.resolve_chat(params.get("chat_id"))
    media = params.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the media group: must be 2-10")
    contents = []
    for item in media:
        kind = item.get("type", "photo")
        contents.append(
            {**_media_content(_file(state, item.get("media"), kind), kind), **_caption(item)}
        )
    group_id = f"{chat.id & 0xFFFFFF}{chat.last_message_id + 1:08d}"
    messages = []
    for content in contents:
        content["media_group_id"] = group_id
        messages.append(_new_message(state, chat, params, content))
    call.messages = messages
    return messages


def _source(state: SandboxState, params: dict[str, Any], verb: str) -> dict[str, Any]:
    source_chat = state.resolve_chat(params.get("from_chat_id"), check_blocked=False)
    message = source_chat.messages.get(int(params.get("message_id") or 0))
    if message is None:
        raise bad_request(f"message to {verb} not found")
    return message


def _copy_message(state: SandboxState, call: Call) -> dict[str, Any]:
    params = call.params
    source = _source(state, params, "copy")
    chat = state.resolve_chat(params.get("chat_id"))
    content = {key: source[key] for key in _CONTENT_KEYS if key in source}
    if "caption" in params and any(key in content for key in _MEDIA_KEYS):
        content.pop("caption_entities", None)
        content.pop("caption", None)
        content.update(_caption(params))
    message = _new_message(state, chat, params, content)
    call.messages = [message]
    return {"message_id": message["message_id"]}


def _forward_message(state: SandboxState, call: Call) -> dict[str, Any]:
    params = call.params
    source = _source(state, params, "forward")
    chat = state.resolve_chat(params.get("chat_id"))
    content = {key: source[key] for key in _CONTENT_KEYS if key in source}
    origin = source.get("forward_origin") or {
        "type": "user",
        "date": source["date"],
        "sender_user": source.get("from", state.bot_from),
    }
    content["forward_origin"] = origin
    message = _new_message(state, chat, {}, content)
    call.messages = [message]
    return message


def _target(state: SandboxState, params: dict[str, Any]) -> tuple[ChatInfo, dict[str, Any]]:
    chat = state.resolve_chat(params.get("chat_id"))
    message = chat.messages.get(int(params.get("message_id") or 0))
    if message is None:
        raise bad_request("message to edit not found")
    if message.get("from", {}).get("id") != state.bot_user["id"]:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    chat: ChatInfo, old: dict[str, Any], changes: dict[str, Any], drop: tuple[str, ...]
) -> dict[str, Any]:
    new = {key: value for key, value in old.items() if key not in drop}
    new.update(changes)
    unchanged = all(new.get(k) == old.get(k) for k in ("text", "entities", "reply_markup")) and (
        all(new.get(k) == old.get(k) for k in ("caption", "caption_entities"))
    )
    if unchanged:
        raise bad_request(NOT_MODIFIED)
    new["edit_date"] = int(time.time())
    chat.messages[old["message_id"]] = new
    return new


def _edit_text(state: SandboxState, call: Call) -> dict[str, Any] | bool:
    params = call.params
    content = _text(params)
    markup = _inline_markup(params)
    if params.get("inline_message_id"):
        return True
    chat, old = _target(state, params)
    if "text" not in old:
        raise bad_request("there is no text in the message to edit")
    if markup is not None:
        content["reply_markup"] = markup
    return _apply_edit(chat, old, content, ("text", "entities", "reply_markup"))


def _edit_caption(state: SandboxState, call: Call) -> dict[str, Any] | bool:
    params = call.params
    content = _caption(params)
    markup = _inline_markup(params)
    if params.get("inline_message_id"):
        return True
    chat, old = _target(state, params)
    if not any(key in old for key in _MEDIA_KEYS):
        raise bad_request("there is no caption in the message to edit")
    if markup is not None:
        content["reply_markup"] = markup
    return _apply_edit(chat, old, content, ("caption", "caption_entities", "reply_markup"))


def _edit_markup(state: SandboxState, call: Call) -> dict[str, Any] | bool:
    params = call.params
    markup = _inline_markup(params)
    if params.get("inline_message_id"):
        return True
    chat, old = _target(state, params)
    return _apply_edit(chat, old, {"reply_markup": markup} if markup else {}, ("reply_markup",))


def _delete_message(state: SandboxState, call: Call) -> bool:
    chat = state.resolve_chat(call.params.get("chat_id"))
    if chat.messages.pop(int(call.params.get("message_id") or 0), None) is None:
        raise bad_request("message to delete not found")
    return True


def _delete_messages(state: SandboxState, call: Call) -> bool:
    chat = state.resolve_chat(call.params.get("chat_id"))
    for message_id in call.params.get("message_ids") or []:
        chat.messages.pop(int(message_id), None)
    return True


def _pin_rights(state: SandboxState, params: dict[str, Any]) -> ChatInfo:
    chat = state.resolve_chat(params.get("chat_id"))
    if chat.type != "private" and not chat.bot_can_pin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    return chat


def _pin(state: SandboxState, call: Call) -> bool:
    chat = _pin_rights(state, call.params)
    message_id = int(call.params.get("message_id") or 0)
    if message_id not in chat.messages:
        raise bad_request("message to pin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    return True


def _unpin(state: SandboxState, call: Call) -> bool:
    chat = _pin_rights(state, call.params)
    message_id = call.params.get("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
    elif int(message_id) in chat.pinned:
        chat.pinned.remove(int(message_id))
    return True


def _unpin_all(state: SandboxState, call: Call) -> bool:
    _pin_rights(state, call.params).pinned.clear()
    return True


HANDLERS = {
    "sendMessage": _send_text,
    "sendPhoto": _sender("photo"),
    "sendDocument": _sender("document"),
    "sendVideo": _sender("video"),
    "sendAudio": _sender("audio"),
    "sendVoice": _sender("voice"),
    "sendAnimation": _sender("animation"),
    "sendSticker": _sender("sticker"),
    "sendMediaGroup": _send_media_group,
    "copyMessage": _copy_message,
    "forwardMessage": _forward_message,
    "editMessageText": _edit_text,
    "editMessageCaption": _edit_caption,
    "editMessageReplyMarkup": _edit_markup,
    "deleteMessage": _delete_message,
    "deleteMessages": _delete_messages,
    "pinChatMessage": _pin,
    "unpinChatMessage": _unpin,
    "unpinAllChatMessages": _unpin_all,
}
