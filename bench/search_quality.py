"""Search quality on the held-out phrasings: `python -m bench.search_quality`.

Two figures (issue 15): top-1 on questions a guide answers, and how many questions no guide
answers still get a confident first answer (a wrong confident answer). The held-out set
(tests/data/procedure_queries_heldout.yaml) is never used for tuning; see its header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.services.procedures.catalog import DEFAULT_CATALOG, load_catalog
from bot.services.procedures.search_index import GOOD_SCORE, SearchIndex

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "procedure_queries_heldout.yaml"


@dataclass
class Figures:
    answerable: int = 0
    top1: int = 0
    unanswerable: int = 0
    confident_wrong: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def top1_share(self) -> float:
        return self.top1 / max(self.answerable, 1)

    @property
    def wrong_share(self) -> float:
        return self.confident_wrong / max(self.unanswerable, 1)

    def lines(self) -> list[str]:
        return [
            f"held-out top-1: {self.top1}/{self.answerable} = {self.top1_share:.1%}",
            f"wrong confident answers to unanswerable questions: "
            f"{self.confident_wrong}/{self.unanswerable} = {self.wrong_share:.1%}",
        ]


def load_heldout(path: Path = HELDOUT) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def measure(index: SearchIndex, data: dict[str, Any]) -> Figures:
    """Both figures for one query set (`queries` with `accept`, `unanswerable`)."""
    out = Figures()
    for item in data["queries"]:
        hits = index.search(item["q"], 1)
        out.answerable += 1
        if hits and hits[0].guide.code in item["accept"]:
            out.top1 += 1
        else:
            got = f"{hits[0].guide.code} {hits[0].score}" if hits else "nothing"
            out.misses.append(f"miss {item['q']!r}: got {got}, want {item['accept']}")
    for q in data["unanswerable"]:
        hits = index.search(q, 1)
        out.unanswerable += 1
        if hits and hits[0].score >= GOOD_SCORE:
            out.confident_wrong += 1
            out.misses.append(f"confident {q!r}: {hits[0].guide.code} {hits[0].score}")
    return out


def main() -> None:
    figures = measure(SearchIndex(load_catalog(DEFAULT_CATALOG)), load_heldout())
    print("\n".join([*figures.lines(), *figures.misses]))


if __name__ == "__main__":
    main()
