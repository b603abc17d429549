"""Seeding: a deterministic synthetic ward for trials and benchmarks, and the sample ward."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.directory.io import ImportReport, import_directory
from models import ChatStatus, Household, Resident, ResidentialGroup, Ward, utcnow

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "sample" / "song_cau"
SAMPLE_WARD = "Phường Sông Cầu"
# Fake ids far from real ones: group chats are supergroup-shaped, residents above 9·10^12.
GROUP_CHAT_BASE = -1_009_000_000_000
RESIDENT_ID_BASE = 9_000_000_000_000
CHUNK = 2_000


@dataclass(frozen=True)
class SeedReport:
    ward: str
    groups: int
    households: int
    residents: int
    created: bool


def fake_group_chat_id(ward_id: int, index: int) -> int:
    return GROUP_CHAT_BASE - ward_id * 100_000 - index


def fake_resident_id(ward_id: int, index: int) -> int:
    return RESIDENT_ID_BASE + ward_id * 10_000_000 + index


async def seed_synthetic(
    session: AsyncSession, groups: int, households: int, ward_name: str = "Phường Thử Nghiệm"
) -> SeedReport:
    """Create ward `ward_name` with N bound groups and M households, one resident each.

    Deterministic: the same arguments give the same names and ids. If the ward exists it is
    left alone (created=False). Bulk inserts keep 100,000 households to seconds.
    """
    if groups < 1 or households < 0:
        raise ValueError("groups must be ≥ 1 and households ≥ 0")
    existing = await session.scalar(select(Ward).where(Ward.name == ward_name))
    if existing is not None:
        return SeedReport(ward_name, 0, 0, 0, created=False)
    ward = Ward(name=ward_name)
    session.add(ward)
    await session.flush()
    now = utcnow()
    group_rows = [
        {
            "ward_id": ward.id,
            "name": f"Tổ {i}",
            "sort_key": i,
            "leader_name": f"Tổ trưởng {i}",
            "chat_id": fake_group_chat_id(ward.id, i),
            "chat_title": f"Tổ {i} - {ward_name}",
            "chat_status": ChatStatus.ACTIVE,
            "bound_at": now,
        }
        for i in range(1, groups + 1)
    ]
    await session.execute(insert(ResidentialGroup), group_rows)
    group_ids = list(
        await session.scalars(
            select(ResidentialGroup.id)
            .where(ResidentialGroup.ward_id == ward.id)
            .order_by(ResidentialGroup.sort_key)
        )
    )
    for start in range(0, households, CHUNK):
        idx = range(start + 1, min(households, start + CHUNK) + 1)
        inserted = await session.execute(
            insert(Household).returning(Household.code, Household.id),
            [
                {
                    "ward_id": ward.id,
                    "group_id": group_ids[(j - 1) % groups],
                    "house_number": str(j),
                    "street": f"Ngõ {(j - 1) % groups + 1}",
                    "code": f"HH{j:06d}",
                    "created_at": now,
                }
                for j in idx
            ],
        )
        hh_ids = dict(inserted.tuples().all())
        await session.execute(
            insert(Resident),
            [
                {
                    "telegram_id": fake_resident_id(ward.id, j),
                    "display_name": f"Cư dân {j}",
                    "language": "vi",
                    "household_id": hh_ids[f"HH{j:06d}"],
                    "consent_at": now,
                    "private_notices": False,
                    "private_chat_blocked": False,
                    "created_at": now,
                }
                for j in idx
            ],
        )
    audit.record(
        session,
        "directory.seed",
        actor_id=None,
        target=f"ward:{ward.id}",
        groups=groups,
        households=households,
    )
    await session.commit()
    return SeedReport(ward_name, groups, households, households, created=True)


async def seed_sample(session: AsyncSession) -> ImportReport:
    """Import the sample ward (Phường Sông Cầu) through the ordinary CSV importer."""
    return await import_directory(
        session, SAMPLE_DIR / "groups.csv", SAMPLE_DIR / "households.csv"
    )
