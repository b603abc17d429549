"""What a draft notice must satisfy before it is submitted
(bot.services.notices.announcements.validate), and the times it carries: the event, when it
goes out (quiet hours), when it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_settings
from bot.services.common.errors import Invalid
from bot.services.notices.announcements import (
    MAX_TEXT,
    check_text,
    expiry,
    send_time,
    short_notice,
    validate,
)
from bot.services.notices.drafts import Draft

SETTINGS = load_settings(_env_file=None, quiet_hours="21:00-06:30", short_notice_hours=72)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 09:00 in Vietnam


def draft(**fields: Any) -> Draft:
    return Draft.from_dict({"ward_id": 1, "author": 7, "text": "Họp tổ dân phố số 13.", **fields})


def refusal(d: Draft) -> str:
    with pytest.raises(Invalid) as err:
        validate(d, SETTINGS, NOW)
    return err.value.key


def local_iso(day: int, hour: int, minute: int = 0) -> str:
    """A moment given in Vietnam time, stored as the draft stores it (ISO, UTC)."""
    return (datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)).isoformat()


def test_a_plain_notice_now_is_valid() -> None:
    validate(draft(), SETTINGS, NOW)
    validate(draft(kind="emergency", text="Bão số 3"), SETTINGS, NOW)
    validate(draft(audience={"kind": "groups", "group_ids": [4]}), SETTINGS, NOW)


def test_the_text_is_trimmed_and_must_be_there_and_fit() -> None:
    assert check_text("  Họp tổ \n") == "Họp tổ"
    assert check_text("x" * MAX_TEXT) == "x" * MAX_TEXT
    assert refusal(draft(text="")) == "announce.empty"
    assert refusal(draft(text=" \n\t ")) == "announce.empty"
    with pytest.raises(Invalid) as err:
        check_text("x" * (MAX_TEXT + 1))
    assert err.value.key == "announce.too_long"
    assert err.value.params == {"length": MAX_TEXT + 1, "limit": MAX_TEXT}


def test_kind_event_and_audience_are_checked() -> None:
    # An unknown kind (a draft saved by an older version) reads as a plain notice, as approval
    # cards always did (bot.services.notices.drafts.NoticeKind).
    validate(draft(kind="rumour"), SETTINGS, NOW)
    assert (
        refusal(draft(kind="event", event={"date": "2026-11-26"})) == "announce.event_incomplete"
    )
    assert refusal(draft(audience={"kind": "groups", "group_ids": []})) == "announce.no_groups"
    past = {"date": "2026-11-24", "time": "08:59"}
    assert refusal(draft(kind="event", event=past)) == "when.past"
    validate(draft(kind="event", event={"date": "2026-11-24", "time": "09:01"}), SETTINGS, NOW)


def test_a_send_time_in_the_past_is_refused() -> None:
    assert refusal(draft(send_at=(NOW - timedelta(minutes=1)).isoformat())) == "when.past"
    assert refusal(draft(send_at=NOW.isoformat())) == "when.past"
    validate(draft(send_at=(NOW + timedelta(minutes=1)).isoformat()), SETTINGS, NOW)


def test_an_expiry_before_the_notice_goes_out_is_refused_quiet_hours_included() -> None:
    at_night = draft(send_at=local_iso(24, 22), expires_at=local_iso(24, 23))
    assert refusal(at_night) == "announce.expiry_before_send"  # held until 06:30 the next day
    urgent = draft(send_at=local_iso(24, 22), expires_at=local_iso(24, 23), urgency="urgent")
    validate(urgent, SETTINGS, NOW)  # urgent notices are not held: out at 22:00, gone at 23:00
    assert refusal(draft(expires_at=NOW.isoformat())) == "announce.expiry_before_send"


def test_an_event_notice_carries_its_time_and_expires_after_it() -> None:
    d = draft(kind="event", event={"date": "2026-11-26", "time": "19:30", "place": "Nhà văn hóa"})
    at = d.event_at(SETTINGS)
    assert at == datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
    assert expiry(d, SETTINGS) == at + timedelta(hours=12)
    assert short_notice(d, SETTINGS, NOW) == pytest.approx(58.5)  # under 72 hours' notice
    later = draft(kind="event", event={"date": "2026-12-05", "time": "08:00"})
    assert short_notice(later, SETTINGS, NOW) is None
    own = draft(
        kind="event", event={"date": "2026-11-26", "time": "19:30"}, expires_at=local_iso(27, 7)
    )
    assert expiry(own, SETTINGS) == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert draft(event={"date": "2026-11-26", "time": "19:30"}).event_at(SETTINGS) is None


def test_quiet_hours_hold_normal_notices_only() -> None:
    assert send_time(draft(), SETTINGS, NOW) == (NOW, False)
    night = draft(send_at=local_iso(24, 23, 15))
    go, held = send_time(night, SETTINGS, NOW)
    assert held and go == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 06:30 on the 25th
    for urgent in (
        draft(send_at=local_iso(24, 23, 15), urgency="urgent"),
        draft(send_at=local_iso(24, 23, 15), kind="emergency"),
    ):
        assert send_time(urgent, SETTINGS, NOW) == (
            datetime.fromisoformat(local_iso(24, 23, 15)),
            False,
        )


@given(text=st.text(max_size=MAX_TEXT + 50))
def test_any_text_is_either_accepted_trimmed_or_refused_with_a_reason(text: str) -> None:
    try:
        kept = check_text(text)
    except Invalid as err:
        assert err.key in ("announce.empty", "announce.too_long")
        assert not text.strip() or len(text.strip()) > MAX_TEXT
    else:
        assert kept == text.strip() and 0 < len(kept) <= MAX_TEXT


def test_a_draft_survives_its_round_trip_through_the_fsm_storage() -> None:
    d = draft(
        kind="event",
        event={"date": "2026-11-26", "time": "19:30"},
        audience={"kind": "groups", "group_ids": [1, 2]},
        send_at=local_iso(25, 8),
    )
    assert Draft.from_dict(d.as_dict()) == d
