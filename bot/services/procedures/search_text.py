"""How residents' words become search terms: accents off, đ→d, stop words out, synonyms in
(regional words such as ba/má/tía and abbreviations such as GPXD, ĐKKD, HKD).

Vietnamese is written syllable by syllable, so a term is one syllable ("khai", "sinh") and
pairs of neighbouring syllables ("khai sinh") carry most of the meaning.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

MAX_QUERY = 200  # characters; longer text is not a search, and the person is told so

_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"\w+")
# Syllables spelt with i or y alike (ký/kí, lý/lí): one form for both.
_I_Y = {"ky": "ki", "ly": "li", "my": "mi", "sy": "si", "ty": "ti", "hy": "hi", "quy": "qui"}
# Vietnamese syllables end in a vowel or c, ch, m, n, ng, nh, p, t; anything else is not one.
_VI_SYLLABLE = re.compile(r"^[bcdghklmnpqrstvx]{0,3}[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
_EN_SUFFIXES = ("ations", "ation", "ings", "ing", "ment", "ers", "ed", "es", "er", "s")

# Words that say nothing about which procedure is meant (question and filler words), as
# written with accents. Typed without accents some of them collide with words that matter
# (cần/căn cước, thế/thẻ, đang/đăng ký, chị/chi phí, sao/bản sao), so those stay search terms
# when a resident types without accents.
STOP_VI = frozenset(
    """
    tôi mình em anh chị bà ông cô bác chú muốn cần phải làm sao thế nào như gì ở đâu khi
    được không à nhé ạ ơi với và hay hoặc thì là của này đó ấy những các một bị đã đang sẽ
    xin hỏi giúp hướng dẫn thủ tục nhiều bao lâu về cho tại người có ra vào đi đến nơi
    chào cảm cám ơn vâng dạ ừ
    tui tao mình việc để hồ sơ giờ bây rồi vừa bữa mấy nữa hả hông nha luôn
    """.split()
)
# "việc" (the matter), "hồ sơ" (the file), "giờ" (now) name no procedure; typed without
# accents some collide with words that do: đẻ (give birth), hộ (household), số, giấy.
_AMBIGUOUS = frozenset(
    "can the dang chi sao em ba co di den noi ra ve de ho so gio roi vua".split()
)
STOP_EN = frozenset(
    """
    i me my we our you your the a an to of for in on at how do does can get what where is are
    need want please with from about and or procedure help apply which when who by as it this
    hello hi hey thanks thank ok okay good morning
    """.split()
)
# Terms residents use for what the catalog calls something else. Keys and values are
# normalised phrases; a match adds the catalog's words to the query (it never removes any).
SYNONYMS: dict[str, str] = {
    "bao tu": "khai tu",
    "giay bao tu": "khai tu",
    "chung tu": "khai tu",
    "qua doi": "khai tu",
    "chet": "khai tu",
    "mat roi": "khai tu",
    "tu tran": "khai tu",
    "tu tran roi": "khai tu",
    "ta the": "khai tu",
    "tia": "cha",
    "ba ma": "cha me",
    "gpxd": "giay phep xay dung",
    "giay phep xd": "giay phep xay dung",
    "cat nha": "xay dung nha o",
    "dkkd": "dang ki ho kinh doanh",
    "giay dkkd": "giay chung nhan dang ki ho kinh doanh",
    "hkd": "ho kinh doanh",
    "ho ca the": "ho kinh doanh",
    "khong ban nua": "cham dut hoat dong",
    "nghi ban": "cham dut hoat dong",
    "dong cua": "cham dut hoat dong",
    "cmt": "can cuoc",
    "chua co vo": "tinh trang hon nhan",
    "chua co chong": "tinh trang hon nhan",
    "chua vo": "tinh trang hon nhan",
    "chua chong": "tinh trang hon nhan",
    "chua lay vo": "tinh trang hon nhan",
    "chua lay chong": "tinh trang hon nhan",
    "ho khau": "thuong tru",
    "bhyt": "bao hiem y te",
    "so ho khau": "thuong tru xac nhan cu tru",
    "nhap khau": "dang ki thuong tru",
    "so do": "quyen su dung dat",
    "so hong": "quyen su dung dat",
    "cong chung": "chung thuc",
    "cong chung photo": "chung thuc ban sao",
    "photo": "ban sao",
    "sao y": "chung thuc ban sao",
    "hon thu": "ket hon",
    "cuoi": "ket hon",
    "lay vo": "ket hon",
    "lay chong": "ket hon",
    "doc than": "tinh trang hon nhan",
    "em be": "khai sinh",
    "con moi sinh": "khai sinh",
    "moi de": "khai sinh",
    "passport": "ho chieu",
    "cmnd": "can cuoc",
    "cccd": "can cuoc",
    "tan tat": "khuyet tat",
    "tien ma chay": "mai tang",
    "dam ma": "mai tang",
    "an tang": "mai tang",
    "nguoi gia": "cao tuoi",
    "luong huu": "huu tri",
    "mo quan": "ho kinh doanh",
    "mo tiem": "ho kinh doanh",
    "buon ban": "ho kinh doanh",
    "giay phep kinh doanh": "ho kinh doanh",
    "xay nha": "giay phep xay dung",
    "sua nha": "sua chua cai tao",
    "bo doi": "nghia vu quan su",
    "di linh": "nghia vu quan su",
    "nvqs": "nghia vu quan su",
    "thue tro": "tam tru",
    "tam chu": "tam tru",  # ch/tr and s/x are often swapped when typing (northern speech)
    "thuong chu": "thuong tru",
    "khai xinh": "khai sinh",
    "o tro": "tam tru",
    "khach o nha": "luu tru",
    "di lam xa": "tam vang",
    "mo coi": "giam ho",
    "thua ke": "di san",
    "chia dat": "phan chia di san",
    "hang xom": "tranh chap",
    "ngheo": "ho ngheo",
    "di chuc": "chung thuc di chuc",
    # English words the catalog's English text spells differently
    "marry": "marriage",
    "married": "marriage",
    "wedding": "marriage",
    "single": "marital status",
    "died": "death",
    "dead": "death",
    "newborn": "birth",
    "baby": "birth",
    "notarize": "certified copy",
    "notarise": "certified copy",
    "notary": "certified copy",
    "shop": "household business",
    "poor": "poor household",
    "disabled": "disability",
    "funeral": "funeral",
}


def fold(text: str) -> str:
    """Lower case without accents, đ→d: "Đăng ký" → "dang ky"."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


