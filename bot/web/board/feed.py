"""The board as an Atom feed (RFC 4287), built with ElementTree so it is always well-formed.

Ids are stable: they name the ward and the notice by their database ids (not by the ward's
name, which may be corrected), under the site's public address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from bot.services.notices.board import BoardNotice

ATOM = "http://www.w3.org/2005/Atom"
TITLE_CHARS = 90


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def title_of(text: str) -> str:
    """The notice's first line, cut at a word near 90 characters."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_CHARS:
        return first
    return first[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def atom(
    *,
    feed_id: str,
    title: str,
    page_url: str,
    self_url: str,
    notices: Sequence[BoardNotice],
    entry_url: Callable[[int], str],
    entry_title: Callable[[BoardNotice], str],
    fallback_updated: datetime,
    lang: str,
) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    updated = max((n.updated_at for n in notices), default=fallback_updated)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    for n in notices:
        entry = sub(feed, "entry")
        url = entry_url(n.id)
        sub(entry, "id", url)
        sub(entry, "title", entry_title(n))
        sub(entry, "published", _iso(n.published_at))
        sub(entry, "updated", _iso(n.updated_at))
        sub(entry, "author").append(_name(n.issuer or title))
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "content", n.text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _name(text: str) -> ET.Element:
    el = ET.Element(f"{{{ATOM}}}name")
    el.text = text
    return el
