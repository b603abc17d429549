"""Telegram ``parse_mode=HTML`` parsing: plain text + entities (UTF-16 offsets).

Only the tags Telegram accepts are allowed; anything else gives the same
``Bad Request: can't parse entities: ...`` reply the real server gives, which catches
unescaped user text in bot replies.  ``Markdown``/``MarkdownV2`` text is passed through.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import ApiError, bad_request

__all__ = ["parse_text", "utf16_len"]

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)"
    r"\s*/?>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for offsets and limits)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _error(text: str) -> ApiError:
    return bad_request(f"can't parse entities: {text}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, dict[str, Any]]] = []
    pos = 0
    while True:
        lt = source.find("<", pos)
        chunk = source[pos:] if lt < 0 else source[pos:lt]
        if chunk:
            piece = html.unescape(chunk)
            out.append(piece)
            length += utf16_len(piece)
        if lt < 0:
            break
        match = _TAG.match(source, lt)
        if match is None:
            raise _error(f"Unexpected end of name token at byte offset {_byte_offset(source, lt)}")
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            if not stack or stack[-1][0] != name:
                expected = f'"</{stack[-1][0]}>"' if stack else "nothing"
                raise _error(
                    f"Unmatched end tag at byte offset {_byte_offset(source, lt)}, "
                    f'expected {expected}, found "</{name}>"'
                )
            _, entity = stack.pop()
            entity["length"] = length - entity["offset"]
            if entity["length"] > 0 and entity["type"]:
                entities.append(entity)
        else:
            kind = _SIMPLE.get(name)
            if kind is None or (name == "span" and "tg-spoiler" not in attrs):
                raise _error(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, lt)}'
                )
            entity = {"type": kind, "offset": length}
            values = {
                m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                for m in _ATTR.finditer(attrs)
            }
            if name == "a":
                entity["url"] = html.unescape(values.get("href", ""))
            elif name == "code" and stack and stack[-1][0] == "pre":
                language = values.get("class", "").removeprefix("language-")
                if language:
                    stack[-1][1]["language"] = language
                entity["type"] = ""  # merged into the enclosing <pre>
            elif name == "blockquote" and "expandable" in values:
                entity["type"] = "expandable_blockquote"
            elif name == "tg-emoji":
                entity["custom_emoji_id"] = values.get("emoji-id", "")
            stack.append((name, entity))
        pos = match.end()
    if stack:
        raise _error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: e["offset"])
    return "".join(out), entities


def parse_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]] | None]:
    """Return ``(plain_text, entities)`` the way Telegram stores a formatted message."""
    if parse_mode and parse_mode.lower() == "html":
        plain, found = _parse_html(text)
        return plain, found or None
    return text, entities or None
