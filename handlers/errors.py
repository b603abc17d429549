"""Unexpected errors: logged with context (ids only); the person is told something went wrong.

Service refusals (`ServiceError`) never reach here: handlers/refusals.py tells them, in
the person's stored language, with the update's session rolled back."""

from __future__ import annotations

import logging

from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from handlers.registry import RouterBlueprint

logger = logging.getLogger(__name__)
router = RouterBlueprint("errors")


def _locale(event: ErrorEvent, i18n: I18n) -> str:
    # aiogram's error middleware wraps ours, so the locale context is gone: pick it again.
    update = event.update
    user = update.event.from_user if hasattr(update.event, "from_user") else None
    code = ((user.language_code if user else None) or "")[:2]
    return code if code in i18n.available_locales else i18n.default_locale


@router.errors()
async def on_error(event: ErrorEvent, i18n: I18n) -> bool:
    update = event.update
    logger.error(
        "update %s failed: %r", update.update_id, event.exception, exc_info=event.exception
    )
    await _tell(event, i18n.gettext("error.unexpected", locale=_locale(event, i18n)))
    return True


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.message is not None:
            await update.message.answer(text)
        elif update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
    except Exception:  # the error may be Telegram itself; never raise from here
        logger.exception("could not tell the user about update %s", update.update_id)
