"""What a notice looks like in Telegram: header, marks, and parts within Telegram's limits.

Texts over 4096 characters are split where a person would (paragraphs, then lines, then
sentences, then words); a caption over 1024 keeps what fits and the rest follows as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Protocol

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
ISSUER_DASH = "—"  # between the header and the issuer's name


@dataclass(frozen=True)
class Part:
    html: str
    kind: str = "text"  # text | photo | document (the first part carries the media)


@dataclass(frozen=True)
class Marks:
    """Catalog texts for the notice's language (filled by the caller)."""

    header: str  # e.g. "📢 THÔNG BÁO" / "🔴 KHẨN CẤP"
    correction: str  # "✏️ ĐÍNH CHÍNH"
    cancelled: str  # "❌ ĐÃ HỦY"
    continued: str  # "(tiếp)"
    ack: str = "✅ Đã nhận"  # the acknowledgement button
    attend: str = "🙋 Tôi sẽ tham gia"  # under an event


class Texts(Protocol):
    """The caller's text catalog (bot.texts.Catalog fits): broadcasts only looks texts up."""

    def text(self, key: str, lang: str | None = None, **params: Any) -> str: ...


def tg_len(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _pieces(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit`, at the most natural boundary."""
    if tg_len(text) <= limit:
        return [text]
    for sep, splitter in (("\n\n", None), ("\n", None), (" ", _SENTENCE_END), (" ", None)):
        units = splitter.split(text) if splitter else text.split(sep)
        if len(units) < 2:
            continue
        out: list[str] = []
        cur = ""
        for unit in units:
            candidate = f"{cur}{sep}{unit}" if cur else unit
            if tg_len(candidate) <= limit:
                cur = candidate
                continue
            if cur:
                out.append(cur)
            if tg_len(unit) > limit:
                out.extend(_pieces(unit, limit))
                cur = ""
            else:
                cur = unit
        if cur:
            out.append(cur)
        return out
    # One unbroken run longer than the limit: cut it.
    step = limit // 2  # safe for any mix of 1- and 2-unit characters
    return [text[i : i + step] for i in range(0, len(text), step)]


def header(marks: Marks, issuer: str | None) -> str:
    """ "📢 THÔNG BÁO — Ủy ban nhân dân Phường Sông Cầu": the kind of notice and who speaks."""
    return f"{marks.header} {ISSUER_DASH} {issuer}" if issuer else marks.header


def render(
    text: str,
    marks: Marks,
    *,
    media: str | None = None,
    mark: str | None = None,
    issuer: str | None = None,
) -> list[Part]:
    """Parts for one notice version. `mark` is None, "correction" or "cancelled"."""
    head = header(marks, issuer)
    if mark == "correction":
        head = f"{marks.correction}\n{head}"
    elif mark == "cancelled":
        head = f"{marks.cancelled}\n{head}"
    head_html = f"<b>{html.escape(head)}</b>\n\n"
    budget_first = (CAPTION_LIMIT if media else TEXT_LIMIT) - tg_len(head) - 2
    body = text.strip()
    first, *rest = _pieces(body, budget_first)
    remainder = "\n\n".join(rest)
    parts = [Part(head_html + _html(first, mark), kind=media or "text")]
    if remainder:
        cont = f"<i>{html.escape(marks.continued)}</i>\n"
        for piece in _pieces(remainder, TEXT_LIMIT - tg_len(marks.continued) - 1):
            parts.append(Part(cont + _html(piece, mark)))
    return parts


def _html(text: str, mark: str | None) -> str:
    escaped = html.escape(text, quote=False)
    return f"<s>{escaped}</s>" if mark == "cancelled" else escaped
