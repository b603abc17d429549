"""Counting a lookup from Telegram: the ward it counts for, then one row in the buffer."""

from __future__ import annotations

from aiogram.types import Chat
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.procedures.lookups import LookupLog, lookup_ward
from models import Resident


async def count_lookup(
    log: LookupLog,
    source: str,
    code: str | None,
    *,
    session: AsyncSession,
    resident: Resident | None,
    chat: Chat | None,
) -> None:
    """The resident is already loaded for this update: a registered one costs no query."""
    household = resident.household if resident is not None else None
    group_chat = chat.id if chat is not None and chat.type != "private" else None
    ward_id = await lookup_ward(
        session, household.ward_id if household is not None else None, group_chat
    )
    log.note(source, code, ward_id)
