"""Approval: a second official approves or rejects (with a reason) from a card; /pending.

The card shows the notice exactly as residents will see it. Whoever presses is checked again:
never the author, only officials of the ward, and only while the notice still waits.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.config import Settings
from bot.services import announcements as ann
from bot.services import approval
from bot.services.errors import Forbidden, ServiceError
from bot.services.roles import Principal
from handlers.announce_flow import Ctx, summary
from handlers.common import error_text, esc, refuse
from handlers.notice_render import show
from handlers.registry import RouterBlueprint
from models import Notice

logger = logging.getLogger(__name__)
router = RouterBlueprint("announce_review")


class Verdict(enum.StrEnum):
    APPROVE = "ok"
    REJECT = "no"
    SHOW = "show"


class ReviewCb(CallbackData, prefix="rv"):
    verdict: Verdict
    notice: int


class ReviewStates(StatesGroup):
    reason = State()


def _buttons(notice_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("review.btn_approve"),
              callback_data=ReviewCb(verdict=Verdict.APPROVE, notice=notice_id))  # fmt: skip
    kb.button(text=_("review.btn_reject"),
              callback_data=ReviewCb(verdict=Verdict.REJECT, notice=notice_id))  # fmt: skip
    kb.adjust(1)
    return kb.as_markup()


async def _card(bot: Bot, chat_id: int, notice: Notice, author: str, session: AsyncSession,
                settings: Settings, catalog: Catalog) -> Message:  # fmt: skip
    draft = ann.draft_of(notice)
    await show(bot, chat_id, text=notice.text, urgency=notice.urgency, media=draft.media,
               event=notice.event_at is not None, issuer=notice.issuer)  # fmt: skip
    lines, _pending, _short = await summary(draft, session, settings)
    head = _("review.card_title").format(id=notice.id, author=esc(author))
    body = "\n".join(lines.split("\n")[1:])  # the summary without its "preview" title
    return await bot.send_message(chat_id, f"{head}\n{body}", reply_markup=_buttons(notice.id))


async def send_cards(c: Ctx, notice_id: int) -> int:
    """Send the approval card to every other official; returns how many got it."""
    notice = await approval.pending_notice(c.session, notice_id)
    author = c.message.chat.full_name or str(notice.created_by)
    ids = await approval.reviewers(c.session, notice.ward_id, notice.created_by or 0,
                              c.settings.admin_ids)  # fmt: skip
    cards = []
    for chat_id in ids:
        try:
            card = await _card(c.bot, chat_id, notice, author, c.session, c.settings, c.catalog)
        except TelegramAPIError as exc:  # never opened a chat with Loa, or blocked it
            logger.warning("approval card for notice %s not delivered: %s", notice_id, exc)
            continue
        cards.append([chat_id, card.message_id])
    await approval.remember_cards(c.session, notice_id, cards)
    return len(cards)


async def tell_officials_break_glass(c: Ctx, notice_id: int) -> None:
    """Break-glass: the emergency went out on one approval; every other official is told."""
    notice = await approval.pending_notice(c.session, notice_id)
    ids = await approval.reviewers(c.session, notice.ward_id, notice.created_by or 0,
                              c.settings.admin_ids)  # fmt: skip
    text = _("review.break_glass").format(
        id=notice_id, author=esc(c.message.chat.full_name or ""), text=esc(notice.text[:500])
    )
    for chat_id in ids:
        try:
            await c.bot.send_message(chat_id, text)
        except TelegramAPIError as exc:
            logger.warning("break-glass notice to an official not delivered: %s", exc)


async def _close_cards(bot: Bot, notice: Notice, text: str) -> None:
    for chat_id, message_id in notice.review_messages:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except TelegramAPIError:  # deleted by its owner, or already edited
            pass


async def _tell_author(bot: Bot, notice: Notice, text: str) -> None:
    if notice.created_by:
        try:
            await bot.send_message(notice.created_by, text)
        except TelegramAPIError as exc:
            logger.warning("could not tell the author of notice %s: %s", notice.id, exc)


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.APPROVE))
async def cb_approve(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                     principal: Principal | None, settings: Settings, bot: Bot,
                     **data: Any) -> None:  # fmt: skip
    if principal is None or not principal.is_staff:
        await refuse(query, "approve")
        return
    try:
        done = await approval.approve(session, callback_data.notice, principal, settings)
    except ServiceError as err:
        logger.warning("approval of notice %s by %s refused: %s", callback_data.notice,
                       principal.telegram_id, err.key)  # fmt: skip
        await query.answer(error_text(err), show_alert=True)
        return
    await query.answer(_("review.approved_toast"))
    name = esc(query.from_user.full_name)
    notice = done.notice
    await _close_cards(bot, notice, _("review.card_approved").format(id=notice.id, name=name))
    text = _("review.author_approved").format(id=notice.id, name=name)
    if done.held_until:
        local = done.held_until.astimezone(settings.tz)
        text += "\n" + _("announce.held").format(when=f"{local:%H:%M %d/%m}")
    await _tell_author(bot, notice, text)
    if (sender := data.get("sender")) is not None:
        sender.wake()


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.REJECT))
async def cb_reject(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                    principal: Principal | None, state: FSMContext) -> None:  # fmt: skip
    if principal is None or not principal.is_staff:
        await refuse(query, "reject")
        return
    try:
        approval.check_reviewer(
            await approval.pending_notice(session, callback_data.notice), principal
        )
    except ServiceError as err:
        await query.answer(error_text(err), show_alert=True)
        return
    await query.answer()
    await state.set_state(ReviewStates.reason)
    await state.update_data(notice=callback_data.notice)
    await bot_ask(query, _("review.ask_reason").format(id=callback_data.notice))


async def bot_ask(query: CallbackQuery, text: str) -> None:
    await query.bot.send_message(query.from_user.id, text)  # type: ignore[union-attr]


@router.message(ReviewStates.reason, F.chat.type == "private")
async def msg_reason(message: Message, state: FSMContext, session: AsyncSession,
                     principal: Principal | None, bot: Bot) -> None:  # fmt: skip
    if message.text and message.text.startswith("/"):
        await state.clear()
        await message.answer(_("review.reject_cancelled"))
        return
    notice_id = (await state.get_data())["notice"]
    try:
        assert principal is not None
        notice = await approval.reject(session, notice_id, principal, message.text or "")
    except ServiceError as err:
        await message.answer(error_text(err))
        if err.key != "review.reason_empty":
            await state.clear()
        return
    await state.clear()
    name, reason = esc(message.from_user.full_name), esc(notice.reject_reason or "")  # type: ignore[union-attr]
    await _close_cards(
        bot, notice, _("review.card_rejected").format(id=notice.id, name=name, reason=reason)
    )
    await _tell_author(
        bot, notice, _("review.author_rejected").format(id=notice.id, name=name, reason=reason)
    )
    await message.answer(_("review.rejected_done").format(id=notice.id))


@router.message(Command("pending"), F.chat.type == "private")
async def cmd_pending(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    wards = approval.official_wards(principal) if principal else set()
    if principal is None or (wards is not None and not wards):
        await refuse(message, "pending")
        return
    notices = await approval.waiting(session, wards)
    if not notices:
        await message.answer(_("review.none_pending"))
        return
    kb = InlineKeyboardBuilder()
    lines = [_("review.pending_title")]
    for n in notices:
        first = esc(n.text.split("\n", 1)[0][:60])
        lines.append(f"• #{n.id} — {first}")
        kb.button(text=f"#{n.id}", callback_data=ReviewCb(verdict=Verdict.SHOW, notice=n.id))
    kb.adjust(4)
    await message.answer("\n".join(lines), reply_markup=kb.as_markup())


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.SHOW))
async def cb_show(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                  principal: Principal | None, settings: Settings, catalog: Catalog,
                  bot: Bot) -> None:  # fmt: skip
    try:
        notice = await approval.pending_notice(session, callback_data.notice)
        if principal is None:
            raise Forbidden("error.forbidden")
        approval.check_reviewer(notice, principal)
    except ServiceError as err:
        await query.answer(error_text(err), show_alert=True)
        return
    await query.answer()
    card = await _card(bot, query.from_user.id, notice, str(notice.created_by), session,
                       settings, catalog)  # fmt: skip
    await approval.remember_cards(session, notice.id, [[query.from_user.id, card.message_id]])
