"""Where a question goes: its category, the guide or FAQ that may answer it, who is alerted."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.units import fold
from bot.services.procedures import guide_lookup
from bot.services.procedures.guide_lookup import GuideHint
from bot.services.triage import faq
from bot.services.triage.faq import FaqHint
from models import Role, RoleGrant, TicketCategory

GUIDE_MIN_SCORE = 0.5  # below this a guide is not offered, nor used to call it a procedure

# Matched on the lower-cased text with diacritics, as whole words or phrases.
_KEYWORDS: dict[TicketCategory, tuple[str, ...]] = {
    TicketCategory.EMERGENCY: (
        "cháy",
        "hỏa hoạn",
        "hoả hoạn",
        "cấp cứu",
        "khẩn cấp",
        "tai nạn",
        "sạt lở",
        "lũ",
        "ngập",
        "điện giật",
        "đuối nước",
        "rò rỉ khí",
        "rò rỉ gas",
        "cướp",
        "đánh nhau",
        "bạo lực",
        "emergency",
        "fire",
        "accident",
        "flood",
    ),
    TicketCategory.COMPLAINT: (
        "khiếu nại",
        "phản ánh",
        "tố cáo",
        "bức xúc",
        "tiếng ồn",
        "ồn ào",
        "rác",
        "ô nhiễm",
        "lấn chiếm",
        "chậm trễ",
        "thái độ",
        "nhũng nhiễu",
        "complaint",
        "noise",
    ),
    TicketCategory.PROCEDURE: (
        "thủ tục",
        "hồ sơ",
        "giấy tờ",
        "đăng ký",
        "chứng thực",
        "công chứng",
        "khai sinh",
        "khai tử",
        "kết hôn",
        "tạm trú",
        "thường trú",
        "cư trú",
        "căn cước",
        "giấy phép",
        "dịch vụ công",
        "vneid",
        "procedure",
        "certificate",
        "register",
    ),
}
# People often type without diacritics; these phrases stay unambiguous when folded.
_FOLDED: dict[TicketCategory, tuple[str, ...]] = {
    TicketCategory.EMERGENCY: ("cap cuu", "khan cap", "hoa hoan", "sat lo", "dien giat"),
    TicketCategory.COMPLAINT: ("khieu nai", "phan anh", "to cao"),
    TicketCategory.PROCEDURE: ("thu tuc", "ho so", "giay to", "dang ky", "khai sinh"),
}
_ORDER = (TicketCategory.EMERGENCY, TicketCategory.COMPLAINT, TicketCategory.PROCEDURE)


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in phrases)


@dataclass(frozen=True)
class Suggestion:
    """What may answer the question before it reaches the team."""

    guide: GuideHint | None
    faq: FaqHint | None

    def __bool__(self) -> bool:
        return self.guide is not None or self.faq is not None


def categorise(text: str, guide: GuideHint | None) -> tuple[TicketCategory, str | None]:
    """Category by keywords (emergency first), or procedure when a guide matches well."""
    plain = unicodedata.normalize("NFC", text.lower())
    folded = fold(text)
    code = guide.code if guide is not None and guide.score >= GUIDE_MIN_SCORE else None
    for category in _ORDER:
        if _has(plain, _KEYWORDS[category]) or _has(folded, _FOLDED[category]):
            return category, code
    return (TicketCategory.PROCEDURE, code) if code else (TicketCategory.OTHER, None)


async def best_guide(session: AsyncSession, text: str, language: str) -> GuideHint | None:
    hints = await guide_lookup.suggest_guides(session, text, language=language, limit=1)
    return hints[0] if hints and hints[0].score >= GUIDE_MIN_SCORE else None


async def suggest(
    session: AsyncSession, ward_id: int, text: str, language: str, *, skip_code: str | None = None
) -> Suggestion:
    """The best guide and FAQ answer for this text (the guide already shown is skipped)."""
    guide = await best_guide(session, text, language)
    if guide is not None and guide.code == skip_code:
        guide = None
    return Suggestion(guide, await faq.match(session, ward_id, text))


async def officials(session: AsyncSession, ward_id: int) -> list[int]:
    """Telegram ids of the ward's officials and administrators (alerted on emergencies)."""
    rows = await session.scalars(
        select(RoleGrant.telegram_id)
        .where(
            RoleGrant.ward_id == ward_id,
            RoleGrant.role.in_((Role.WARD_OFFICIAL, Role.WARD_ADMIN)),
        )
        .distinct()
    )
    return sorted(rows)
