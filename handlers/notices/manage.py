"""Corrections and recalls from the notice's progress message, and `/notice N`.

Only the author or an administrator of the notice's ward may press; the check is made again on
every press. broadcasts.progress writes the same callback data ("nm:<action>:<id>").
"""

from __future__ import annotations

import enum

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.roles import Principal
from bot.services.notices import corrections
from bot.services.notices import manage as notice_admin
from broadcasts.sender import Sender
from handlers.callback_fields import DbId
from handlers.common import button_message, command_args, error_text, esc, refuse
from handlers.notices import review
from handlers.notices.render import parts_for
from handlers.registry import RouterBlueprint
from models import Notice, NoticeStatus

router = RouterBlueprint("notice_manage")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class ManageAction(enum.StrEnum):
    FIX = "fix"
    RECALL = "recall"
    SEND_FIX = "ok"
    ABORT = "no"
    MARK = "mark"
    DELETE = "rm"
    KEEP = "keep"


class NoticeCb(CallbackData, prefix="nm"):
    action: ManageAction
    id: DbId


class FixStates(StatesGroup):
    text = State()


def _status_name(status: NoticeStatus) -> str:
    names = {
        NoticeStatus.DRAFT: _("manage.status_draft"),
        NoticeStatus.PENDING_APPROVAL: _("manage.status_pending_approval"),
        NoticeStatus.QUEUED: _("manage.status_queued"),
        NoticeStatus.DONE: _("manage.status_done"),
        NoticeStatus.CANCELLED: _("manage.status_cancelled"),
        NoticeStatus.REJECTED: _("manage.status_rejected"),
    }
    return names[status]


def manage_keyboard(notice_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("manage.fix_button"), callback_data=NoticeCb(action=ManageAction.FIX, id=notice_id)
    )
    kb.button(
        text=_("manage.recall_button"),
        callback_data=NoticeCb(action=ManageAction.RECALL, id=notice_id),
    )
    return kb.as_markup()


def _wake(sender: Sender | None) -> None:
    """The running bot's sender claims the re-queued copies now, not at its next poll."""
    if sender is not None:
        sender.wake()


async def _managed(
    query: CallbackQuery, session: AsyncSession, principal: Principal | None, notice_id: int
) -> Notice | None:
    """The notice if the presser may manage it; else they are told (and nothing changes)."""
    notice = await notice_admin.get(session, notice_id)
    if not notice_admin.may_manage(principal, notice):
        await refuse(query, "notice.manage")
        return None
    if notice.status is NoticeStatus.CANCELLED:  # someone was first: say who
        await query.answer(error_text(notice_admin.lost(notice)), show_alert=True)
        return None
    return notice


@router.message(Command("notice"))
async def cmd_notice(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    arg = command_args(message).lstrip("#")
    if not arg.isdigit():
        await message.answer(_("manage.usage"))
        return
    s = await notice_admin.summary(session, int(arg))
    if not notice_admin.may_view_status(principal, s.notice):
        await refuse(message, "notice.status")
        return
    p, n = s.progress, s.notice
    first = n.text.strip().splitlines()[0][:80] if n.text.strip() else ""
    text = _("manage.summary").format(
        id=n.id,
        status=_status_name(n.status),
        first=esc(first),
        sent=p.sent,
        total=p.recipients,
        failed=p.failed,
        unknown=p.unknown,
        pending=p.pending,
        skipped=p.skipped,
        acks=s.acks,
    )
    may = notice_admin.may_manage(principal, n) and n.status in notice_admin.RECALLABLE
    await message.answer(text, reply_markup=manage_keyboard(n.id) if may else None)


@router.callback_query(NoticeCb.filter(F.action == ManageAction.FIX))
async def cb_fix(
    query: CallbackQuery,
    callback_data: NoticeCb,
    session: AsyncSession,
    principal: Principal | None,
    state: FSMContext,
) -> None:
    notice = await _managed(query, session, principal, callback_data.id)
    if notice is None:
        return
    await state.set_state(FixStates.text)
    await state.set_data({"notice_id": notice.id})
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("manage.abort_button"),
        callback_data=NoticeCb(action=ManageAction.ABORT, id=notice.id),
    )
    await button_message(query).answer(
        _("manage.fix_ask").format(id=notice.id, limit=notice_admin.MAX_CORRECTION),
        reply_markup=kb.as_markup(),
    )
    await query.answer()


@router.message(FixStates.text, F.text, ~F.text.startswith("/"))
async def msg_fix_text(
    message: Message, session: AsyncSession, principal: Principal | None, state: FSMContext
) -> None:
    notice_id = int((await state.get_data()).get("notice_id") or 0)
    text = notice_admin.check_correction(message.text or "")
    notice = await notice_admin.get(session, notice_id)
    if not notice_admin.may_manage(principal, notice):
        await state.clear()
        await refuse(message, "notice.correct")
        return
    await state.update_data(text=text)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("manage.send_fix_button"),
        callback_data=NoticeCb(action=ManageAction.SEND_FIX, id=notice_id),
    )
    kb.button(
        text=_("manage.abort_button"),
        callback_data=NoticeCb(action=ManageAction.ABORT, id=notice_id),
    )
    kb.adjust(1)
    await message.answer(_("manage.fix_preview").format(id=notice_id))
    parts = parts_for(notice, text)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await message.answer(part.html, reply_markup=kb.as_markup() if last else None)


