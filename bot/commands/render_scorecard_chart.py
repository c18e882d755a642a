"""A scorecard's radar chart: six spokes, one per dimension, each 0–100, as a PNG in the
reader's language, and its alt text with every figure.

A dimension without data is not drawn as zero: its spoke is grey and dashed, its label says
"no data", and the outline and the shading stop on either side of it (a gap), so nobody
reads it as a score. Drawn like the satisfaction chart (`render_reports_chart.py`): matplotlib
on its own Agg canvas, every text in Noto Sans CJK SC from `mplfonts` (Latin and Chinese
glyphs alike). `chart_texts` lists every string drawn, so a test can check the font covers
each character.

Pure and Slack-free: the renderer of the scorecard message (`render_audit_publish.py`) turns
a scorecard into a `Radar` (labels already in the reader's language); this module only draws.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands.render_reports_chart import PNG_SIGNATURE, font_path
from bot.commands.words.language import Language

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PNG_SIGNATURE", "Radar", "Spoke", "alt_text", "chart", "chart_texts"]

SIZE = (8.0, 6.4)  # inches; 800 × 640 pixels at DPI
DPI = 100
RINGS = (25, 50, 75, 100)
ALT_LIMIT = 1000  # Slack's limit on a file's alt text
FILL = "#1565c0"
GAP = "#9e9e9e"


@dataclass(frozen=True)
class Spoke:
    """One dimension as drawn: its name, its score 0–100 (None: no data), its band letter and
    the figure the score came from (both in the reader's language, for the alt text)."""

    label: str
    score: float | None
    band: str | None = None
    figure: str = ""


@dataclass(frozen=True)
class Radar:
    """What the chart shows: a title (the scorecard and its period), a subtitle (the total
    and its band, or that there is none), and the spokes in order, clockwise from the top."""

    title: str
    subtitle: str
    spokes: Sequence[Spoke]


def _score(value: float) -> str:
    return f"{value:.0f}"


def spoke_label(spoke: Spoke, language: Language) -> str:
    """The label at the spoke's end: the dimension and its score (and band), or "no data"."""
    if spoke.score is None:
        return language._("{dimension}\n(no data)").format(dimension=spoke.label)
    if spoke.band:
        return language._("{dimension}\n{score} ({band})").format(
            dimension=spoke.label, score=_score(spoke.score), band=spoke.band
        )
    return f"{spoke.label}\n{_score(spoke.score)}"


def chart_texts(radar: Radar, language: Language) -> list[str]:
    """Every string the chart draws: its title, subtitle, spoke labels and ring numbers."""
    return [
        radar.title,
        radar.subtitle,
        *(spoke_label(s, language) for s in radar.spokes),
        *(str(r) for r in RINGS),
    ]


def alt_text(radar: Radar, language: Language) -> str:
    """The chart's alt text: every score, band and figure behind it, and the total."""
    lines = [radar.title, radar.subtitle]
    for s in radar.spokes:
        if s.score is None:
            lines.append(
                language._("{dimension}: no data ({figure})").format(
                    dimension=s.label, figure=s.figure
                )
                if s.figure
                else language._("{dimension}: no data").format(dimension=s.label)
            )
            continue
        lines.append(
            language._("{dimension}: {score} of 100, band {band} ({figure})").format(
                dimension=s.label, score=_score(s.score), band=s.band or "–", figure=s.figure
            )
        )
    return "; ".join(line for line in lines if line)[:ALT_LIMIT]


def _angles(n: int) -> list[float]:
    """Clockwise from the top: the first spoke points up."""
    return [math.pi / 2 - 2 * math.pi * k / n for k in range(n)]


def _point(angle: float, score: float) -> tuple[float, float]:
    return (score / 100 * math.cos(angle), score / 100 * math.sin(angle))


def _align(angle: float) -> tuple[str, str]:
    x, y = math.cos(angle), math.sin(angle)
    ha = "center" if abs(x) < 0.2 else ("left" if x > 0 else "right")
    va = "center" if abs(y) < 0.2 else ("bottom" if y > 0 else "top")
    return ha, va


def chart(radar: Radar, language: Language) -> bytes:
    """The PNG: the spokes, a web of rings at 25/50/75/100, the scored outline (straight
    lines between neighbouring spokes) with gaps where a dimension has no data."""
    figure = drawn(radar, language)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def drawn(radar: Radar, language: Language) -> Figure:
    """The chart's figure on its own canvas (its first axes hold the web, in units of
    score/100 from the centre)."""
    # matplotlib (with numpy, ~55 MB resident) is imported when a chart is first drawn, as
    # in `render_reports_chart.py`: `parley serve` should not carry it until it draws one.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path(), size=9)
    small = FontProperties(fname=font_path(), size=7)
    title_font = FontProperties(fname=font_path(), size=12)
    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 0.86))
    axes.set_xlim(-2.1, 2.1)
    axes.set_ylim(-1.35, 1.35)
    axes.set_aspect("equal")
    axes.axis("off")
    spokes = list(radar.spokes)
    n = len(spokes)
    angles = _angles(n)
    if n >= 3:
        for ring in RINGS:
            web = [_point(a, ring) for a in [*angles, angles[0]]]
            axes.plot(*zip(*web, strict=True), color="#e0e0e0", linewidth=0.8)
            axes.text(0.02, ring / 100 + 0.01, str(ring), fontproperties=small, color="#757575")
    for angle, s in zip(angles, spokes, strict=True):
        end = _point(angle, 100)
        if s.score is None:
            axes.plot([0, end[0]], [0, end[1]], color=GAP, linestyle=(0, (3, 3)), linewidth=1.2)
        else:
            axes.plot([0, end[0]], [0, end[1]], color="#bdbdbd", linewidth=0.8)
        ha, va = _align(angle)
        at = _point(angle, 112)
        axes.text(
            at[0],
            at[1],
            spoke_label(s, language),
            ha=ha,
            va=va,
            multialignment="center",
            fontproperties=font,
            color=GAP if s.score is None else "#212121",
        )
    for k in range(n if n >= 2 else 0):
        a, b = spokes[k], spokes[(k + 1) % n]
        if a.score is None or b.score is None:
            continue
        p, q = _point(angles[k], a.score), _point(angles[(k + 1) % n], b.score)
        axes.plot([p[0], q[0]], [p[1], q[1]], color=FILL, linewidth=2)
        axes.fill([0, p[0], q[0]], [0, p[1], q[1]], color=FILL, alpha=0.18, linewidth=0)
    for angle, s in zip(angles, spokes, strict=True):
        if s.score is not None:
            axes.plot(*_point(angle, s.score), marker="o", color=FILL, markersize=5)
    figure.text(0.5, 0.95, radar.title, ha="center", va="center", fontproperties=title_font)
    figure.text(
        0.5, 0.905, radar.subtitle, ha="center", va="center", fontproperties=font, color="#424242"
    )
    return figure
