"""Text helpers for Telegram HTML messages, shared by handlers and the workers."""

from __future__ import annotations

import html

TEXT_LIMIT = 4096  # Telegram's limit for one message


def esc(value: object) -> str:
    """Escape a value for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long text where a person would: at a blank line, a line end, else a space."""
    parts = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > limit // 2 else text.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text]
