"""The composer's draft: enums and small dataclasses, kept in FSM data through `as_dict`.

The FSM storage (database or Redis) holds JSON, so the draft goes in as a plain dict and comes
back through `from_dict`; the shape of that dict is the one drafts always had, so a draft saved
before an upgrade is read after it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from bot.config import Settings
from bot.services.notices.when import combine
from models import Urgency


class NoticeKind(enum.StrEnum):
    NOTICE = "notice"
    EVENT = "event"
    EMERGENCY = "emergency"

    @classmethod
    def of(cls, value: object) -> NoticeKind:
        """A kind as stored or pressed; anything unknown is a plain notice."""
        return cls(str(value)) if value in cls._value2member_map_ else cls.NOTICE


class AudienceKind(enum.StrEnum):
    WARD = "ward"  # every group of the ward
    LEADERS = "leaders"  # the group leaders only
    GROUPS = "groups"  # the groups named in `group_ids`


class MediaType(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class EventField(enum.StrEnum):
    """The event's optional lines the composer asks for, one step each."""

    PLACE = "place"
    ELIGIBLE = "eligible"
    BRING = "bring"


@dataclass
class Audience:
    kind: AudienceKind = AudienceKind.WARD
    group_ids: list[int] = field(default_factory=list)
    # A consultation reaches every registered resident of its groups in private as well.
    every_resident: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Audience:
        data = data or {}
        ids = [int(g) for g in data.get("group_ids") or []]
        kind = AudienceKind(data.get("kind") or AudienceKind.WARD)
        return cls(kind, ids, bool(data.get("every_resident")))

    def as_dict(self) -> dict[str, Any]:
        """As a Notice stores it (and the outbox reads it)."""
        out: dict[str, Any] = {"kind": self.kind.value, "group_ids": list(self.group_ids)}
        if self.every_resident:
            out["every_resident"] = True
        return out


@dataclass
class Media:
    """A photo or document sent with the notice (sent again by file_id)."""

    type: MediaType
    file_id: str
    name: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Media | None:
        if not data:
            return None
        return cls(MediaType(data["type"]), data["file_id"], data.get("name") or "")

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type.value, "file_id": self.file_id, "name": self.name}


@dataclass
class Event:
    """An event's day and time (ISO, local) and its optional lines; None: not given."""

    date: str | None = None
    time: str | None = None
    place: str | None = None
    eligible: str | None = None
    bring: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Event:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def as_dict(self) -> dict[str, str]:
        """Only what was given, as a Notice stores it."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def put(self, name: EventField, value: str | None) -> None:
        setattr(self, name.value, value or None)

    def get(self, name: EventField) -> str | None:
        value = getattr(self, name.value)
        return None if value is None else str(value)


@dataclass
class Draft:
    ward_id: int
    author: int
    kind: NoticeKind = NoticeKind.NOTICE
    text: str = ""
    media: Media | None = None
    event: Event = field(default_factory=Event)
    audience: Audience = field(default_factory=Audience)
    urgency: Urgency = Urgency.NORMAL  # normal or urgent; an emergency is a kind
    send_at: str | None = None  # ISO, UTC; None: now
    expires_at: str | None = None
    remind: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(
            ward_id=int(data["ward_id"]),
            author=int(data["author"]),
            kind=NoticeKind.of(data.get("kind")),
            text=data.get("text") or "",
            media=Media.from_dict(data.get("media")),
            event=Event.from_dict(data.get("event")),
            audience=Audience.from_dict(data.get("audience")),
            urgency=Urgency(data.get("urgency") or Urgency.NORMAL),
            send_at=data.get("send_at"),
            expires_at=data.get("expires_at"),
            remind=bool(data.get("remind", True)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ward_id": self.ward_id,
            "author": self.author,
            "kind": self.kind.value,
            "text": self.text,
            "media": self.media.as_dict() if self.media else None,
            "event": self.event.as_dict(),
            "audience": self.audience.as_dict(),
            "urgency": self.urgency.value,
            "send_at": self.send_at,
            "expires_at": self.expires_at,
            "remind": self.remind,
        }

    @property
    def level(self) -> Urgency:
        return Urgency.EMERGENCY if self.kind is NoticeKind.EMERGENCY else self.urgency

    def event_at(self, settings: Settings) -> datetime | None:
        ev = self.event
        if self.kind is not NoticeKind.EVENT or ev.date is None or ev.time is None:
            return None
        return combine(date.fromisoformat(ev.date), time.fromisoformat(ev.time), settings.tz)
