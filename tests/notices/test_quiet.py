"""Quiet hours hold normal notices until the morning (the window may cross midnight)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.services.notices.quiet import release_time

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = (time(21, 0), time(6, 30))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=HCM)


@pytest.mark.parametrize(
    ("sent", "released"),
    [
        (local(23, 20, 59), local(23, 20, 59)),  # before quiet hours: at once
        (local(23, 21, 0), local(24, 6, 30)),  # evening: next morning
        (local(24, 2, 15), local(24, 6, 30)),  # after midnight: this morning
        (local(24, 6, 30), local(24, 6, 30)),  # the end of the window is not quiet
    ],
)
def test_release_time_crosses_midnight(sent: datetime, released: datetime) -> None:
    assert release_time(sent.astimezone(UTC), NIGHT, HCM) == released


def test_daytime_window_and_off() -> None:
    lunch = (time(11, 30), time(13, 30))
    assert release_time(local(23, 12), lunch, HCM) == local(23, 13, 30)
    assert release_time(local(23, 22), None, HCM) == local(23, 22)


def test_quiet_hours_setting_is_checked() -> None:
    assert load_settings(_env_file=None).quiet_window == NIGHT
    assert load_settings(_env_file=None, quiet_hours="off").quiet_window is None
    with pytest.raises(ConfigError, match="LOA_QUIET_HOURS"):
        load_settings(_env_file=None, quiet_hours="21h-6h")
