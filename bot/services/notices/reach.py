"""Whether a press under a notice may count: "Đã nhận" and "Tôi sẽ tham gia" count only for a
live notice that was delivered to the presser's own chat (their group's chat or their private
chat), pressed from one of those chats. A forged or foreign notice id counts nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, ScalarSelect, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid, NotFound
from models import (
    Delivery,
    DeliveryOp,
    DeliveryStatus,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    ResidentialGroup,
    utcnow,
)

PREVIEW_ID = 0  # the composer's preview carries the buttons with this id: presses count nothing
LIVE = (NoticeStatus.QUEUED, NoticeStatus.DONE)


async def live_notice(session: AsyncSession, notice_id: int) -> Notice:
    """The notice behind a press, if it is still out there (not withdrawn, cancelled, expired,
    nor waiting for approval)."""
    if notice_id == PREVIEW_ID:
        raise Invalid("notice.preview_press")
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    if notice.status not in LIVE or (notice.expires_at and notice.expires_at <= utcnow()):
        raise Invalid("ack.not_live")
    return notice


@dataclass(frozen=True)
class AckTarget:
    household_id: int
    address: str


async def ack_target(
    session: AsyncSession, notice_id: int, resident: Resident | None, chat_id: int
) -> AckTarget:
    """The household a "Đã nhận" press by `resident` (loaded for this update with its
    household and group, see residents.get_resident) counts for, after the checks of
    `live_notice` and `check_delivered`, in one read (presses come in storms after an urgent
    notice)."""
    if notice_id == PREVIEW_ID:
        raise Invalid("notice.preview_press")
    registered = resident is not None and resident.consent_at is not None
    household = resident.household if registered and resident else None
    chats = {resident.telegram_id} if resident is not None else set()
    if household is not None and household.group.chat_id is not None:
        chats.add(household.group.chat_id)
    params = {"notice_id": notice_id, "chats": list(chats)}
    row = (await session.execute(_PRESSED, params)).first()
    if row is None:
        raise NotFound("notice.not_found", id=notice_id)
    status, expires_at, delivered = row
    if status not in LIVE or (expires_at and expires_at <= utcnow()):
        raise Invalid("ack.not_live")
    if household is None:
        raise NotFound("ack.not_registered")
    if chat_id not in chats or delivered is None:
        raise Invalid("ack.not_delivered")
    return AckTarget(household.id, f"{household.house_number} {household.street}".strip())


async def own_chats(
    session: AsyncSession, resident: Resident | None, telegram_id: int
) -> set[int]:
    """The chats that are this person's: their private chat and their group's chat."""
    chats = {telegram_id}
    if resident is not None and resident.household_id is not None:
        group_chat = await session.scalar(
            select(ResidentialGroup.chat_id)
            .join(Household, Household.group_id == ResidentialGroup.id)
            .where(Household.id == resident.household_id)
        )
        if group_chat is not None:
            chats.add(group_chat)
    return chats


async def check_delivered(
    session: AsyncSession, notice_id: int, chat_id: int, chats: set[int]
) -> None:
    """The press came from one of `chats`, and the notice (or one of its reminders) was
    delivered to one of them."""
    if chat_id not in chats:
        raise Invalid("ack.not_delivered")
    params = {"notice_id": notice_id, "chats": list(chats)}
    if await session.scalar(_DELIVERED_ALONE, params) is None:
        raise Invalid("ack.not_delivered")


def _delivered() -> ScalarSelect[int]:
    """A delivery of the notice (or one of its reminders) to one of `chats`, if any (bound
    parameters: built once, as these run for every press)."""
    notice_id: BindParameter[int] = bindparam("notice_id")
    family = select(Notice.id).where((Notice.id == notice_id) | (Notice.parent_id == notice_id))
    return (
        select(Delivery.id)
        .where(
            Delivery.notice_id.in_(family),
            Delivery.chat_id.in_(bindparam("chats", expanding=True)),
            or_(
                Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.UNKNOWN)),
                Delivery.op != DeliveryOp.SEND,  # a delivered copy being edited now
            ),
        )
        .limit(1)
        .scalar_subquery()
    )


_DELIVERED = _delivered()
_DELIVERED_ALONE = select(_DELIVERED)
_PRESSED = select(Notice.status, Notice.expires_at, _DELIVERED).where(
    Notice.id == bindparam("notice_id")
)
