"""Expected failures. Each carries a catalog key and values; handlers and the CLI render them.

They live at the bottom layer so that every layer may raise them (bot.services.common.errors
re-exports them)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A failure the person can fix; `key` is a gettext key, `params` fill its {placeholders}."""

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotFound(ServiceError):
    key = "error.not_found"


class Forbidden(ServiceError):
    key = "error.forbidden"


class Invalid(ServiceError):
    key = "error.invalid"


class NotConfigured(ServiceError):
    """A setting is missing or a service Loa depends on cannot be reached (CLI exit code 2)."""

    key = "error.not_configured"
