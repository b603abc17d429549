"""Charts of the indicators: one figure code, PNG bytes for Telegram and SVG text for the web.

Matplotlib (the most widely kept Python plotting library, pure wheels, no browser or server
needed) draws on its Agg canvas, never through pyplot, so no GUI backend and no global figure
state. Text uses DejaVu Sans from data/fonts, which carries every Vietnamese letter; the SVG
keeps text as text (smaller, selectable, read by screen readers). The functions take plain
values and labels (the caller translates), so the bot, the dashboard and reports share them.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib: never a GUI backend

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.typing import RcKeyType

FONTS = Path(__file__).resolve().parents[3] / "data" / "fonts"
FONT = "DejaVu Sans"
GREEN, AMBER, RED, GREY, BLUE = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e", "#1565c0"
# Figures are drawn one at a time: matplotlib's font cache and rc parameters are shared.
_LOCK = threading.Lock()
_fonts_loaded = False


@dataclass(frozen=True)
class Chart:
    """The same figure twice: PNG for sendPhoto and reports, SVG to inline in a web page."""

    png: bytes
    svg: str


def _load_fonts() -> None:
    global _fonts_loaded
    if not _fonts_loaded:
        for path in sorted(FONTS.glob("DejaVuSans*.ttf")):
            font_manager.fontManager.addfont(str(path))
        _fonts_loaded = True


_RC: dict[RcKeyType, Any] = {
    "font.family": FONT,
    "font.size": 10,
    "svg.fonttype": "none",
    "text.parse_math": False,  # a group named "Tổ $5" is text, not a formula
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _render(fig: Figure, salt: str) -> Chart:
    canvas = FigureCanvasAgg(fig)
    png, svg = io.BytesIO(), io.BytesIO()
    canvas.print_png(png, metadata={"Software": None})  # type: ignore[no-untyped-call]  # matplotlib leaves print_png unannotated
    # The salt makes element ids stable between runs and distinct between charts of one page.
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(png.getvalue(), _inline_svg(svg.getvalue().decode("utf-8"), salt))


_REF = re.compile(r'(\bid="|url\(#|href="#)')


def _inline_svg(svg: str, prefix: str) -> str:
    """Drop the XML prolog and fixed size so the SVG fits inline in HTML and scales; prefix
    element ids so two charts on one page never share one."""
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}-", svg[svg.index("<svg") :])
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return head + ' style="width:100%;height:auto" role="img">' + rest


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=120, layout="constrained")
    return fig


def level_colour(value: float | None, target: float, amber_below: float) -> str:
    """Green at or above target, amber down to `amber_below`, red under it, grey unknown."""
    if value is None:
        return GREY
    if value >= target:
        return GREEN
    return AMBER if value >= amber_below else RED


def reach_by_group(
    names: Sequence[str],
    reach: Sequence[float | None],
    target: float,
    *,
    title: str,
    target_label: str,
    amber_margin: float = 0.1,
) -> Chart:
    """Horizontal bars of household reach (0..1) per group with the target as a line."""
    with _LOCK, matplotlib.rc_context(_RC):
        _load_fonts()
        rows = max(1, len(names))
        fig = _figure(6.4, 1.2 + 0.32 * rows)
        ax = fig.add_subplot()
        values = [0.0 if r is None else r for r in reach]
        colours = [level_colour(r, target, target - amber_margin) for r in reach]
        positions = range(len(names))
        ax.barh(positions, values, color=colours, height=0.7)
        ax.set_yticks(list(positions), labels=list(names))
        ax.invert_yaxis()  # the first group on top, as in the table
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.axvline(target, color="#333333", linestyle="--", linewidth=1.2)
        ax.text(target, 1.0, target_label, transform=ax.get_xaxis_transform(),
                ha="right", va="bottom", fontsize=8, color="#333333")  # fmt: skip
        for pos, value, raw in zip(positions, values, reach, strict=True):
            label = "—" if raw is None else f"{raw * 100:.0f}%"
            ax.text(min(value, 0.98) + 0.01, pos, label, va="center", fontsize=8)
        ax.set_title(title, loc="left", fontsize=11)
        return _render(fig, "reach")


def activity_by_hour(
    series: Sequence[tuple[str, Sequence[int]]], *, title: str, hour_label: str
) -> Chart:
    """Stacked bars of events per local hour of day (each series: a label and 24 counts)."""
    with _LOCK, matplotlib.rc_context(_RC):
        _load_fonts()
        fig = _figure(6.4, 2.8)
        ax = fig.add_subplot()
        bottom = [0] * 24
        palette = [BLUE, GREEN, AMBER, RED, GREY]
        for i, (label, counts) in enumerate(series):
            counts = list(counts)
            if len(counts) != 24:
                raise ValueError("expected 24 hourly counts")
            ax.bar(range(24), counts, bottom=bottom, label=label,
                   color=palette[i % len(palette)], width=0.8)  # fmt: skip
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_xticks(range(0, 24, 3), labels=[f"{h}h" for h in range(0, 24, 3)])
        ax.set_xlim(-0.6, 23.6)
        ax.set_xlabel(hour_label)
        locator = ax.yaxis.get_major_locator()
        assert isinstance(locator, MaxNLocator)  # the default AutoLocator is one
        locator.set_params(integer=True)
        if series:
            ax.legend(frameon=False, fontsize=8, loc="upper left")
        ax.set_title(title, loc="left", fontsize=11)
        return _render(fig, "hours")
