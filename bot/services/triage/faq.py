"""Frequently asked questions: answers the team chose to reuse, matched by shared words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.units import fold
from models import Direction, FaqEntry, Ticket, TicketMessage

# Words that say nothing about the topic (folded: no diacritics).
STOPWORDS = frozenset(
    """toi ban minh em anh chi co khong la va cua cho voi thi ma nay do de duoc bi o tai
    nhu the nao gi sao vay a oi nhe a ah u la lam can muon hoi xin cam on giup va hay
    phai se da dang roi nhung cac mot nhieu ve tu den khi neu vi nen the i the
    how what do i the a to is of for my can in on and with""".split()
)
MIN_SCORE = 0.5
MIN_SHARED = 2
MAX_KEYWORDS = 12


@dataclass(frozen=True)
class FaqHint:
    id: int
    question: str
    answer: str
    score: float


def words(text: str) -> set[str]:
    """The telling words of a text, folded (so "khai sinh" matches "khai sinh")."""
    return {w for w in re.findall(r"\w+", fold(text)) if len(w) > 1 and w not in STOPWORDS}


async def match(session: AsyncSession, ward_id: int, text: str) -> FaqHint | None:
    """The FAQ entry of the ward sharing most telling words with `text`, if close enough."""
    asked = words(text)
    if len(asked) < MIN_SHARED:
        return None
    best: FaqHint | None = None
    for entry in await session.scalars(select(FaqEntry).where(FaqEntry.ward_id == ward_id)):
        keys = set(entry.keywords.split())
        shared = len(keys & asked)
        if shared < MIN_SHARED:
            continue
        score = shared / (len(keys) * len(asked)) ** 0.5  # cosine of word sets
        if score >= MIN_SCORE and (best is None or score > best.score):
            best = FaqHint(entry.id, entry.question, entry.answer, round(score, 3))
    return best


MAX_QUESTION = 300
MAX_ANSWER = 2000


async def answer_of(session: AsyncSession, ticket_id: int) -> tuple[Ticket, str]:
    """The ticket and its latest written answer, which an FAQ entry starts from."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket.not_found", number=ticket_id)
    answer = await session.scalar(
        select(TicketMessage.text)
        .where(
            TicketMessage.ticket_id == ticket_id,
            TicketMessage.direction == Direction.OUT,
            TicketMessage.text != "",
        )
        .order_by(TicketMessage.id.desc())
        .limit(1)
    )
    if not answer:
        raise Invalid("faq.needs_answer", number=ticket_id)
    return ticket, answer


def check_question(question: str) -> str:
    question = " ".join(question.split())
    if not question or len(question) > MAX_QUESTION:
        raise Invalid("faq.question_invalid", limit=MAX_QUESTION)
    return question


async def create_from_ticket(
    session: AsyncSession, ticket_id: int, actor_id: int, question: str, answer: str | None = None
) -> FaqEntry:
    """An FAQ entry from a question and an answer a team member wrote in general words (the
    answer given to the resident, when they say it already is): the resident's own message
    and an answer addressed to them (names, phone numbers) are never shown to others.
    Audited, commits."""
    question = check_question(question)
    ticket, given = await answer_of(session, ticket_id)
    answer = given if answer is None else answer.strip()
    if not answer or len(answer) > MAX_ANSWER:
        raise Invalid("faq.answer_invalid", limit=MAX_ANSWER)
    keys = sorted(words(question), key=len, reverse=True)[:MAX_KEYWORDS]
    entry = FaqEntry(
        ward_id=ticket.ward_id,
        question=question,
        answer=answer,
        keywords=" ".join(sorted(keys))[:400],
        source_ticket_id=ticket_id,
        created_by=actor_id,
    )
    session.add(entry)
    await session.flush()
    audit.record(session, "faq.created", actor_id=actor_id, target=f"faq:{entry.id}")
    await session.commit()
    return entry
