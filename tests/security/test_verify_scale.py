"""Finding 9: "is this official?" never compares a forwarded text with the whole archive.

Not timed (speed is bench/verify.py's): counted. With hundreds of similar notices the old
check ran difflib against every one of them on the event loop; now a handful at most."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Notice, NoticeStatus, utcnow
from tests.delivery_kit import ward
from tests.harness import RESIDENT_ID, BotHarness, texts

ARCHIVE = 300


async def test_a_forward_is_compared_with_a_few_candidates_not_the_archive(
    harness: BotHarness, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    now = utcnow()
    await session.execute(insert(Notice), [
        {"ward_id": ward_id, "status": NoticeStatus.DONE, "queued_at": now, "version": 1,
         "audience": {"kind": "ward"}, "created_at": now,
         "text": f"Thông báo số {i}: lịch thu gom rác thải sinh hoạt của tổ {i % 16 + 1} "
                 f"vào lúc {i % 12 + 6} giờ sáng, bà con để rác đúng nơi quy định."}
        for i in range(ARCHIVE)
    ])  # fmt: skip
    await session.commit()
    compared: list[Any] = []
    real = difflib.SequenceMatcher

    def counting(*args: Any, **kw: Any) -> difflib.SequenceMatcher[str]:
        compared.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(difflib, "SequenceMatcher", counting)
    forged = ("Thông báo số 7: lịch thu gom rác thải sinh hoạt của tổ 8 vào lúc 1 giờ sáng, "
              "bà con nộp 100 nghìn phí rác.")  # fmt: skip
    origin = {"type": "hidden_user", "date": 1_700_000_000, "sender_user_name": "Ai đó"}
    answer = texts(await harness.send(RESIDENT_ID, forged, forward_origin=origin))[0]
    assert "giống thông báo #8" in answer and "đã bị sửa" in answer
    assert len(compared) <= 5, f"compared with {len(compared)} notices"
    exact = texts(await harness.send(RESIDENT_ID, (
        "Thông báo số 9: lịch thu gom rác thải sinh hoạt của tổ 10 vào lúc 3 giờ sáng, "
        "bà con để rác đúng nơi quy định."), forward_origin=origin))[0]  # fmt: skip
    assert "chính thức" in exact and len(compared) <= 10
