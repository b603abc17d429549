"""Search quality on phrasings the search was never tuned on (issue 15)."""

from __future__ import annotations

import yaml

from bench.search_quality import load_heldout, measure
from bot.services.procedures.guides import Guide
from bot.services.procedures.search_index import SearchIndex
from tests.procedures.test_procedure_search import QUERIES


def test_heldout_set_is_apart_from_the_tuning_set() -> None:
    tuning = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    tuned = {item["q"].lower() for item in tuning["queries"]} | {q.lower() for q in tuning["gaps"]}
    data = load_heldout()
    held = [item["q"].lower() for item in data["queries"]]
    held += [q.lower() for q in data["unanswerable"]]
    assert len(held) >= 60 and len(data["unanswerable"]) >= 15
    assert not tuned & set(held)


def test_heldout_top1_and_wrong_confident_answers(shipped_guides: list[Guide]) -> None:
    figures = measure(SearchIndex(shipped_guides), load_heldout())
    print("\n" + "\n".join([*figures.lines(), *figures.misses]))
    assert figures.top1_share >= 0.90, figures.misses
    assert figures.confident_wrong * 20 <= figures.unanswerable, figures.misses
