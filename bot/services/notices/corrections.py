"""Corrections: a notice that needed a second official needs one again for its new text.

- While it still waits for approval, the new text replaces the old and the review starts over
  (a new round: the cards already sent decide nothing and are voided).
- Once it is out, the new text waits beside it (pending_text) until a second official
  approves (approval.approve) or rejects it; the copies keep the approved text meanwhile.
- A notice that would not need approval if sent anew (a leader's notice to their own group,
  a notice to some groups only) is corrected at once, as before.
Each step is one conditional UPDATE, so a correction racing a decision has one outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid
from bot.services.directory.roles import Principal
from bot.services.notices import manage as notice_admin
from bot.services.notices.announcements import ward_groups
from bot.services.notices.approval import LIVE, lost, pending_notice
from broadcasts import outbox
from models import Notice, NoticeStatus, Urgency, rowcount


@dataclass
class Proposal:
    notice: Notice
    review: bool  # waits for a second official
    old_text: str
    old_cards: list[list[int]] = field(default_factory=list)  # to void
    progress: outbox.Progress | None = None  # corrected at once


async def needs_review(session: AsyncSession, notice: Notice) -> bool:
    """It went out on a second official's word (or break-glass), or it reaches what a new
    notice could reach only with one (every group, an emergency; a reminder or a notice
    queued from the CLI has no approval record of its own): so must its correction."""
    if (notice.status is NoticeStatus.PENDING_APPROVAL or notice.approved_by is not None
            or notice.parent_id is not None or notice.urgency is Urgency.EMERGENCY):  # fmt: skip
        return True
    aud = notice.audience or {}
    if aud.get("kind") != "groups":
        return True
    wanted = set(aud.get("group_ids") or [])  # none named: every group (broadcasts.audience)
    every = {g.id for g in await ward_groups(session, notice.ward_id)}
    return not wanted or not every or wanted >= every


async def propose(
    session: AsyncSession, notice_id: int, text: str, principal: Principal, name: str = ""
) -> Proposal:
    """Correct a notice, or put its correction up for approval; commits."""
    notice = await notice_admin.get(session, notice_id)
    if not notice_admin.may_manage(principal, notice):
        raise Forbidden("error.forbidden")
    text = notice_admin.check_correction(text)
    if notice.status not in (*LIVE, NoticeStatus.PENDING_APPROVAL):
        if notice.status is NoticeStatus.CANCELLED:
            raise Invalid("notice.already_cancelled")
        raise Invalid("manage.not_published", id=notice_id)
    if (notice.status is NoticeStatus.PENDING_APPROVAL
            and notice.created_by != principal.telegram_id):  # fmt: skip
        # Its author stays the proposer of the round: a text rewritten by someone else
        # could then be approved by that same person. They reject it with a reason instead.
        raise Forbidden("manage.pending_author_only", id=notice_id)
    old_text, old_cards, round_ = notice.text, list(notice.review_messages), notice.review_round
    if not await needs_review(session, notice):
        progress = await outbox.correct(session, notice_id, text, principal.telegram_id)
        return Proposal(notice, False, old_text, progress=progress)
    stmt = update(Notice).where(Notice.id == notice_id, Notice.review_round == round_)
    values = {"review_round": round_ + 1, "review_messages": []}
    if notice.status is NoticeStatus.PENDING_APPROVAL:
        stmt = stmt.where(Notice.status == NoticeStatus.PENDING_APPROVAL)
        values |= {"text": text, "version": Notice.version + 1}
        action = "notice.resubmitted"
    else:
        stmt = stmt.where(Notice.status.in_(LIVE))
        values |= {"pending_text": text, "pending_by": principal.telegram_id,
                   "pending_name": name[:160] or None}  # fmt: skip
        action = "notice.correction_proposed"
    result = await session.execute(
        stmt.values(**values).execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:  # decided, withdrawn or corrected by someone else meanwhile
        await session.rollback()
        raise lost(await pending_notice(session, notice_id))
    audit.record(session, action, actor_id=principal.telegram_id, target=f"notice:{notice_id}",
                 round=round_ + 1)  # fmt: skip
    await session.commit()
    return Proposal(await pending_notice(session, notice_id), True, old_text, old_cards)
