"""/mydata readable by an elderly resident (finding 7), saying what is kept and until when."""

from __future__ import annotations

import json
import re

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from tests.harness import RESIDENT_ID, BotHarness, texts
from tests.triage.triage_world import ask_private, make_world


async def test_mydata_in_plain_words(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi giờ mở cửa nhà văn hóa")
    calls = await harness.send(RESIDENT_ID, "/mydata")
    text = texts(calls)[0]
    assert "Tiếng Việt" in text and ": vi" not in text
    assert "JSON" not in text and "json" not in text
    assert re.search(r"Đồng ý lúc: \d\d/\d\d/\d{4} \d\d:\d\d", text), text
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)  # no ISO timestamps
    assert "Giữ đến bao giờ" in text and f"Câu hỏi #{number}" in text
    kept = rf"#{number} \(gửi [\d/: ]+\): nội dung và ảnh giữ đến \d\d/\d\d/\d{{4}}"
    assert re.search(kept, text)
    assert f"{settings.retention_delivery_days} ngày" in text
    doc = next(c for c in calls if c.method == "sendDocument")
    assert "bản sao đầy đủ" in doc.params["caption"] and "JSON" not in doc.params["caption"]
    data = json.loads(doc.params["document"].data)
    assert data["questions"][0]["kept_until"]
