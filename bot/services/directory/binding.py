"""Binding Telegram group chats to residential groups with one-time codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid
from bot.services.directory.roles import Principal
from models import (
    AuditEntry,
    BindCode,
    ChatStatus,
    Resident,
    ResidentialGroup,
    Role,
    StaffChat,
    TargetKind,
    rowcount,
    utcnow,
)

# No 0/O, 1/I/L: codes are read aloud and typed on small phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# 31^6 codes; a handful of guesses per person and per chat each hour keeps guessing hopeless.
MAX_FAILS_PERSON, MAX_FAILS_CHAT = 5, 10
ATTEMPT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class BindResult:
    group: ResidentialGroup
    previous_chat_id: int | None


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def create_code(
    session: AsyncSession, principal: Principal, group: ResidentialGroup, ttl_minutes: int
) -> BindCode:
    """An official of the ward, or that group's leader, gets a code for the group; commits."""
    allowed = principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL, ward_id=group.ward_id) or (
        principal.has(Role.GROUP_LEADER, ward_id=group.ward_id, group_id=group.id)
    )
    if not allowed:
        raise Forbidden("bind.not_allowed")
    return await _issue(
        session, principal, ttl_minutes, ward_id=group.ward_id, group_id=group.id, purpose="group"
    )


async def _issue(
    session: AsyncSession,
    principal: Principal,
    ttl_minutes: int,
    *,
    ward_id: int,
    group_id: int | None,
    purpose: str,
) -> BindCode:
    code = BindCode(
        code=_new_code(),
        purpose=purpose,
        ward_id=ward_id,
        group_id=group_id,
        created_by=principal.telegram_id,
        expires_at=utcnow() + timedelta(minutes=ttl_minutes),
    )
    session.add(code)
    action, target = (
        ("bind.code_created", f"group:{group_id}")
        if purpose == "group"
        else ("staff.code_created", f"ward:{ward_id}")
    )
    audit.record(session, action, actor_id=principal.telegram_id, target=target)
    await session.commit()
    return code


