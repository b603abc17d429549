"""Search scoring (bot.services.procedures.search_index, search_text) on a small made-up
catalog, so each rule is seen on its own: accents optional but telling when typed, typos
forgiven, ranking by score, exact codes first, the procedure in force before the one it
replaced."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.procedures.guides import Case, Guide
from bot.services.procedures.search_index import SearchIndex
from bot.services.procedures.search_text import fold


def guide(code: str, title: str, *keywords: str, status: str = "in_force") -> Guide:
    case = Case("c1", title, title, (), ("Nộp hồ sơ",), ("Submit",), "0", "0", "1", "1")
    return Guide(
        code=code, title_vi=title, title_en=code, field="khac", summary_vi=title,
        summary_en=code, keywords=keywords, cases=(case,), where_vi="Phường", where_en="Ward",
        online=False, portal_url="", legal_basis=(), verified_on=None, status=status,
    )  # fmt: skip


GUIDES = [
    guide("KS.1", "Đăng ký khai sinh", "làm giấy khai sinh", "khai sinh cho con"),
    guide("KT.1", "Đăng ký khai tử", "báo tử", "người thân mất"),
    guide("KH.1", "Đăng ký kết hôn", "cưới", "giấy kết hôn"),
    guide("CT.1", "Chứng thực bản sao từ bản chính", "sao y", "công chứng bản sao"),
    guide("TR.1", "Đăng ký thường trú", "nhập hộ khẩu"),
    guide("TB.1", "Trợ cấp thương binh", "người có công"),
    guide("GH.1", "Gia hạn tạm trú", "tạm trú", status="replaced"),
    guide("GH.2", "Gia hạn tạm trú", "tạm trú"),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(GUIDES)


def top(index: SearchIndex, query: str) -> str | None:
    hits = index.search(query)
    return hits[0].guide.code if hits else None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Đăng ký khai sinh", "KS.1"),
        ("dang ky khai sinh", "KS.1"),
        ("ĐĂNG KÝ KHAI SINH", "KS.1"),
        ("khai sinh cho con", "KS.1"),
        ("đăng kí kết hôn", "KH.1"),  # kí and ký are one spelling
        ("bao tu", "KT.1"),
        ("sao y ban chinh", "CT.1"),
    ],
)
def test_accents_and_case_are_optional(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


def test_accents_when_typed_tell_words_apart(index: SearchIndex) -> None:
    # "thường" (permanent) and "thương" (wounded) fold to the same "thuong".
    assert top(index, "thường") == "TR.1"
    assert top(index, "thương") == "TB.1"
    plain = {h.guide.code for h in index.search("thuong")}
    assert {"TR.1", "TB.1"} <= plain  # typed without accents: both are candidates


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("khai sihn", "KS.1"),
        ("dang ki ket hno", "KH.1"),
        ("chung thucc", "CT.1"),
        ("khaisinh", "KS.1"),
    ],
)
def test_typos_and_missing_spaces_are_forgiven(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


def test_ranking_exact_codes_and_noise(index: SearchIndex) -> None:
    hits = index.search("đăng ký khai sinh", limit=3)
    assert len(hits) <= 3 and hits[0].guide.code == "KS.1"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score > hits[1].score  # khai tử shares "đăng ký" and "khai", not "sinh"
    assert index.search("CT.1") == index.search(" CT.1 ")
    (exact,) = index.search("CT.1")
    assert exact.guide.code == "CT.1" and exact.score == 1.0
    assert index.search("xyzzy qwerty") == []
    assert index.search("") == []


def test_the_procedure_in_force_ranks_above_the_one_it_replaced(index: SearchIndex) -> None:
    hits = index.search("gia hạn tạm trú")
    assert [h.guide.code for h in hits[:2]] == ["GH.2", "GH.1"]
    assert hits[1].score == pytest.approx(hits[0].score * 0.8, abs=1e-3)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ", max_size=40))
def test_fold_is_plain_ascii_and_idempotent(text: str) -> None:
    folded = fold(text)
    assert folded.isascii() and folded == folded.lower() and fold(folded) == folded
    assert len(folded) == len(text)


@settings(max_examples=150, deadline=None)
@given(query=st.text(alphabet=VIETNAMESE + " .0123456789", max_size=30))
def test_any_query_gets_at_most_limit_hits_best_first_scored_in_0_1(
    index: SearchIndex, query: str
) -> None:
    hits = index.search(query, limit=4)
    assert len(hits) <= 4
    assert all(0 < h.score <= 1 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search(query, limit=4) == hits  # pure: same query, same answer
