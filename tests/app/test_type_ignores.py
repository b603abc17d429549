"""Every `# type: ignore` names its error code and says why on the same line.

mypy enforces the code (`ignore-without-code`) and drops the ones that no longer suppress
anything (`warn_unused_ignores`); the reason is for the reader, and only a test can ask for it.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("bot", "handlers", "models", "broadcasts", "migrations", "tests", "bench", "sandbox")
# `# type: ignore[code, code]  # why`: the reason is a further comment of a few words.
GOOD = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(?:,\s*[a-z-]+)*\]\s+#\s*\S.{4,}")
ANY = re.compile(r"#\s*type:\s*ignore\b")


def unexplained(source: str) -> list[tuple[int, str]]:
    """(line, comment) of each suppression without a code or without a reason."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and ANY.search(tok.string):
            if not GOOD.search(tok.string):
                found.append((tok.start[0], tok.string))
    return found


def test_the_check_tells_a_bare_ignore_from_an_explained_one() -> None:
    assert unexplained("x = f()  # type: ignore\n") == [(1, "# type: ignore")]
    assert unexplained("x = f()  # type: ignore[arg-type]\n")
    assert unexplained("x = f()  # type: ignore[arg-type]  #\n")
    assert not unexplained(
        "x = f()  # type: ignore[arg-type]  # the stub says int, it is a float\n"
    )
    assert not unexplained(
        "x = f()  # type: ignore[arg-type, return-value]  # stub is too narrow\n"
    )
    assert not unexplained('s = "# type: ignore"  # a string, not a comment\n')


def test_every_type_ignore_in_the_tree_has_a_code_and_a_reason() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {comment}"
        for top in CHECKED
        for path in sorted((ROOT / top).rglob("*.py"))
        for line, comment in unexplained(path.read_text(encoding="utf-8"))
    ]
    assert not bad, "a type: ignore needs [its-code] and '# why' on the same line:\n" + "\n".join(
        bad
    )
