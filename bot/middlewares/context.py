"""Outer middlewares: a database session per update, who the user is, the words of their
ward, and in-flight tracking."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import speaking
from bot.services.directory.residents import get_resident
from bot.services.directory.role_holders import RoleHolders
from bot.services.directory.roles import Principal
from bot.services.directory.units import labels_in_context

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """One AsyncSession per update; services commit their own transactions."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.session_factory() as session:
            data["session"] = session
            return await handler(event, data)


class PrincipalMiddleware(BaseMiddleware):
    """Loads `principal` (roles) and `resident` for the sender of every update.

    Anonymous group admins and channels post as `sender_chat`; aiogram then reports the
    GroupAnonymousBot user, which never holds a role here, so they can never act with privilege.
    """

    def __init__(self, holders: RoleHolders) -> None:
        self.holders = holders

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession = data["session"]
        data["resident"] = None
        data["principal"] = None
        if user is not None and not user.is_bot:
            data["principal"] = await self.holders.principal(session, user.id)
            data["resident"] = await get_resident(session, user.id)
        return await handler(event, data)


class UnitWordsMiddleware(BaseMiddleware):
    """Every message of this update speaks of the sender's own units: "xã"/"thôn" in a commune,
    "phường"/"tổ dân phố" in a ward (bot.i18n fills them in). From what the principal middleware
    already loaded, so a registered resident or a staff member costs no extra query."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        resident, principal = data.get("resident"), data.get("principal")
        known = []
        if resident is not None and resident.household is not None:
            ward = resident.household.group.ward
            known.append((ward.kind_label, ward.group_label))
        if isinstance(principal, Principal):
            known += [g.ward_labels for g in principal.grants]
        chat: Chat | None = data.get("event_chat")
        group_chat = chat.id if chat is not None and chat.type != "private" else None
        with speaking(await labels_in_context(data["session"], known, group_chat)):
            return await handler(event, data)


class InflightMiddleware(BaseMiddleware):
    """Counts updates being handled so shutdown can wait for them (no update lost)."""

    def __init__(self) -> None:
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.last_update_id: int | None = None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = getattr(event, "update_id", None)
        if update_id is not None and (self.last_update_id or 0) < update_id:
            self.last_update_id = update_id
        self._inflight += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float = 30.0) -> bool:
        # Handler tasks aiogram just created have not run yet: let them enter this middleware.
        for _ in range(3):
            await asyncio.sleep(0)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