# Stop words as typed without accents: the folded Vietnamese ones that collide with nothing.
STOP_ASCII = frozenset(fold(w) for w in STOP_VI) - _AMBIGUOUS | STOP_EN


def is_syllable(word: str) -> bool:
    """A folded word that can be one Vietnamese syllable ("tran", not "sihn")."""
    return bool(_VI_SYLLABLE.match(word))


def _two_syllables(word: str) -> bool:
    """ "khaisinh": two syllables typed without a space (the index splits them)."""
    return any(
        _VI_SYLLABLE.match(word[:cut]) and _VI_SYLLABLE.match(word[cut:])
        for cut in range(2, len(word) - 1)
    )


def stem(word: str) -> str:
    """One spelling per syllable; English words cut to a short stem (register ≈ registration)."""
    if word in _I_Y:
        return _I_Y[word]
    if word.isdigit() or _VI_SYLLABLE.match(word) or _two_syllables(word):
        return word
    if word.endswith("ies") and len(word) > 5:
        word = word[:-3] + "y"  # copies → copy
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def _is_stop(word: str) -> bool:
    """`word` is lower case with its accents; accents decide when they are there."""
    if word in STOP_VI:
        return True
    return word.isascii() and word in STOP_ASCII


def accent_key(word: str) -> str | None:
    """The word as written, when it carries Vietnamese accents (ý and í count as one)."""
    if word.isascii():
        return None
    folded = fold(word)
    if folded in _I_Y:  # ký/kí, lý/lí: same tone mark, either vowel
        return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).replace("y", "i"))
    return word


@functools.lru_cache(maxsize=65536)  # words repeat: building the index folds each once
def _mark(word: str) -> tuple[str, str | None] | None:
    return None if _is_stop(word) else (stem(fold(word)), accent_key(word))


def marked_terms(text: str) -> list[tuple[str, str | None]]:
    """(search term, the accented word it came from or None), in order, stop words out."""
    text = unicodedata.normalize("NFC", text.lower())
    return [m for w in _TOKEN.findall(text) if (m := _mark(w)) is not None]


def terms(text: str) -> list[str]:
    """Search terms in order: folded and stemmed, stop words out (duplicates kept)."""
    return [t for t, _ in marked_terms(text)]


# "ba tui mới mất", "má qua đời": a relative who died, in any region's words; "mất" before a
# document ("mất giấy khai sinh") is losing it, not a death.
_RELATIVE = "ba|bo|cha|tia|ma|me|u|bam|ong|ba noi|ba ngoai|vo|chong|con|nguoi than|nguoi nha"
_DIED = re.compile(
    rf" (?:{_RELATIVE})(?: \w+){{0,3}}? (?:mat|qua doi|tu tran|chet|di roi)"
    r"(?! (?:giay|the|so|ban|ho chieu|can cuoc|cmnd|cccd|tien|xe|dien thoai))(?= )"
)


def rewrite(text: str) -> str | None:
    """The text with residents' words replaced by the catalog's, or None when none applies."""
    folded = f" {' '.join(_WORD.findall(fold(text)))} "
    out = " ".join(_DIED.sub(" khai tu ", folded).split()).join("  ")
    for phrase, meaning in SYNONYMS.items():
        out = out.replace(f" {phrase} ", f" {meaning} ")
    return out.strip() if out != folded else None


def pairs(terms: list[str]) -> list[str]:
    """Neighbouring pairs in either order: ["ket", "hon", "dang"] → ["hon ket", "dang hon"]."""
    return [" ".join(sorted(p)) for p in itertools.pairwise(terms) if p[0] != p[1]]
