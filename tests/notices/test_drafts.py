"""The composer's draft in FSM storage: typed inside, the same JSON outside."""

from __future__ import annotations

import json

from bot.services.notices.drafts import (
    Audience,
    AudienceKind,
    Draft,
    Event,
    EventField,
    Media,
    MediaType,
    NoticeKind,
)
from models import Urgency

# A draft as the composer saved it before it had types (what FSM storage may still hold).
SAVED = {
    "ward_id": 3,
    "author": 100,
    "kind": "event",
    "text": "Tiêm chủng",
    "media": {"type": "photo", "file_id": "AgAD", "name": "photo.jpg"},
    "event": {"date": "2026-11-30", "time": "08:00", "place": "Nhà văn hóa"},
    "audience": {"kind": "groups", "group_ids": [7, 5]},
    "urgency": "urgent",
    "send_at": None,
    "expires_at": None,
    "remind": False,
}


def test_a_saved_draft_reads_typed_and_writes_back_the_same() -> None:
    draft = Draft.from_dict(json.loads(json.dumps(SAVED)))
    assert draft.kind is NoticeKind.EVENT and draft.urgency is Urgency.URGENT
    assert draft.media == Media(MediaType.PHOTO, "AgAD", "photo.jpg")
    assert draft.audience == Audience(AudienceKind.GROUPS, [7, 5])
    assert draft.event.place == "Nhà văn hóa" and draft.event.bring is None
    assert draft.as_dict() == SAVED
    assert json.loads(json.dumps(draft.as_dict())) == SAVED  # plain JSON for the storage


def test_defaults_and_unknown_values() -> None:
    fresh = Draft(ward_id=1, author=2)
    assert Draft.from_dict(fresh.as_dict()) == fresh
    assert fresh.as_dict()["audience"] == {"kind": "ward", "group_ids": []}
    assert Draft.from_dict({**fresh.as_dict(), "kind": "tpl"}).kind is NoticeKind.NOTICE
    assert Draft.from_dict({**fresh.as_dict(), "kind": "emergency"}).level is Urgency.EMERGENCY
    assert Audience.from_dict({"kind": "ward"}) == Audience()  # as older notices store it


def test_event_lines_are_set_and_cleared_by_field() -> None:
    event = Event.from_dict({"date": "2026-11-30", "time": "08:00", "unknown": "x"})
    event.put(EventField.BRING, "CCCD")
    event.put(EventField.PLACE, "Sân UBND")
    event.put(EventField.PLACE, None)  # skipped after all
    assert event.get(EventField.BRING) == "CCCD"
    assert event.as_dict() == {"date": "2026-11-30", "time": "08:00", "bring": "CCCD"}
    assert Event().as_dict() == {}
