"""A local stand-in for the Telegram Bot API, for end-to-end tests, demos and benchmarks.

Typical use with a real aiogram bot::

    async with Sandbox() as sb:
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(sb.base_url)))
        await sb.user_sends(1001, "/start")
        ...
        calls = await sb.wait_for("sendMessage", lambda c: c.chat_id == 1001)

See :mod:`sandbox.server` for the request pipeline, :mod:`sandbox.limits` for the
exact flood-limit rule and :mod:`sandbox.faults` for fault injection.
"""

from .builders import SandboxState, chat_member
from .calls import Call
from .errors import ApiError
from .faults import FAULT_KINDS, FaultRule
from .limits import FloodLimiter, is_limited
from .parsing import Upload
from .server import METHODS, SECRET_HEADER, Sandbox
from .state import DEFAULT_BOT_USER, ChatInfo, FileRecord, chat_type_for
from .updates import WebhookConfig, WebhookDelivery

__all__ = [
    "DEFAULT_BOT_USER",
    "FAULT_KINDS",
    "METHODS",
    "SECRET_HEADER",
    "ApiError",
    "Call",
    "ChatInfo",
    "FaultRule",
    "FileRecord",
    "FloodLimiter",
    "Sandbox",
    "SandboxState",
    "Upload",
    "WebhookConfig",
    "WebhookDelivery",
    "chat_member",
    "chat_type_for",
    "is_limited",
]
