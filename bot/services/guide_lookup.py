"""A hook the questions feature calls to suggest a procedure guide before opening a ticket.

The procedure-guides feature replaces this body with its real search; until then it suggests
nothing. Plain values only, so the questions feature does not depend on the guides' models.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


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
    return []
