"""The ward directory: ward → residential group → household → resident, and roles."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    WARD_ADMIN = "ward_admin"
    WARD_OFFICIAL = "ward_official"
    GROUP_LEADER = "group_leader"
    TECH_TEAM = "tech_team"
    RESIDENT = "resident"


class ChatStatus(enum.StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"  # the bot was removed or kicked from the group chat


class Ward(Base):
    """A ward (phường) or commune (xã); the labels are data, not code."""

    __tablename__ = "wards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind_label: Mapped[str] = mapped_column(String(40), default="Phường")
    group_label: Mapped[str] = mapped_column(String(40), default="Tổ dân phố")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    groups: Mapped[list[ResidentialGroup]] = relationship(
        back_populates="ward", order_by="ResidentialGroup.sort_key"
    )

    @property
    def council(self) -> str:
        """The People's Committee that speaks for the ward: "Ủy ban nhân dân Phường Sông Cầu"."""
        return f"Ủy ban nhân dân {self.name}"

    def leader_of(self, group_name: str) -> str:
        """The title of a group's leader as residents say it: "Tổ trưởng Tổ 13" in a ward,
        "Trưởng thôn Đồng Tâm" in a commune (labels are data)."""
        label = self.group_label.strip()
        if label.casefold() == "tổ dân phố":
            return f"Tổ trưởng {group_name}"
        name = group_name
        if name.casefold().startswith(label.casefold() + " "):
            name = name[len(label) + 1 :]
        return f"Trưởng {label.lower()} {name}"


class ResidentialGroup(Base):
    """A residential group (tổ dân phố) or village (thôn), optionally bound to a group chat."""

    __tablename__ = "residential_groups"
    __table_args__ = (UniqueConstraint("ward_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    leader_name: Mapped[str | None] = mapped_column(String(120))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_title: Mapped[str | None] = mapped_column(String(255))
    chat_status: Mapped[ChatStatus | None] = mapped_column(str_enum(ChatStatus))
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ward: Mapped[Ward] = relationship(back_populates="groups")
    households: Mapped[list[Household]] = relationship(back_populates="group")


class Household(Base):
    """A household: an address in one residential group, with an optional ward household code."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("group_id", "house_number", "street"),
        UniqueConstraint("ward_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="CASCADE"), index=True
    )
    house_number: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(String(160))
    code: Mapped[str | None] = mapped_column(String(40))
    # False for an address a resident typed: never offered to others, erased with its resident.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[ResidentialGroup] = relationship(back_populates="households")
    residents: Mapped[list[Resident]] = relationship(back_populates="household")

    @property
    def address(self) -> str:
        return f"{self.house_number} {self.street}".strip()


class Resident(Base):
    """A Telegram user who consented to Loa storing them; the private chat id is telegram_id."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    private_notices: Mapped[bool] = mapped_column(Boolean, default=False)  # normal ones too
    urgent_opt_out: Mapped[bool] = mapped_column(  # emergency overrides it
        Boolean, default=False, server_default=false()
    )
    private_chat_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household | None] = relationship(back_populates="residents")


class RoleGrant(Base):
    """A role held by a Telegram user in a ward; group_leader is scoped to one group."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("telegram_id", "role", "ward_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="CASCADE")
    )
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ward: Mapped[Ward] = relationship()
    group: Mapped[ResidentialGroup | None] = relationship()


class BindCode(Base):
    """A one-time code that binds a Telegram group chat to a residential group."""

    __tablename__ = "bind_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="group")
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("residential_groups.id", ondelete="CASCADE")
    )
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_chat_id: Mapped[int | None] = mapped_column(BigInteger)
