"""Field types for button data (CallbackData): what a press may carry, checked on arrival.

Button data comes back from Telegram as text anyone can forge or an old client can garble.
Typing each field tightly makes aiogram's filter refuse a value no button of ours would carry
(an id beyond the database's INTEGER, a language we do not speak), so such a press never reaches
a handler: it falls through to the one answer in `handlers.fallback` ("this button no longer
works") instead of failing in the database with "Loa gặp sự cố".
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

DbId = Annotated[int, Field(ge=0, le=2**31 - 1)]  # INTEGER primary keys; 0 means "none"
TelegramId = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]  # BIGINT Telegram ids
Page = Annotated[int, Field(ge=0, le=10_000)]
Flag = Annotated[int, Field(ge=0, le=1)]
Lang = Literal["", "vi", "en"]  # "" means "the person's own"
Token = Annotated[str, Field(max_length=40)]  # procedure codes, fields and similar short tags
