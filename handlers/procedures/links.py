"""`/start p-<code>[-<place>]`: a QR code or link opens a guide directly.

Included before `start`, whose /start handler would otherwise take every deep link. The place
tag says where the printed code hangs (counter, cultural house, group board); scans are
counted by place, never by person.
"""

from __future__ import annotations

import logging

from aiogram import F
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import Invalid, NotFound
from bot.services.procedures import core as procedures
from bot.services.procedures.lookups import LookupLog
from handlers.common import error_text
from handlers.procedures.cards import send_card
from handlers.procedures.counted import count_lookup
from handlers.registry import RouterBlueprint
from models import Resident

logger = logging.getLogger(__name__)
router = RouterBlueprint("procedure_links")
router.message.filter(F.chat.type == "private")


@router.message(CommandStart(deep_link=True, magic=F.args.startswith("p-")))
async def cmd_start_guide(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    lookup_log: LookupLog,
    resident: Resident | None,
) -> None:
    code, place = procedures.parse_payload(command.args or "")
    try:
        try:
            guide = await procedures.record_scan(session, code, place)
        except Invalid:  # a mistyped place tag must not hide the guide
            logger.info("deep link with a bad place tag for %s", code)
            guide = await procedures.record_scan(session, code, None)
    except NotFound as err:
        await message.answer(error_text(err))
        return
    await count_lookup(lookup_log, "qr", guide.code, session=session, resident=resident, chat=None)
    await send_card(message, guide, 0, settings.public_url)
