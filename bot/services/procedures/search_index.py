"""An in-memory index of the guides, built once per catalog version, searched per keystroke.

Scoring, per guide: how much of the query (terms and neighbouring pairs, weighted by rarity)
the guide explains, and how fully the query covers one of its titles or keywords. Words the
index does not know are corrected when one edit away (typos) or split when run together
("khaisinh"); residents' words ("sổ đỏ", "báo tử") are also tried in the catalog's words.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.services.procedures.guides import Guide
from bot.services.procedures.search_text import is_syllable, marked_terms, pairs, rewrite

# How much a match in each part of a guide counts.
W_TITLE, W_KEYWORD, W_SUMMARY, W_CASE = 1.0, 1.0, 0.5, 0.4
PAIR_WEIGHT = 1.5  # a pair ("khai sinh") says more than its two syllables apart
TYPO_PENALTY, REWRITE_PENALTY = 0.8, 0.95
# Typed with accents, "vàng" (gold) is not "vắng" (absent): a match only without accents
# counts this much.
ACCENT_PENALTY = 0.5
COVER_ACCENT_PENALTY = 0.25  # and covers a title or keyword this much
EXPLAINED_SHARE = 0.6  # the rest of the score is the best title/keyword coverage
TITLE_TIEBREAK = 0.05  # among equals, the guide whose own title the query covers best
GOOD_SCORE = 0.58  # below this the best answer is not good enough: a gap is recorded
_PREFILTER = 40  # guides scored in full (coverage) per query
MEMO = 10_000  # answers remembered per index (forgotten all at once when full)


@dataclass(frozen=True)
class Hit:
    guide: Guide
    score: float  # 0..1


@dataclass
class _Term:
    alternatives: list[tuple[str, float]]  # (index term, penalty)
    weight: float  # its share of the query
    accented: str | None = None  # as typed, when typed with accents


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SearchIndex:
    """Built from guides; `search()` is pure computation (no I/O), safe to share."""

    def __init__(self, guides: Iterable[Guide]) -> None:
        self.guides: list[Guide] = list(guides)
        self.by_code = {g.code: g for g in self.guides}
        self._answers: dict[tuple[str, int], tuple[Hit, ...]] = {}
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._accented: dict[str, set[int]] = defaultdict(set)  # word with accents → guides
        sequences: list[list[list[str]]] = []
        for i, g in enumerate(self.guides):
            sequences.append([])
            fields = [(g.title_vi, W_TITLE), (g.title_en, W_TITLE)]
            fields += [(k, W_KEYWORD) for k in g.keywords]
            fields += [(g.summary_vi, W_SUMMARY), (g.summary_en, W_SUMMARY)]
            fields += [(t, W_CASE) for c in g.cases for t in (c.title_vi, c.title_en)]
            for text, weight in fields:
                marked = marked_terms(text)
                seq = [t for t, _ in marked]
                for _, accented in marked:
                    if accented:
                        self._accented[accented].add(i)
                phrase = weight in (W_TITLE, W_KEYWORD)  # pairs only from names, not prose
                if phrase and seq:
                    sequences[i].append(seq)
                for key in (*seq, *(pairs(seq) if phrase else ())):
                    if self._postings[key].get(i, 0.0) < weight:
                        self._postings[key][i] = weight
        n = max(len(self.guides), 1)
        self._idf = {k: math.log(1 + n / len(p)) for k, p in self._postings.items()}
        self._max_idf = math.log(1 + n)
        self._vocab = {k for k in self._postings if " " not in k}
        # Titles and keywords with each word's weight and the total, for coverage.
        self._phrases: list[list[tuple[list[tuple[str, float]], float]]] = [
            [([(t, self._idf[t]) for t in seq], sum(self._idf[t] for t in seq)) for seq in seqs]
            for seqs in sequences
        ]
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in self._vocab:
            if len(word) >= 3:
                for d in _deletes(word):
                    self._near[d].add(word)

    def __len__(self) -> int:
        return len(self.guides)

    # -- query analysis --------------------------------------------------------------------

    def _typo_fixes(self, word: str) -> list[str]:
        """Index words one edit (insert, delete, change, swap) away from `word`."""
        if len(word) < 4:
            return []
        found = set(self._near.get(word, ()))  # one letter too many
        for d in _deletes(word):
            found |= {w for w in self._near.get(d, ()) if len(w) == len(word)}  # changed/swapped
            if d in self._vocab:
                found.add(d)
        return sorted(found)

    def _splits(self, word: str) -> list[str]:
        for cut in range(2, len(word) - 1):
            a, b = word[:cut], word[cut:]
            if a in self._vocab and b in self._vocab:
                return [a, b]
        return []

    def _analyse(self, text: str) -> tuple[list[_Term], list[str]]:
        out: list[_Term] = []
        seq: list[str] = []
        typed: dict[str, str | None] = {}
        for word, accented in marked_terms(text):
            typed.setdefault(word, accented)  # each word once, in order
        for word, accented in typed.items():
            if word in self._vocab:
                out.append(_Term([(word, 1.0)], self._idf[word], accented))
                seq.append(word)
            elif accented and is_syllable(word):
                # A real word typed with its accents ("thất nghiệp", "trần") is not a typo of
                # a catalog word: correcting it would answer a question nobody asked.
                out.append(_Term([], self._max_idf))
                seq.append(word)
            elif fixes := self._typo_fixes(word):
                weight = max(self._idf[f] for f in fixes)
                out.append(_Term([(f, TYPO_PENALTY) for f in fixes], weight))
                seq.append(fixes[0] if len(fixes) == 1 else word)
            elif parts := self._splits(word):
                out.extend(_Term([(p, TYPO_PENALTY)], self._idf[p]) for p in parts)
                seq.extend(parts)
            else:
                out.append(_Term([], self._max_idf))  # a word we know nothing about
                seq.append(word)
        return out, pairs(seq)

    # -- scoring ---------------------------------------------------------------------------

    def _score(self, text: str) -> dict[int, float]:
        query, query_pairs = self._analyse(text)
        raw: dict[int, float] = defaultdict(float)
        total = 0.0
        for term in query:
            total += term.weight
            if len(term.alternatives) == 1:  # the usual case: no dictionary of bests
                word, penalty = term.alternatives[0]
                idf = self._idf[word] * penalty
                best = {i: idf * w for i, w in self._postings[word].items()}
            else:
                best = {}
                for word, penalty in term.alternatives:
                    idf = self._idf[word] * penalty
                    for i, w in self._postings[word].items():
                        if best.get(i, 0.0) < idf * w:
                            best[i] = idf * w
            if term.accented:  # never above term.weight: idf · weight · penalty ≤ idf
                spelt = self._accented.get(term.accented, set())
                for i, s in best.items():
                    raw[i] += s if i in spelt else s * ACCENT_PENALTY
            else:
                for i, s in best.items():
                    raw[i] += s
        for pair in query_pairs:
            pair_idf = self._idf.get(pair)
            if pair_idf is None:
                continue  # an unknown pair neither helps nor counts against
            total += PAIR_WEIGHT * pair_idf
            for i, w in self._postings[pair].items():
                raw[i] += PAIR_WEIGHT * pair_idf * w
        if not raw or total <= 0:
            return {}
        ranked = heapq.nlargest(_PREFILTER, raw, key=raw.__getitem__)
        out = {}
        for i in ranked:
            found = self._found(query, i)
            out[i] = (1 - TITLE_TIEBREAK) * (
                EXPLAINED_SHARE * min(raw[i] / total, 1.0)
                + (1 - EXPLAINED_SHARE) * self._coverage(self._phrases[i], found)
            ) + TITLE_TIEBREAK * self._coverage(self._phrases[i][:1], found)
        return out

    def _found(self, query: list[_Term], i: int) -> dict[str, float]:
        """The query's terms as guide `i` has them: a word typed with accents that the guide
        spells otherwise ("biển" for "biến") covers its name only in part."""
        found: dict[str, float] = {}
        for term in query:
            share = 1.0
            if term.accented and i not in self._accented.get(term.accented, ()):
                share = COVER_ACCENT_PENALTY
            for t, _ in term.alternatives:
                found[t] = max(found.get(t, 0.0), share)
        return found

    @staticmethod
    def _coverage(
        phrases: list[tuple[list[tuple[str, float]], float]], found: dict[str, float]
    ) -> float:
        """How completely the query covers the best-matching of these titles or keywords."""
        best = 0.0
        for words, whole in phrases:
            got = sum(idf * found.get(t, 0.0) for t, idf in words)
            if got > best * whole:
                best = got / whole
        return best

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """Best guides for `text`, best first. Exact codes ("1.001193") come first.

        Answers are remembered (the index never changes; a new catalog is a new index): the
        same few questions ("làm giấy khai sinh", "đăng ký tạm trú") come again and again."""
        key = (text, limit)
        hits = self._answers.get(key)
        if hits is None:
            if len(self._answers) >= MEMO:
                self._answers.clear()
            hits = self._answers[key] = tuple(self._search(text, limit))
        return list(hits)

    def _search(self, text: str, limit: int) -> list[Hit]:
        exact = self.by_code.get(text.strip())
        if exact is not None:
            return [Hit(exact, 1.0)]
        scores = self._score(text)
        alt = rewrite(text)
        if alt is not None:
            for i, s in self._score(alt).items():
                scores[i] = max(scores.get(i, 0.0), s * REWRITE_PENALTY)
        for i in scores:
            if not self.guides[i].in_force:
                scores[i] *= 0.8  # still findable, but the one in force ranks first
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.guides[kv[0]].code))
        return [Hit(self.guides[i], round(s, 4)) for i, s in ranked[:limit] if s > 0]

    def codes(self) -> Sequence[str]:
        return [g.code for g in self.guides]
