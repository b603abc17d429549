"""Dates and times as officials type them (bot.services.notices.when): local Vietnam time in, UTC
out. The times a draft notice carries are in test_notice_validation.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.common.errors import Invalid
from bot.services.notices.when import (
    combine,
    from_iso,
    future,
    iso,
    local_today,
    parse_date,
    parse_time,
    upcoming_days,
    weekday,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("26/11", date(2026, 11, 26)),
        ("26/11/2026", date(2026, 11, 26)),
        ("26-11-26", date(2026, 11, 26)),
        ("26.11.2026", date(2026, 11, 26)),
        (" 1 / 12 ", date(2026, 12, 1)),
        ("24/11", TODAY),  # today is still this year's
        ("23/11", date(2027, 11, 23)),  # yesterday without a year: next year's
        ("5/1", date(2027, 1, 5)),
        ("29/2/2028", date(2028, 2, 29)),
        ("23/11/2026", date(2026, 11, 23)),  # with a year: as typed (the past is refused later)
    ],
)
def test_dates_as_officials_type_them(typed: str, day: date) -> None:
    assert parse_date(typed, TODAY) == day


@pytest.mark.parametrize(
    "typed", ["", "26", "26/13", "31/11", "29/2/2027", "0/1", "ngày mai", "1/2/3"]
)
def test_impossible_or_unreadable_dates_are_refused(typed: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_date(typed, TODAY)
    assert err.value.key == "when.bad_date"


@pytest.mark.parametrize(
    ("typed", "at"),
    [
        ("7:30", time(7, 30)),
        ("7h30", time(7, 30)),
        ("7H30", time(7, 30)),
        ("07.30", time(7, 30)),
        ("14h", time(14, 0)),
        ("14g", time(14, 0)),
        ("14", time(14, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_times_as_officials_type_them(typed: str, at: time) -> None:
    assert parse_time(typed) == at


@pytest.mark.parametrize("typed", ["", "24:00", "7:60", "7:5", "sáng", "7h30p", "-1"])
def test_impossible_or_unreadable_times_are_refused(typed: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_time(typed)
    assert err.value.key == "when.bad_time"


@given(day=st.dates(min_value=TODAY, max_value=date(2099, 12, 31)))
def test_any_coming_date_reads_back_in_every_spelling(day: date) -> None:
    for typed in (f"{day.day}/{day.month}/{day.year}", f"{day:%d-%m-%Y}", f"{day:%d.%m.%y}"):
        assert parse_date(typed, TODAY) == day
    if day < TODAY.replace(year=TODAY.year + 1):  # within a year: the year may be left out
        assert parse_date(f"{day.day}/{day.month}", TODAY) == day


@given(at=st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_any_time_reads_back(at: time) -> None:
    assert parse_time(f"{at.hour}h{at.minute:02d}") == at
    assert parse_time(f"{at:%H:%M}") == at


def test_local_times_become_utc_and_back() -> None:
    moment = combine(date(2026, 11, 26), time(7, 30), HCM)
    assert moment == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert local_today(datetime(2026, 11, 24, 17, 30, tzinfo=UTC), HCM) == date(2026, 11, 25)
    days = upcoming_days(datetime(2026, 11, 24, 17, 30, tzinfo=UTC), HCM, count=3)
    assert days == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]
    assert weekday(TODAY) == "tue" and weekday(date(2026, 11, 29)) == "sun"
    assert from_iso(iso(moment)) == moment and iso(None) is None and from_iso("") is None


def test_a_moment_must_be_in_the_future() -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert future(now + timedelta(seconds=1), now) == now + timedelta(seconds=1)
    with pytest.raises(Invalid) as err:
        future(now, now)
    assert err.value.key == "when.past"