@router.message(FixStates.text, ~F.text.startswith("/"))
async def msg_fix_not_text(message: Message) -> None:
    await message.answer(_("manage.fix_text_only"))


@router.callback_query(NoticeCb.filter(F.action == ManageAction.SEND_FIX))
async def cb_send_fix(
    query: CallbackQuery,
    callback_data: NoticeCb,
    session: AsyncSession,
    principal: Principal | None,
    state: FSMContext,
    bot: Bot,
    settings: Settings,
    sender: Sender | None = None,
) -> None:
    data = await state.get_data()
    if data.get("notice_id") != callback_data.id or not data.get("text"):
        await query.answer(_("manage.fix_expired"), show_alert=True)
        return
    # A principal who may not manage the notice (None included) was refused by _managed.
    if await _managed(query, session, principal, callback_data.id) is None or principal is None:
        await state.clear()
        return
    name = query.from_user.full_name
    fix = await corrections.propose(
        session,
        callback_data.id,
        data["text"],
        principal,
        name,
    )
    await state.clear()
    await button_message(query).edit_reply_markup(reply_markup=None)
    if fix.review:  # a second official decides; the cards of the old round decide nothing
        await review.close_cards(bot, fix.old_cards,
                                 _("review.card_voided").format(id=callback_data.id))  # fmt: skip
        old = fix.old_text if fix.notice.pending_text is None else None
        sent = await review.send_cards(bot, session, settings, callback_data.id, old)
        key = "manage.fix_submitted" if sent else "announce.no_reviewer"
        await button_message(query).answer(_(key).format(id=callback_data.id))
    elif fix.progress is not None:  # corrected at once: its delivery has begun
        _wake(sender)
        await button_message(query).answer(
            _("manage.fixed").format(id=callback_data.id, count=fix.progress.pending)
        )
    await query.answer()


@router.callback_query(NoticeCb.filter(F.action == ManageAction.ABORT))
async def cb_abort(query: CallbackQuery, callback_data: NoticeCb, state: FSMContext) -> None:
    await state.clear()
    await button_message(query).edit_reply_markup(reply_markup=None)
    await button_message(query).answer(_("manage.unchanged").format(id=callback_data.id))
    await query.answer()


@router.callback_query(NoticeCb.filter(F.action == ManageAction.RECALL))
async def cb_recall(
    query: CallbackQuery,
    callback_data: NoticeCb,
    session: AsyncSession,
    principal: Principal | None,
) -> None:
    notice = await _managed(query, session, principal, callback_data.id)
    if notice is None:
        return
    kb = InlineKeyboardBuilder()
    for label, action in (
        (_("manage.recall_mark_button"), ManageAction.MARK),
        (_("manage.recall_delete_button"), ManageAction.DELETE),
        (_("manage.keep_button"), ManageAction.KEEP),
    ):
        kb.button(text=label, callback_data=NoticeCb(action=action, id=notice.id))
    kb.adjust(1)
    await button_message(query).answer(
        _("manage.recall_confirm").format(id=notice.id), reply_markup=kb.as_markup()
    )
    await query.answer()


@router.callback_query(NoticeCb.filter(F.action.in_({ManageAction.MARK, ManageAction.DELETE})))
async def cb_recall_confirmed(
    query: CallbackQuery,
    callback_data: NoticeCb,
    session: AsyncSession,
    principal: Principal | None,
    bot: Bot,
    sender: Sender | None = None,
) -> None:
    notice = await _managed(query, session, principal, callback_data.id)
    if notice is None:
        return
    mode = "delete" if callback_data.action is ManageAction.DELETE else "mark"
    p, withdrawn = await notice_admin.recall(
        session, notice.id, query.from_user.id, mode, query.from_user.full_name
    )
    _wake(sender)
    if withdrawn:
        text = _("manage.withdrawn").format(id=notice.id)
        await review.close_cards(bot, notice.review_messages,
                                 _("review.card_withdrawn").format(id=notice.id))  # fmt: skip
    elif mode == "delete":
        text = _("manage.recalled_delete").format(id=notice.id, count=p.pending)
    else:
        text = _("manage.recalled_mark").format(id=notice.id, count=p.pending)
    await button_message(query).edit_text(text)
    await query.answer()


@router.callback_query(NoticeCb.filter(F.action == ManageAction.KEEP))
async def cb_keep(query: CallbackQuery, callback_data: NoticeCb) -> None:
    await button_message(query).edit_text(_("manage.unchanged").format(id=callback_data.id))
    await query.answer()
