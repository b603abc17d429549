"""Who is asking: the signed session cookie, the Telegram Login Widget, and the person's
current roles (read again on every request, so a revoked official loses access at once)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.directory.roles import Principal
from models import Role

COOKIE = "loa_dash"
LOGIN_WIDGET_MAX_AGE = timedelta(days=1)
OFFICIALS = (Role.WARD_ADMIN, Role.WARD_OFFICIAL)


def _mac(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def sign_session(key: bytes, telegram_id: int, now: datetime) -> str:
    """`<id>.<unix time>.<HMAC>`: only who and when; roles are looked up per request."""
    payload = f"{telegram_id}.{int(now.timestamp())}"
    return f"{payload}.{_mac(key, payload)}"


def read_session(key: bytes, value: str | None, now: datetime, max_age: timedelta) -> int | None:
    """The Telegram id of a genuine, unexpired cookie, else None."""
    if not value or value.count(".") != 2:
        return None
    telegram_id, issued, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(key, f"{telegram_id}.{issued}")):
        return None
    try:
        tid, at = int(telegram_id), int(issued)
    except ValueError:
        return None
    age = now.timestamp() - at
    return tid if 0 <= age <= max_age.total_seconds() else None


def verify_login_widget(data: Mapping[str, str], bot_token: str, now: datetime) -> int | None:
    """The Telegram id from a Login Widget callback, or None when the hash is not Telegram's
    (HMAC-SHA256 of the sorted data-check-string keyed with SHA-256 of the bot token) or the
    sign-in is older than a day."""
    received = data.get("hash", "")
    fields = {k: v for k, v in data.items() if k != "hash"}
    if not received or "id" not in fields or "auth_date" not in fields:
        return None
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hashlib.sha256(bot_token.encode()).digest()
    if not hmac.compare_digest(_mac(key, check), received.lower()):
        return None
    try:
        auth_date, telegram_id = int(fields["auth_date"]), int(fields["id"])
    except ValueError:
        return None
    age = now.timestamp() - auth_date
    return telegram_id if -300 <= age <= LOGIN_WIDGET_MAX_AGE.total_seconds() else None


@dataclass(frozen=True)
class Scope:
    """What one person may see of one ward: everything (officials) or some groups (leaders)."""

    ward_id: int
    whole_ward: bool
    group_ids: frozenset[int]

    def sees_group(self, group_id: int | None) -> bool:
        return self.whole_ward or group_id in self.group_ids


def ward_scopes(principal: Principal, ward_ids: list[int]) -> dict[int, Scope]:
    """The wards this person may open, in the given order; empty for residents."""
    out: dict[int, Scope] = {}
    for ward_id in ward_ids:
        whole = principal.superadmin or principal.has(*OFFICIALS, ward_id=ward_id)
        led = frozenset(
            g.group_id
            for g in principal.grants
            if g.role is Role.GROUP_LEADER and g.ward_id == ward_id and g.group_id is not None
        )
        if whole or led:
            out[ward_id] = Scope(ward_id, whole, led)
    return out
