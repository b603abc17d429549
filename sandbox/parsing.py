"""Request parameter parsing: query string, urlencoded and multipart forms, JSON bodies.

aiogram sends every field as a string (numbers and booleans JSON-encoded, nested objects
as JSON text) and uploads as ``attach://<key>`` references to file parts; this module
turns all of that back into plain Python values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, MultipartReader, web

__all__ = ["Upload", "coerce_params", "read_multipart", "read_params"]

# Fields that are always text, never JSON-decoded (a text of "123" stays a string).
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "data",
        "url",
        "secret_token",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "file_id",
        "parse_mode",
        "title",
        "description",
        "first_name",
        "last_name",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "language_code",
        "action",
        "emoji",
        "question",
        "address",
        "name",
    }
)
_LITERALS = {"true": True, "false": False, "null": None}
# Object fields a JSON body may still carry as JSON-serialized strings.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "results",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "message_ids",
    }
)


@dataclass(slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def _decode(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS or not value:
        return value
    first = value[0]
    if first in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if first == "-" or first.isdigit():
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if value in _LITERALS:
        return _LITERALS[value]
    return value


def _resolve_attach(value: Any, uploads: dict[str, Upload], used: set[str]) -> Any:
    if isinstance(value, str):
        if value.startswith("attach://") and value[9:] in uploads:
            used.add(value[9:])
            return uploads[value[9:]]
        return value
    if isinstance(value, list):
        return [_resolve_attach(item, uploads, used) for item in value]
    if isinstance(value, dict):
        return {k: _resolve_attach(v, uploads, used) for k, v in value.items()}
    return value


def coerce_params(
    fields: dict[str, str], uploads: dict[str, Upload] | None = None
) -> dict[str, Any]:
    """Decode string form fields and resolve ``attach://`` references to uploads."""
    params: dict[str, Any] = {key: _decode(key, value) for key, value in fields.items()}
    if uploads:
        used: set[str] = set()
        for key, value in params.items():
            params[key] = _resolve_attach(value, uploads, used)
        for name, upload in uploads.items():
            if name not in used and name not in params:
                params[name] = upload  # plain file field (e.g. photo=<file>)
    return params


async def read_multipart(reader: MultipartReader) -> tuple[dict[str, str], dict[str, Upload]]:
    """Split a multipart body into text fields and file uploads."""
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        data = await part.read(decode=True)
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads[name] = Upload(part.filename, content_type, bytes(data))
        else:
            fields[name] = data.decode(part.get_charset("utf-8"))
    return fields, uploads


async def read_params(request: web.Request) -> dict[str, Any]:
    """Collect the parameters of an API request from the query string and the body."""
    fields: dict[str, str] = dict(request.query) if request.query_string else {}
    uploads: dict[str, Upload] = {}
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params = coerce_params(fields)
                for key, value in body.items():
                    if key in _JSON_FIELDS and isinstance(value, str):
                        value = _decode(key, value)
                    params[key] = value
                return params
        elif content_type.startswith("multipart/"):
            more, uploads = await read_multipart(await request.multipart())
            fields.update(more)
        elif content_type == "application/x-www-form-urlencoded":
            body = (await request.read()).decode(request.charset or "utf-8")
            fields.update(parse_qsl(body, keep_blank_values=True))
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    fields[key] = value
                elif isinstance(value, web.FileField):
                    uploads[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    fields[key] = bytes(value).decode("utf-8", "replace")
    return coerce_params(fields, uploads)
