"""The words for a ward's units, and guides written for a ward read in a commune (issue 15)."""

from __future__ import annotations

import pytest

from bot.services.directory.units import WARD_LABELS, fill_units, local_units, words_for
from bot.texts import Catalog

COMMUNE = ("Xã", "Thôn")


def test_words_of_a_ward_a_commune_and_a_hamlet() -> None:
    ward, commune = words_for(WARD_LABELS, "vi"), words_for(COMMUNE, "vi")
    assert (ward["ward_kind"], ward["group_kind"], ward["group_short"]) == (
        "phường",
        "tổ dân phố",
        "tổ",
    )
    assert (ward["leader_kind"], ward["Leader_kind"], ward["group_example"]) == (
        "tổ trưởng",
        "Tổ trưởng",
        "Tổ 13",
    )
    assert (commune["ward_kind"], commune["group_short"], commune["leader_kind"]) == (
        "xã",
        "thôn",
        "trưởng thôn",
    )
    assert words_for(("Xã", "Bản"), "en")["leader_kind"] == "hamlet head"
    assert words_for(COMMUNE, "en")["Ward_kind"] == "Commune"


def test_fill_leaves_other_placeholders_for_format() -> None:
    text = fill_units(
        "{Leader_kind} của {group} ({count} {group_short})", words_for(COMMUNE, "vi")
    )
    assert text == "Trưởng thôn của {group} ({count} thôn)"


@pytest.mark.parametrize(
    ("written", "in_a_commune"),
    [
        (
            "Nộp tại UBND phường hoặc qua tổ trưởng tổ dân phố.",
            "Nộp tại UBND xã hoặc qua trưởng thôn.",
        ),
        ("Công an phường nơi cư trú", "Công an xã nơi cư trú"),  # the reader's own
        ("UBND phường nơi đã đăng ký khai sinh", "UBND xã, phường nơi đã đăng ký khai sinh"),
        ("Công an phường bất kỳ", "Công an xã, phường bất kỳ"),
        ("đi khỏi xã, phường nơi thường trú", "đi khỏi xã, phường nơi thường trú"),
        ("Tổ dân phố họp", "Thôn họp"),
    ],
)
def test_a_guide_in_a_communes_words(written: str, in_a_commune: str) -> None:
    assert local_units(written, COMMUNE, "vi") == in_a_commune
    assert local_units(written, WARD_LABELS, "vi") == written
    assert local_units(written, None, "vi") == written


def test_english_guides_and_lists() -> None:
    assert (
        local_units("Police of the ward where you stay; the ward police", COMMUNE, "en")
        == "Police of the commune or ward where you stay; the commune police"
    )
    assert local_units(["UBND phường"], COMMUNE, "vi") == ["UBND xã"]


def test_the_catalog_outside_an_update() -> None:
    """The CLI and the jobs name the ward they work on; a parameter still wins."""
    assert "trưởng thôn" in Catalog("vi", COMMUNE).text("verify.no_text")
    assert "tổ trưởng" in Catalog("vi").text("verify.no_text")
    header = Catalog("vi", COMMUNE)
    assert header.text("kpi.group_header", **header.words()).startswith("Thôn" + " " * 11)
