"""Salted one-way hashes that stand for a person (or a web address) once their id must go.

The hash cannot be turned back into the Telegram id without the salt (LOA_PRIVACY_SALT or one
derived from the bot token); it is only compared, never shown.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: bytes, value: int | str) -> str:
    """A stable 32-hex-digit stand-in for a Telegram id or an IP address."""
    return hmac.new(key, f"{value}".encode(), hashlib.sha256).hexdigest()[:32]