async def _check_attempts(session: AsyncSession, user_id: int, chat_id: int) -> None:
    """Guessing codes is slow: a few failed tries per person and per chat each hour."""
    since = utcnow() - ATTEMPT_WINDOW
    failed = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "bind.failed", AuditEntry.at >= since)
    )
    person = await session.scalar(failed.where(AuditEntry.actor_id == user_id)) or 0
    chat = await session.scalar(failed.where(AuditEntry.target == f"chat:{chat_id}")) or 0
    if person >= MAX_FAILS_PERSON or chat >= MAX_FAILS_CHAT:
        audit.record(session, "bind.limited", actor_id=user_id, target=f"chat:{chat_id}")
        await session.commit()
        raise Invalid("bind.too_many_attempts", minutes=int(ATTEMPT_WINDOW.total_seconds() // 60))


async def _claim(
    session: AsyncSession, code_text: str, chat_id: int, purpose: str, user_id: int
) -> BindCode:
    """Consume a code of this purpose atomically (one winner); the caller commits. A failed
    try is audited (never the code typed) and counts towards the attempt limits."""
    await _check_attempts(session, user_id, chat_id)
    try:
        return await _consume(session, code_text, chat_id, purpose)
    except Invalid as err:
        await session.rollback()
        audit.record(session, "bind.failed", actor_id=user_id, target=f"chat:{chat_id}",
                     reason=err.key, purpose=purpose)  # fmt: skip
        await session.commit()
        raise


async def _consume(session: AsyncSession, code_text: str, chat_id: int, purpose: str) -> BindCode:
    code_text = code_text.strip().upper()
    code = await session.scalar(select(BindCode).where(BindCode.code == code_text))
    if code is None or code.purpose != purpose or (purpose == "group") != bool(code.group_id):
        raise Invalid("bind.code_unknown")
    if code.used_at is not None:
        raise Invalid("bind.code_used")
    now = utcnow()
    if code.expires_at <= now:
        raise Invalid("bind.code_expired")
    claimed = await session.execute(
        update(BindCode)
        .where(BindCode.id == code.id, BindCode.used_at.is_(None))
        .values(used_at=now, used_chat_id=chat_id)
    )
    if rowcount(claimed) != 1:
        raise Invalid("bind.code_used")
    code.used_at, code.used_chat_id = now, chat_id
    return code


async def bind_chat(
    session: AsyncSession, code_text: str, chat_id: int, chat_title: str | None, user_id: int
) -> BindResult:
    """Use a code in a group chat. The code is consumed atomically (one winner); commits."""
    code = await _claim(session, code_text, chat_id, "group", user_id)
    now = code.used_at or utcnow()
    if await session.scalar(select(StaffChat.id).where(StaffChat.chat_id == chat_id)):
        await session.rollback()
        raise Invalid("staff.chat_is_staff")
    other = await session.scalar(
        select(ResidentialGroup).where(ResidentialGroup.chat_id == chat_id)
    )
    if other is not None and other.id != code.group_id:
        await session.rollback()
        raise Invalid("bind.chat_taken", group=other.name)
    group = await session.get(ResidentialGroup, code.group_id)
    assert group is not None
    previous = group.chat_id if group.chat_id != chat_id else None
    group.chat_id, group.chat_title = chat_id, (chat_title or "")[:255] or None
    group.chat_status, group.bound_at = ChatStatus.ACTIVE, now
    audit.record(
        session,
        "bind.chat_bound",
        actor_id=user_id,
        target=f"group:{group.id}",
        chat_id=chat_id,
        previous_chat_id=previous,
    )
    await session.commit()
    return BindResult(group, previous)


async def create_staff_code(
    session: AsyncSession, principal: Principal, ward_id: int, ttl_minutes: int
) -> BindCode:
    """An official of the ward gets a code to bind the team's staff group; commits."""
    if not principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL, ward_id=ward_id):
        raise Forbidden("bind.not_allowed")
    return await _issue(
        session, principal, ttl_minutes, ward_id=ward_id, group_id=None, purpose="staff"
    )


async def bind_staff_chat(
    session: AsyncSession, code_text: str, chat_id: int, chat_title: str | None, user_id: int
) -> StaffChat:
    """Make this group chat the ward's staff inbox (replacing an earlier one); commits."""
    code = await _claim(session, code_text, chat_id, "staff", user_id)
    if await group_for_chat(session, chat_id) is not None:
        await session.rollback()
        raise Invalid("staff.chat_is_residential")
    staff = await session.scalar(select(StaffChat).where(StaffChat.ward_id == code.ward_id))
    other = await session.scalar(select(StaffChat).where(StaffChat.chat_id == chat_id))
    if other is not None and other is not staff:
        await session.delete(other)  # the chat moves to this ward's inbox
        await session.flush()
    if staff is None:
        staff = StaffChat(ward_id=code.ward_id, chat_id=chat_id, bound_by=user_id)
        session.add(staff)
    previous = staff.chat_id if staff.chat_id != chat_id else None
    staff.chat_id, staff.chat_title = chat_id, (chat_title or "")[:255] or None
    staff.bound_by, staff.bound_at = user_id, utcnow()
    audit.record(
        session,
        "staff.chat_bound",
        actor_id=user_id,
        target=f"ward:{code.ward_id}",
        chat_id=chat_id,
        previous_chat_id=previous,
    )
    await session.commit()
    return staff


async def staff_chat(
    session: AsyncSession, *, ward_id: int | None = None, chat_id: int | None = None
) -> StaffChat | None:
    """The ward's staff inbox, or the inbox that is this chat."""
    stmt = select(StaffChat)
    stmt = (
        stmt.where(StaffChat.ward_id == ward_id)
        if ward_id is not None
        else stmt.where(StaffChat.chat_id == chat_id)
    )
    return await session.scalar(stmt)


async def group_for_chat(session: AsyncSession, chat_id: int) -> ResidentialGroup | None:
    return await session.scalar(
        select(ResidentialGroup).where(ResidentialGroup.chat_id == chat_id)
    )


async def migrate_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup: keep the binding under the new id; commits."""
    group = await group_for_chat(session, old_chat_id) or await staff_chat(
        session, chat_id=old_chat_id
    )
    if group is None:
        return False
    group.chat_id = new_chat_id
    kind = "group" if isinstance(group, ResidentialGroup) else "staff"
    audit.record(
        session,
        "bind.chat_migrated",
        actor_id=None,
        actor_kind="system",
        target=f"{kind}:{group.id}",
        old=old_chat_id,
        new=new_chat_id,
    )
    await session.commit()
    return True


async def set_chat_status(session: AsyncSession, chat_id: int, status: ChatStatus) -> bool:
    """The bot was removed from (or re-added to) a bound chat; commits."""
    group = await group_for_chat(session, chat_id)
    if group is None or group.chat_status == status:
        return False
    group.chat_status = status
    audit.record(
        session,
        f"bind.chat_{status.value}",
        actor_id=None,
        actor_kind="system",
        target=f"group:{group.id}",
    )
    await session.commit()
    return True


async def mark_unreachable(session: AsyncSession, target: TargetKind, chat_id: int) -> None:
    """Telegram refused a delivery for good (403): the resident blocked the bot, or the bot was
    removed from the group. The sender passes this in and commits."""
    if target is TargetKind.GROUP:
        removed = update(ResidentialGroup).where(ResidentialGroup.chat_id == chat_id)
        await session.execute(removed.values(chat_status=ChatStatus.REMOVED))
    else:
        blocked = update(Resident).where(Resident.telegram_id == chat_id)
        await session.execute(blocked.values(private_chat_blocked=True))
