"""Text helpers for Telegram HTML messages, shared by handlers and the workers."""

from __future__ import annotations

import html

TEXT_LIMIT = 4096  # Telegram's limit for one message


def esc(value: object) -> str:
    """Escape a value for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long text where a person would: at a blank line, a line end, else a space. An
    unbroken run is cut at the limit, but never inside an HTML entity ("&amp;"); whitespace at
    a cut is dropped, and so is a part it would leave empty."""
    parts = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > limit // 2 else text.rfind(" ", 0, limit)
        if cut <= 0:
            amp = text.rfind("&", max(1, limit - 10), limit)  # entities are at most 10 long
            cut = amp if amp > 0 and ";" not in text[amp:limit] else limit
        if head := text[:cut].rstrip():
            parts.append(head)
        text = text[cut:].lstrip()
    return [*parts, text] if text or not parts else parts
