"""`make bench`: every benchmark, one after the other, printing their figures."""

from __future__ import annotations

import subprocess
import sys

BENCHES = (
    "bench.search_quality",
    "bench.procedures_search",
    "bench.delivery",
    "bench.verify",
    "bench.stats",
)

if __name__ == "__main__":
    failed = 0
    for module in BENCHES:
        print(f"\n=== {module}", flush=True)
        failed |= subprocess.call([sys.executable, "-m", module])
    sys.exit(failed)
