"""Long texts cut where a person would, within Telegram's limits: bot.text.split_text (relayed
questions and answers, counted in characters of the HTML) and broadcasts.render (notices,
counted as Telegram counts, in UTF-16 units of the visible text)."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import TEXT_LIMIT, split_text
from broadcasts.render import CAPTION_LIMIT, Marks, _pieces, render, tg_len

MARKS = Marks(header="📢 THÔNG BÁO", correction="✏️ ĐÍNH CHÍNH", cancelled="❌ ĐÃ HỦY",
              continued="(tiếp)")  # fmt: skip
VI_WORDS = ["Ủy", "ban", "nhân", "dân", "phường", "thông", "báo", "lịch", "cắt", "điện",
            "nước", "ngày", "mười", "lăm", "tổ", "dân", "phố", "số", "họp", "khẩn"]  # fmt: skip
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27);")


def rejoined(text: str, parts: list[str]) -> bool:
    """The parts are the text in order, with nothing between them but whitespace."""
    pos = 0
    for part in parts:
        at = text.find(part, pos)
        if at < 0 or text[pos:at].strip():
            return False
        pos = at + len(part)
    return not text[pos:].strip()


def entities_whole(part: str) -> bool:
    """Every '&' in the part starts a whole entity (the text was escaped before cutting)."""
    return all(ENTITY.match(part, m.start()) for m in re.finditer("&", part))


def visible(part_html: str) -> str:
    """What Telegram counts: the text after tags and entities are parsed."""
    return html.unescape(re.sub(r"<[^>]+>", "", part_html))


# --- bot.text.split_text ---------------------------------------------------------------


def test_a_text_at_the_limit_is_one_part_and_one_more_character_makes_two() -> None:
    words = " ".join(VI_WORDS * 400)
    exact = words[:TEXT_LIMIT]
    assert split_text(exact) == [exact]
    over = words[: TEXT_LIMIT + 1]
    parts = split_text(over)
    assert len(parts) == 2 and all(len(p) <= TEXT_LIMIT for p in parts)
    assert rejoined(over, parts)


def test_cut_at_a_blank_line_before_a_line_end_before_a_space() -> None:
    para = "a" * 60
    assert split_text(f"{para}\n\n{para} b", limit=100) == [para, f"{para} b"]
    assert split_text(f"{para}\n{para} b", limit=100) == [para, f"{para} b"]
    assert split_text(f"{para} {para}", limit=100) == [para, para]
    # A line end in the first half of the window would leave a short part: a space is used.
    assert split_text(f"ab\n{'c' * 50} {'d' * 60}", limit=100) == [f"ab\n{'c' * 50}", "d" * 60]


def test_a_word_longer_than_the_limit_is_cut_at_the_limit() -> None:
    word = "x" * 250
    parts = split_text(f"đầu {word} cuối", limit=100)
    assert all(0 < len(p) <= 100 for p in parts)
    assert rejoined(f"đầu {word} cuối", parts) and "x" * 100 in parts


def test_vietnamese_words_are_never_cut() -> None:
    text = " ".join(VI_WORDS * 50)
    parts = split_text(text, limit=97)
    assert len(parts) > 1 and rejoined(text, parts)
    for part in parts:
        assert len(part) <= 97 and all(w in VI_WORDS for w in part.split())


def test_an_html_entity_is_never_cut() -> None:
    text = html.escape("&<>" * 100, quote=False)  # one unbroken run of entities
    parts = split_text(text, limit=64)
    assert all(len(p) <= 64 and entities_whole(p) for p in parts)
    assert "".join(parts) == text


def test_whitespace_at_a_cut_never_leaves_an_empty_part() -> None:
    assert split_text(" " * 120 + "x", limit=100) == ["x"]
    assert split_text("y" * 90 + " " * 30, limit=100) == ["y" * 90]
    assert split_text("") == [""]


TOKENS = st.one_of(
    st.sampled_from([*VI_WORDS, " ", " ", "\n", "\n\n", "&amp;", "&lt;", "x" * 30, "😀"]),
    st.text(alphabet="abcđươ", min_size=1, max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(TOKENS, max_size=120), limit=st.integers(min_value=12, max_value=120))
def test_parts_fit_rejoin_and_keep_entities_whole(tokens: list[str], limit: int) -> None:
    text = "".join(tokens)
    parts = split_text(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert rejoined(text, parts)
    assert all(entities_whole(p) for p in parts)
    if text.strip():
        assert all(p.strip() for p in parts)


# --- broadcasts.render -----------------------------------------------------------------


def test_telegram_counts_utf16_units_so_emoji_take_two() -> None:
    assert tg_len("Phường") == 6 and tg_len("😀") == 2
    pieces = _pieces("😀" * 3000, TEXT_LIMIT)
    assert all(tg_len(p) <= TEXT_LIMIT for p in pieces) and "".join(pieces) == "😀" * 3000


def test_a_long_notice_becomes_parts_within_4096_visible_units_with_entities_whole() -> None:
    text = "\n\n".join(
        f"Mục {i}: hộ gia đình <số lẻ> & <số chẵn> nộp tờ khai tại nhà văn hóa. " * 12
        for i in range(12)
    )
    parts = render(text, MARKS, issuer="Ủy ban nhân dân Phường Sông Cầu")
    assert len(parts) > 2
    for part in parts:
        assert tg_len(visible(part.html)) <= TEXT_LIMIT
        assert entities_whole(re.sub(r"<[^>]+>", "", part.html))
    assert parts[0].html.startswith("<b>📢 THÔNG BÁO — Ủy ban nhân dân Phường Sông Cầu</b>")
    assert all(p.html.startswith("<i>(tiếp)</i>\n") for p in parts[1:])
    shown = "".join(visible(p.html).split("\n", 1)[1] for p in parts[1:])
    words = "".join(visible(parts[0].html).split("\n\n", 1)[1].split()) + "".join(shown.split())
    assert words == "".join(text.split())


def test_a_caption_keeps_1024_and_the_rest_follows_as_text() -> None:
    text = " ".join(VI_WORDS * 120)
    parts = render(text, MARKS, media="photo")
    assert parts[0].kind == "photo" and tg_len(visible(parts[0].html)) <= CAPTION_LIMIT
    assert all(p.kind == "text" and tg_len(visible(p.html)) <= TEXT_LIMIT for p in parts[1:])


PIECE_TOKENS = st.sampled_from([*VI_WORDS, " ", "\n", "\n\n", ". ", "! ", "😀", "y" * 40])


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(PIECE_TOKENS, max_size=150), limit=st.integers(min_value=8, max_value=200))
def test_pieces_fit_in_utf16_units_and_keep_every_character(tokens: list[str], limit: int) -> None:
    text = "".join(tokens)
    pieces = _pieces(text, limit)
    assert all(tg_len(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
