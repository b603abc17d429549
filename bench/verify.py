""" "Is this official?" on an archive of 10,000 notices: `python -m bench.verify`.

Notices are synthesised from a vocabulary of ward announcements (so they share many words, as
a real archive does) into a SQLite database. Figures: the cold build of the index (first check
after a start, in a worker thread), then p50/p99 of the whole service call (the change check
against the database and the lookup) for forwarded texts that are exact copies, altered
copies, parts of long notices, and unrelated messages. Figures only, never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bot import migrate
from bot.db import create_engine, create_session_factory
from bot.services.directory.seed import seed_synthetic
from bot.services.notices import verify
from bot.services.notices.verify_index import Index
from models import Notice, NoticeStatus, Ward, utcnow

TOPICS = (
    "lịch tiêm chủng cho trẻ dưới 5 tuổi", "thu gom rác thải sinh hoạt", "cắt điện để bảo trì",
    "tạm dừng cấp nước", "họp tổ dân phố", "khám sàng lọc miễn phí", "phun thuốc diệt muỗi",
    "đăng ký nghĩa vụ quân sự", "nộp thuế đất phi nông nghiệp", "phòng chống cháy nổ",
    "cấp căn cước công dân lưu động", "chi trả trợ cấp người cao tuổi",
)  # fmt: skip
PLACES = ("nhà văn hóa tổ", "trạm y tế phường", "trụ sở UBND phường", "sân trường tiểu học")
EXTRA = ("bà con mang theo căn cước công dân", "đề nghị các hộ sắp xếp thời gian tham dự",
         "mọi thắc mắc liên hệ cán bộ phường", "đề nghị bà con chấp hành nghiêm")  # fmt: skip


def synthesise(rng: random.Random, i: int) -> str:
    lines = [
        f"Về việc {rng.choice(TOPICS)} tại tổ {rng.randint(1, 16)}",
        f"Thời gian: {rng.randint(6, 20)} giờ ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}, "
        f"địa điểm {rng.choice(PLACES)} số {i}.",
        *rng.sample(EXTRA, 2),
    ]
    if rng.random() < 0.1:  # a few long ones, as forwarded in parts
        lines += [f"Mục {k}: {rng.choice(EXTRA)} và {rng.choice(TOPICS)}." for k in range(40)]
    return "\n".join(lines)


async def main(size: int, queries: int) -> None:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'verify.db'}"
        await migrate.upgrade(url)
        engine = create_engine(url)
        factory = create_session_factory(engine)
        texts = [synthesise(rng, i) for i in range(size)]
        async with factory() as session:
            await seed_synthetic(session, groups=16, households=0)
            ward_id = (await session.scalars(Ward.__table__.select().with_only_columns(
                Ward.id))).one()  # fmt: skip
            now = utcnow()
            rows = [{"ward_id": ward_id, "text": t, "status": NoticeStatus.DONE, "version": 1,
                     "queued_at": now, "created_at": now, "audience": {"kind": "ward"}}
                    for t in texts]  # fmt: skip
            for start in range(0, len(rows), 2000):
                await session.execute(insert(Notice), rows[start : start + 2000])
            await session.commit()
        index = Index()
        async with factory() as session:
            t0 = time.perf_counter()
            await verify.check(session, "khởi động", index)
            cold = time.perf_counter() - t0
        forwarded = []
        for _ in range(queries):
            text = rng.choice(texts)
            kind = rng.random()
            if kind < 0.3:
                forwarded.append(text)  # an exact copy
            elif kind < 0.6:
                forwarded.append(text.replace("giờ", "giờ 30 phút", 1) + " Nộp 200 nghìn.")
            elif kind < 0.8:
                lines = text.splitlines()
                forwarded.append("\n".join(lines[len(lines) // 2 :]))  # a part
            else:
                forwarded.append(f"Tin đồn: {rng.choice(TOPICS)} bị hoãn, chuyển khoản ngay.")
        timings = []
        async with factory() as session:
            for text in forwarded:
                t0 = time.perf_counter()
                await verify.check(session, text, index)
                timings.append((time.perf_counter() - t0) * 1000)
        await engine.dispose()
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"verify: {size} notices; cold index build {cold * 1000:.0f} ms (worker thread)")
    print(
        f"verify: {queries} checks: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(main(args.notices, args.queries))
