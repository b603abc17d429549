"""Steps shared by the question routers: open a ticket and route it, relay a follow-up."""

from __future__ import annotations

import logging

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.services.triage import routing as ticket_routing
from bot.services.triage import tickets
from bot.services.triage.tickets import Asker, FollowUp
from handlers.common import esc
from handlers.triage import relay
from handlers.triage.context import Triage
from models import Ticket, TicketCategory

logger = logging.getLogger(__name__)


def photo_ids(message: Message) -> list[str]:
    """The largest size of the message's photo (Telegram sends several sizes)."""
    return [message.photo[-1].file_id] if message.photo else []


async def submit(
    t: Triage, asker: Asker, text: str, photos: list[str], *, code: str | None = None
) -> Ticket:
    """Open the ticket, put it in the staff group, alert officials at once if an emergency."""
    bot, session, settings, i18n = t.bot, t.session, t.settings, t.i18n
    guide = None if code else await ticket_routing.best_guide(session, text, asker.language)
    category, guessed = ticket_routing.categorise(text, guide)
    if code and category is TicketCategory.OTHER:
        category = TicketCategory.PROCEDURE
    ticket = await tickets.open_ticket(
        session,
        asker,
        text,
        photos,
        category,
        t.policy,
        procedure_code=code or guessed,
    )
    logger.info("ticket %s opened (%s)", ticket.id, category.value)
    await relay.post_card(bot, session, ticket, settings, i18n)
    if category is TicketCategory.EMERGENCY:
        with i18n.use_locale(settings.language):
            headline = _("emergency.alert").format(number=ticket.id)
        await relay.alert_officials(bot, session, ticket, headline, settings, i18n)
    return ticket


async def relay_follow_up(t: Triage, follow: FollowUp, text: str, photos: list[str]) -> None:
    """Show the resident's new message to the team, under the ticket's card."""
    ticket = follow.ticket
    with t.i18n.use_locale(t.settings.language):
        key = _("follow_up.reopened") if follow.reopened else _("follow_up.staff")
        body = key.format(number=ticket.id, text=esc(text) or "📷")
    await relay.to_staff(t.bot, t.session, ticket, body, photos=photos)
    await relay.refresh_card(t.bot, t.session, ticket, t.settings, t.i18n)
