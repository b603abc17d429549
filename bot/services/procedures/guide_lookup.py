"""A hook the questions feature calls to suggest a procedure guide before opening a ticket.

It asks the guides' search (`bot.services.procedures.core`) and returns plain values only, so the
questions feature does not depend on the guides' models. Nothing is recorded as a search gap:
an unanswered question becomes a ticket, which officials see anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid
from bot.services.procedures import core as procedures
from bot.services.procedures.guides import pick
from bot.services.procedures.search_index import GOOD_SCORE
from bot.services.procedures.search_text import MAX_QUERY


@dataclass(frozen=True)
class GuideHint:
    code: str
    title: str  # in the asker's language
    score: float  # 0..1, higher is better
    field: str  # e.g. "ho_tich"


async def suggest_guides(
    session: AsyncSession, text: str, *, language: str = "vi", limit: int = 3
) -> list[GuideHint]:
    """Best matching procedure guides for free text, best first (empty when none is good)."""
    try:
        result = await procedures.search(session, text[:MAX_QUERY], limit=limit, record=False)
    except Invalid:  # empty text
        return []
    return [
        GuideHint(h.guide.code, pick(h.guide, "title", language), h.score, h.guide.field)
        for h in result.hits
        if h.score >= GOOD_SCORE
    ]
