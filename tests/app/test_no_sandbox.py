"""The Docker image leaves sandbox/ out: everything it runs still imports, and `loa demo` says
in one catalog line that it needs the sandbox (exit code 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.texts import Catalog

# A fresh interpreter where `import sandbox` fails as it does in the image.
NO_SANDBOX = """
import sys
sys.modules["sandbox"] = None  # ModuleNotFoundError: the package is not there
import bot.app, bot.runtime, bot.delivery, handlers, broadcasts.engine
from bot.cli.main import main
sys.argv = ["loa", "demo", "--no-keep"]
main()
"""


def test_demo_without_the_sandbox_says_so_in_one_line(env: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_SANDBOX], capture_output=True, text=True, timeout=50
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert output.splitlines() == [
        "configuration error: " + Catalog("vi").text("demo.no_sandbox")
    ], output
    assert not (env / "demo-out").exists()  # it stopped before touching anything
