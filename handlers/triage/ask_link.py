"""The contract between procedure guides and questions: the "Ask about this" button.

The guides router puts `AskAboutCb(code=...)` under a guide card; the questions router handles
it by opening a question about that procedure. Kept here so neither feature imports the other.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from handlers.callback_fields import Token


class AskAboutCb(CallbackData, prefix="ask"):
    code: Token  # national procedure code, e.g. "1.001193" (ASCII: fits the 64-byte limit)
