"""Procedure guides in Telegram: /thutuc browsing, free-text search, inline mode, /gaps, /scans.

Included last before `fallback`: free text in private chat that no conversation claimed (no
conversation state set) is a search here.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import UNIT_LABELS
from bot.services.directory.pseudonyms import pseudonym
from bot.services.directory.roles import Principal
from bot.services.directory.units import local_units
from bot.services.procedures import core as procedures
from bot.services.procedures.gaps import GapLimits
from bot.services.procedures.guides import FIELDS, pick
from bot.services.procedures.labels import field_label
from bot.services.procedures.lookups import LookupLog
from bot.services.procedures.search_text import MAX_QUERY
from handlers.common import bot_username, button_message, esc, refuse, sender
from handlers.procedures.cards import (
    GuideAction,
    GuideCb,
    card_text,
    field_page,
    fields_keyboard,
    guide_buttons,
    lang,
    send_card,
    shared_keyboard,
    split_message,
)
from handlers.procedures.counted import count_lookup
from handlers.registry import RouterBlueprint
from models import Resident, Role, utcnow

logger = logging.getLogger(__name__)
router = RouterBlueprint("procedures")

CLEAR_WINNER = 0.1  # a good answer this far ahead of the next is shown at once
CERTAIN = 0.97  # ... and so is one that matches a title or keyword all but exactly
INLINE_RESULTS = 10
OFFICIALS = (Role.WARD_ADMIN, Role.WARD_OFFICIAL, Role.TECH_TEAM)
REPORT_DAYS = 30


@router.message(Command("thutuc", "procedures"))
async def cmd_procedures(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    lookup_log: LookupLog,
    resident: Resident | None,
    event_chat: Chat | None,
) -> None:
    if command.args:  # "/thutuc khai sinh" searches at once
        counted = _Counted(lookup_log, session, resident, event_chat)
        await _search_reply(message, command.args, session, settings, counted)
        return
    await message.answer(
        _("guide.fields_title"),
        reply_markup=fields_keyboard(await procedures.field_counts(session)),
    )


@router.callback_query(GuideCb.filter(F.action == GuideAction.FIELDS))
async def cb_fields(query: CallbackQuery, session: AsyncSession) -> None:
    await button_message(query).edit_text(
        _("guide.fields_title"),
        reply_markup=fields_keyboard(await procedures.field_counts(session)),
    )
    await query.answer()


@router.callback_query(GuideCb.filter(F.action == GuideAction.FIELD))
async def cb_field(query: CallbackQuery, callback_data: GuideCb, session: AsyncSession) -> None:
    guides = await procedures.guides_in_field(session, callback_data.field)
    await button_message(query).edit_text(
        _("guide.field_title").format(field=field_label(_, callback_data.field)),
        reply_markup=field_page(guides, callback_data.field, callback_data.page),
    )
    await query.answer()


@router.callback_query(GuideCb.filter(F.action.in_({GuideAction.OPEN, GuideAction.CASE})))
async def cb_open(
    query: CallbackQuery,
    callback_data: GuideCb,
    session: AsyncSession,
    settings: Settings,
    lookup_log: LookupLog,
    resident: Resident | None,
    event_chat: Chat | None,
) -> None:
    guide = await procedures.get_guide(session, callback_data.code)
    if callback_data.action is GuideAction.OPEN:  # another case of the same card: not again
        await count_lookup(
            lookup_log, "card", guide.code, session=session, resident=resident, chat=event_chat
        )
    await send_card(
        button_message(query),
        guide,
        callback_data.case,
        settings.public_url,
        edit=True,
    )
    await query.answer()


class _Counted:
    """What a search needs to count itself (README "Indicators")."""

    def __init__(
        self, log: LookupLog, session: AsyncSession, resident: Resident | None, chat: Chat | None
    ) -> None:
        self.log, self.session, self.resident, self.chat = log, session, resident, chat

    async def __call__(self, source: str, code: str | None) -> None:
        await count_lookup(
            self.log, source, code, session=self.session, resident=self.resident, chat=self.chat
        )


async def _search_reply(
    message: Message, text: str, session: AsyncSession, settings: Settings, counted: _Counted
) -> None:
    result = await procedures.search(
        session,
        text,
        subject=pseudonym(settings.privacy_key, sender(message).id),
        limits=GapLimits.from_settings(settings),
    )
    hits = result.hits
    if not result.understood:  # "xin chào", "cảm ơn": not a search at all
        await message.answer(_("guide.not_a_search"))
        return
    await counted("search", hits[0].guide.code if result.good else None)
    shown = esc(result.query if len(result.query) <= 60 else result.query[:58] + "…")
    clear = len(hits) == 1 or (len(hits) > 1 and hits[0].score - hits[1].score >= CLEAR_WINNER)
    if result.good and (clear or hits[0].score >= CERTAIN):
        await send_card(message, hits[0].guide, 0, settings.public_url)
        return
    kb = InlineKeyboardBuilder()
    if result.good:
        guide_buttons([h.guide for h in hits], kb)
        text = _("guide.results").format(query=shown)
    else:
        guide_buttons([h.guide for h in hits[:3]], kb)
        text = _("guide.no_match").format(query=shown) + "\n\n"
        text += _("guide.maybe") if hits else _("guide.try_browse")
    kb.button(text=_("guide.back_fields"), callback_data=GuideCb(action=GuideAction.FIELDS))
    kb.adjust(1)
    await message.answer(text, reply_markup=kb.as_markup())


async def _allowed(message: Message, principal: Principal | None, action: str) -> bool:
    """Officials, the tech team and administrators only; checked on every command."""
    if principal is not None and principal.has(*OFFICIALS):
        return True
    await refuse(message, action)
    return False


async def _report(message: Message, title: str, lines: list[str], empty: str) -> None:
    for part in split_message("\n".join([title, *lines]) if lines else empty):
        await message.answer(part)


@router.message(Command("gaps"))
async def cmd_gaps(message: Message, principal: Principal | None, session: AsyncSession) -> None:
    if not await _allowed(message, principal, "gaps"):
        return
    gaps = await procedures.top_gaps(session, days=REPORT_DAYS)
    lines = [
        _("guide.gaps_line").format(n=n, query=esc(g.query), count=g.count)
        for n, g in enumerate(gaps, 1)
    ]
    await _report(
        message,
        _("guide.gaps_title").format(days=REPORT_DAYS),
        lines,
        _("guide.gaps_empty").format(days=REPORT_DAYS),
    )


@router.message(Command("stale"))
async def cmd_stale(message: Message, principal: Principal | None, session: AsyncSession) -> None:
    """Guides whose facts an official should check again (or has never checked)."""
    if not await _allowed(message, principal, "stale"):
        return
    stale, unverified = await procedures.to_check(session, utcnow().date())
    lines = [
        _("guide.stale_line").format(
            title=esc(pick(g, "title", lang())),
            date=g.verified_on.strftime("%d/%m/%Y") if g.verified_on else "",
        )
        for g in stale
    ]
    if unverified:
        lines.append(_("guide.unverified_count").format(count=len(unverified)))
    await _report(message, _("guide.stale_title"), lines, _("guide.stale_empty"))


@router.message(Command("scans"))
async def cmd_scans(message: Message, principal: Principal | None, session: AsyncSession) -> None:
    if not await _allowed(message, principal, "scans"):
        return
    counts = await procedures.scan_counts(session, days=REPORT_DAYS)
    index = await procedures.get_index(session)
    lines = []
    for c in counts[:40]:
        guide = index.by_code.get(c.code)
        title = pick(guide, "title", lang()) if guide else c.code
        place = c.place or _("guide.scans_no_place")
        lines.append(
            _("guide.scans_line").format(place=esc(place), title=esc(title), count=c.count)
        )
    await _report(
        message,
        _("guide.scans_title").format(days=REPORT_DAYS),
        lines,
        _("guide.scans_empty").format(days=REPORT_DAYS),
    )


@router.message(F.chat.type == "private", F.text, ~F.text.startswith("/"), StateFilter(None))
async def msg_search(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    lookup_log: LookupLog,
    resident: Resident | None,
    event_chat: Chat | None,
) -> None:
    """Any other text in private chat is someone looking for a procedure."""
    counted = _Counted(lookup_log, session, resident, event_chat)
    await _search_reply(message, message.text or "", session, settings, counted)


@router.inline_query()
async def inline_search(
    query: InlineQuery,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    lookup_log: LookupLog,
    resident: Resident | None,
) -> None:
    """`@bot khai sinh` in any chat: guides to post into the conversation."""
    text = query.query.strip()[:MAX_QUERY]
    if text:
        result = await procedures.search(session, text, limit=INLINE_RESULTS, record=False)
        guides = [h.guide for h in result.hits]
        if result.understood:  # an inline query carries no chat: the household's ward or none
            code = result.hits[0].guide.code if result.good else None
            await count_lookup(
                lookup_log, "inline", code, session=session, resident=resident, chat=None
            )
    else:  # nothing typed yet: civil status (the most asked-for field) first
        everything = (await procedures.get_index(session)).guides
        guides = sorted(everything, key=lambda g: (FIELDS.index(g.field), g.code))
        guides = guides[:INLINE_RESULTS]
    username = await bot_username(bot, settings)
    results: list[InlineQueryResultUnion] = [
        InlineQueryResultArticle(
            id=g.code,
            title=pick(g, "title", lang())[:200],
            description=local_units(pick(g, "summary", lang()), UNIT_LABELS.get(), lang())[:200],
            input_message_content=InputTextMessageContent(
                message_text=split_message(card_text(g))[0], parse_mode="HTML"
            ),
            reply_markup=shared_keyboard(g, settings.public_url, username.lstrip("@")),
        )
        for g in guides
    ]
    await query.answer(results, cache_time=300, is_personal=False)
