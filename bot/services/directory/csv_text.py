"""Reading and writing the ward's CSV files safely: standard quoting, bounded, no formulas.

Reading follows RFC 4180 (a quote inside a quoted cell is doubled), accepts Excel's "CSV UTF-8"
(with its byte-order mark) and files separated by semicolons or tabs. Only the separator is
chosen, as the one that yields the expected column names; quoting rules are never guessed, so
a street written `Ngõ 3, "Ao Sen"` in a spreadsheet reads back exactly. Size, row count and
cell length are
bounded so a wrong or hostile file fails in a moment with a clear line.

Writing neutralises cells that a spreadsheet would run as a formula (OWASP "CSV injection"):
such a cell gets a leading apostrophe, and reading removes exactly that apostrophe again, so a
file Loa exported re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

MAX_BYTES = 5_000_000  # a ward of 20,000 households is about 2 MB
MAX_ROWS = 50_000
MAX_CELL = 1_000  # characters; the longest column allows 160
MAX_PROBLEMS = 50  # shown in a report; the rest are counted
SEPARATORS = (",", ";", "\t")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA = re.compile(r"'*[=+\-@\t\r]")  # what a spreadsheet may evaluate (after our quotes)
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """A cell safe to open in a spreadsheet; `restore` gives `value` back exactly."""
    return "'" + value if _FORMULA.match(value) else value


def restore(value: str) -> str:
    return value[1:] if _NEUTRALISED.match(value) else value


def write_rows(rows: Iterable[Iterable[object]]) -> str:
    """CSV text (RFC 4180 quoting, "\\n" line ends) with every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return buf.getvalue()


def control_characters(name: str, text: str) -> list[str]:
    """One `file:line: problem` per line holding NUL or another invisible control character."""
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        if found := _CONTROL.search(line.removesuffix("\r")):
            problems.append(
                f"{name}:{number}: control character U+{ord(found.group()):04X} is not allowed "
                "(save the file again as CSV UTF-8)"
            )
    return problems


def _header(text: str, separator: str) -> list[str]:
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])
    except csv.Error:
        return []
    return [" ".join(h.split()).lower() for h in first]


def read_table(
    name: str, text: str, required: tuple[str, ...], problems: list[str]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of a CSV text; problems are appended as `file:line: ...`.

    The header is lower-cased with spaces collapsed; cells come back as written (apostrophes
    added by `neutralise` removed). Returns no rows when the file cannot be read safely.
    """
    text = text.removeprefix("\ufeff")
    if bad := control_characters(name, text):
        problems.extend(bad)
        return [], []
    separator = next(
        (s for s in SEPARATORS if set(required) <= set(_header(text, s))), SEPARATORS[0]
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        for cells in reader:
            if not header:
                header = [" ".join(h.split()).lower() for h in cells]
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(
                    f"{name}:{reader.line_num}: more than {MAX_ROWS} rows; split the file"
                )
                return header, []
            if any(len(c) > MAX_CELL for c in cells):
                problems.append(
                    f"{name}:{reader.line_num}: a cell is longer than {MAX_CELL} characters"
                )
                continue
            rows.append((reader.line_num, [restore(c) for c in cells]))
    except csv.Error as exc:
        detail = (
            f"a cell is longer than {MAX_CELL} characters"
            if "field larger" in str(exc)
            else f"not readable as CSV ({exc})"
        )
        problems.append(f"{name}:{max(reader.line_num, 1)}: {detail}")
        return header, []
    return header, rows


def capped(problems: list[str], limit: int = MAX_PROBLEMS) -> list[str]:
    """The first `limit` problems, then one line counting the rest."""
    if len(problems) <= limit:
        return problems
    return [*problems[:limit], f"... and {len(problems) - limit} more problem(s) not shown"]
