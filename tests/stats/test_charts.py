"""The chart module: one figure, PNG for Telegram and inline SVG for the web, Vietnamese text."""

from __future__ import annotations

import pytest

from bot.services.stats.charts import GREEN, GREY, RED, activity_by_hour, reach_by_group


def test_reach_chart_gives_png_and_inline_svg_with_vietnamese_text() -> None:
    chart = reach_by_group(
        ["Tổ 1", "Tổ dân phố 2", "Tổ 3"], [0.95, 0.5, None], 0.9,
        title="Tỉ lệ hộ đăng ký theo tổ", target_label="Mục tiêu 90%",
    )  # fmt: skip
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.svg.startswith("<svg") and "<?xml" not in chart.svg and "DOCTYPE" not in chart.svg
    # text stays text (fonttype none), so the page shows real Vietnamese letters
    for text in ("Tỉ lệ hộ đăng ký theo tổ", "Tổ dân phố 2", "Mục tiêu 90%", "95%", "50%"):
        assert text in chart.svg
    assert GREEN.lstrip("#") in chart.svg and RED.lstrip("#") in chart.svg
    assert GREY.lstrip("#") in chart.svg  # a group without data is grey
    again = reach_by_group(
        ["Tổ 1", "Tổ dân phố 2", "Tổ 3"], [0.95, 0.5, None], 0.9,
        title="Tỉ lệ hộ đăng ký theo tổ", target_label="Mục tiêu 90%",
    )  # fmt: skip
    assert again.svg == chart.svg  # stable: no dates or random ids


def test_hour_chart_and_distinct_ids_on_one_page() -> None:
    hours = activity_by_hour(
        [("Xác nhận", [i % 4 for i in range(24)]), ("Câu hỏi", [1] * 24)],
        title="Hoạt động theo giờ", hour_label="Giờ trong ngày",
    )  # fmt: skip
    assert hours.png.startswith(b"\x89PNG") and "Giờ trong ngày" in hours.svg
    reach = reach_by_group(["Tổ 1"], [1.0], 0.9, title="t", target_label="m")

    def ids(svg: str) -> set[str]:
        return {part.split('"')[0] for part in svg.split(' id="')[1:]}

    assert not ids(hours.svg) & ids(reach.svg)
    with pytest.raises(ValueError):
        activity_by_hour([("x", [1, 2])], title="t", hour_label="h")


def test_names_are_text_never_markup_or_formulas() -> None:
    chart = reach_by_group(
        ["<script>alert(1)</script> & Tổ", "Tổ $5$ \\frac"], [0.5, 0.95], 0.9,
        title="<b>Tiêu đề</b>", target_label="Mục tiêu",
    )  # fmt: skip
    assert "<script>" not in chart.svg and "<b>" not in chart.svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Tổ" in chart.svg
    assert "Tổ $5$ \\frac" in chart.svg
