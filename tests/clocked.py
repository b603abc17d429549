"""`python -m tests.clocked ISO-MOMENT ARGS...`: the `loa` command with its clock set to MOMENT.

Tests that start `loa` as a subprocess hand it their own clock, so a parent and a child agree on
leases and schedules whatever the wall clock says.
"""

from __future__ import annotations

import sys
from datetime import datetime

from models import clock


def argv(*args: str) -> list[str]:
    """The command line that runs `loa ARGS` on this test's clock (as it reads now)."""
    return [sys.executable, "-m", "tests.clocked", clock.utcnow().isoformat(), *args]


def main() -> None:
    moment, *args = sys.argv[1:]
    clock.install(clock.ManualClock(datetime.fromisoformat(moment)))
    from bot.cli.main import main as loa

    sys.argv = ["loa", *args]
    loa()


if __name__ == "__main__":
    main()
