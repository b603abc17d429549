"""Telegram Bot API error replies, worded exactly as the real server words them."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "bad_request",
    "forbidden",
    "forbidden_for",
    "migrated",
    "too_many_requests",
]


class ApiError(Exception):
    """An error reply: ``{"ok": false, "error_code": ..., "description": ..., "parameters"}``."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.description!r})"


def bad_request(text: str) -> ApiError:
    """``400 Bad Request: <text>``."""
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    """``403 Forbidden: <text>``."""
    return ApiError(403, f"Forbidden: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    """``429 Too Many Requests: retry after N`` with ``parameters.retry_after``."""
    retry_after = max(1, int(retry_after))
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def migrated(new_chat_id: int) -> ApiError:
    """The reply for a send to a group that was upgraded to a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


CHAT_NOT_FOUND = "chat not found"
BAD_GATEWAY = ApiError(502, "Bad Gateway")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

# Sticky 403 kinds (see ``SandboxState.block``) -> description builder.
FORBIDDEN_KINDS: dict[str, str] = {
    "blocked": "bot was blocked by the user",
    "kicked": "bot was kicked from the {type} chat",
    "deactivated": "user is deactivated",
    "not_member": "bot is not a member of the {type} chat",
}


def forbidden_for(kind: str, chat_type: str) -> ApiError:
    """403 reply for a sticky block ``kind`` in a chat of ``chat_type``."""
    group_word = "supergroup" if chat_type == "supergroup" else "group"
    return forbidden(FORBIDDEN_KINDS[kind].format(type=group_word))
