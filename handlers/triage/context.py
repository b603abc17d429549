"""The triage routers' typed context: what a step needs, built once per update.

Like the composer's `Ctx` (handlers/notices/flow.py), a handler of a triage router asks for `t`
instead of six separate dependencies, and the shared steps (`flow.submit`, the card actions)
take `t` rather than long parameter lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory.roles import Principal
from bot.services.triage.tickets import Policy
from handlers.registry import RouterBlueprint
from models import Resident


@dataclass(frozen=True)
class Triage:
    bot: Bot
    session: AsyncSession
    settings: Settings
    i18n: I18n
    principal: Principal | None  # the presser's roles (re-checked by every action)
    resident: Resident | None  # the sender, when registered
    fsm_storage: BaseStorage  # to wait in someone's private chat (answer, FAQ)

    @property
    def policy(self) -> Policy:
        return Policy.from_settings(self.settings)


class TriageContext(BaseMiddleware):
    """Inner middleware of the triage routers: hands the handler its context `t`."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["t"] = Triage(
            bot=data["bot"],
            session=data["session"],
            settings=data["settings"],
            i18n=data["i18n"],
            principal=data.get("principal"),
            resident=data.get("resident"),
            fsm_storage=data["fsm_storage"],
        )
        return await handler(event, data)


CONTEXT = TriageContext()


def use_context(router: RouterBlueprint) -> None:
    """Give every message and callback handler of `router` its `t`."""
    router.message.middleware(CONTEXT)
    router.callback_query.middleware(CONTEXT)
