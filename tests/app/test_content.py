"""What reaches residents: no placeholder, no raw id or code where a title belongs, and every
guide says where its facts come from and whether an official has checked them (issue 15)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.services.procedures.guides import REQUIRED_TOPICS, Guide
from tests.app.test_i18n import catalog

# Literal stand-ins that once reached people, and dates nobody verified.
PLACEHOLDERS = re.compile(
    r"tên_bot|bot_name|@Loa\b|\bTODO\b|\bXXX\b|lorem|01/11/2026|2026-11-01|\[\[|\]\]", re.I
)
CODE = re.compile(r"\b\d\.\d{6}\b")  # a national procedure code
# Messages that show a code on purpose, next to a title or for staff who type codes.
CODE_OK = {
    "ask.offer_guide",
    "ask.group_guide",
    "guide.code_line",
    "guide.not_found",
    "web.not_found_text",
    "poster.footer",
    "card.procedure",
    "guide.replaced",
    "bind.code_created",
    "staff.code_created",
}
# The privacy notice and /mydata texts are issue 12's; they are checked there.
PRIVACY = ("start.privacy", "start.declined", "privacy.", "cmd.mydata", "cmd.forget")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_message_holds_a_placeholder(lang: str) -> None:
    bad = {k: v for k, v in catalog(lang).items() if PLACEHOLDERS.search(v)}
    assert not bad


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_code_comes_with_a_title(lang: str) -> None:
    """A message naming a procedure by its code also gives its title (or is meant for staff)."""
    for key, text in catalog(lang).items():
        assert not CODE.search(text), key
        if "{code}" in text and key not in CODE_OK:
            assert "{title}" in text, key


def test_residents_go_to_the_service_centre_and_are_not_called_ban() -> None:
    vi = catalog("vi")
    assert not [k for k, v in vi.items() if "một cửa" in v and not k.startswith(PRIVACY)]
    resident_facing = ("ask.", "join.", "guide.", "start.welcome", "verify.", "ack.", "attend.")
    called_ban = [
        k for k, v in vi.items() if k.startswith(resident_facing) and re.search(r"\b[Bb]ạn\b", v)
    ]
    assert not called_ban
    assert vi["verify.unknown"].startswith("❌ Tin này không phải do Loa gửi. Đừng chuyển tiền")


def _texts(guide: Guide) -> list[str]:
    """Every text of a guide residents read, except its search keywords."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple | list):
            for v in value:
                walk(v)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                if f.name not in ("keywords", "code", "portal_url", "replaced_by"):
                    walk(getattr(value, f.name))

    walk(guide)
    return out


def test_every_guide_has_sources_and_a_verification_state(shipped_guides: list[Guide]) -> None:
    for g in shipped_guides:
        topics = {s.about for s in g.sources}
        assert set(REQUIRED_TOPICS) <= topics, g.code
        assert all(s.text and s.article for s in g.sources), g.code
        assert (g.verified_on is None) == (g.verified_by is None), g.code
        for text in _texts(g):
            assert not PLACEHOLDERS.search(text), (g.code, text)
            assert "hộ khẩu" not in text.lower(), (g.code, text)  # abolished in 2023
            assert "một cửa" not in text and "one-stop" not in text, (g.code, text)
        names = [g.title_vi, g.summary_vi, *(c.title_vi for c in g.cases)]
        assert not any(CODE.search(n) for n in names), g.code
        for c in g.cases:
            if len(g.cases) > 1:
                assert len(c.label("vi")) <= 32 and len(c.label("en")) <= 32, (g.code, c.id)


def test_the_five_corrected_facts(shipped_guides: list[Guide]) -> None:
    by_code = {g.code: g for g in shipped_guides}
    assert "miễn lệ phí" in by_code["2.000986"].cases[0].fee_vi.split("thường trú cho trẻ em:")[1]
    fee = by_code["1.004222"].cases[0].fee_vi
    assert "trẻ em, người cao tuổi, người khuyết tật" in fee
    absence = by_code["1.003677"].cases[1].title_vi
    assert "đi khỏi xã, phường nơi thường trú" in absence and "tỉnh" not in absence
    assert "dự bị động viên" not in absence
    ids = next(d for d in by_code["2.001035"].cases[0].documents if "Căn cước" in d.name_vi)
    assert ids.kind == "present"
    poor = by_code["1.011606"]
    assert poor.legal_basis[0].startswith("Nghị định 351/2025/NĐ-CP")
    assert "2026–2030" in poor.summary_vi


# The words of a ward's units; a message says them through {ward_kind}, {group_kind},
# {group_short}, {leader_kind}, {group_example}, so a commune reads "xã", "thôn", "trưởng thôn".
WARD_UNIT_WORDS = {
    "vi": re.compile(r"phường(?!, xã)|tổ dân phố|tổ trưởng|\bthôn\b|\btổ\b(?! công nghệ)", re.I),
    "en": re.compile(r"\bwards?\b(?! or commune)|residential group|group leader|village", re.I),
}
# "tổ" there is the digital-technology team (tổ công nghệ số) named a second time.
THE_TEAM = {"help.tech_team", "staff.code_created"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_messages_name_units_through_placeholders(lang: str) -> None:
    """Every message that names the ward or its groups takes the word from the ward's data;
    only generic phrases ("phường, xã nào?", "ward or commune") stay literal."""
    bad = {
        k: v
        for k, v in catalog(lang).items()
        if k not in THE_TEAM and WARD_UNIT_WORDS[lang].search(re.sub(r"\{\w+\}|phường, xã", "", v))
    }
    assert not bad


def test_articles_checked_against_the_legal_text(shipped_guides: list[Guide]) -> None:
    """Citations compared with the codified text (Bộ pháp điển) of Luật Hộ tịch 2014, Nghị định
    23/2015/NĐ-CP as amended by 07/2025/NĐ-CP and the passport law as amended in 2023."""
    by_code = {g.code: g for g in shipped_guides}

    def article(code: str, about: str) -> str:
        return " | ".join(s.article for s in by_code[code].sources if s.about == about)

    assert article("2.000913", "documents").startswith("Điều 38 ")  # amend/cancel a contract
    assert article("2.000942", "documents").startswith("Điều 40 ")  # copy of a certified contract
    for contract in ("2.000913", "2.001016", "2.001019", "2.001035", "2.001406"):
        assert article(contract, "time").startswith("Điều 37 "), contract  # 02 working days
    assert article("1.004845", "documents").startswith("Điều 22 ")  # ending a guardianship
    assert article("1.004837", "documents").startswith("Điều 20–21 ")
    assert "khoản 2" in article("2.000635", "fee")  # extract copies are paid for
    assert article("1.001653", "documents").startswith("Điều 8–9 ")  # disability card re-issue
    assert "28/2012" not in " ".join(s.text for s in by_code["1.001653"].sources)
    passport = by_code["1.010386"]
    assert "02 ngày làm việc" in passport.summary_vi and "48 giờ" not in passport.summary_vi
    assert "2 working days" in passport.summary_en
    for code in ("1.004746", "1.004845", "1.005461"):  # Article 11(1)(a) exemptions stated
        assert "hộ nghèo, người khuyết tật" in by_code[code].cases[0].fee_vi, code
