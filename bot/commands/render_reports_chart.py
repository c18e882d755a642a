"""The satisfaction report's chart: bars by quarter (the average rating, the number of
answers above each bar), a PNG in the reader's language.

Drawn by matplotlib on its Agg canvas (no display, no pyplot state shared between
threads). Its own DejaVu Sans has no Chinese glyphs, so every text is set in Noto Sans
CJK SC, which has the Latin letters too; the font file comes with the `mplfonts` package
(found through its installed files, without importing it). `chart_texts` lists every string
drawn, so a test can check the font covers each character.
"""

from __future__ import annotations

import functools
import io
from importlib import metadata
from pathlib import Path

from bot.commands import render_reports
from bot.commands.words.language import Language
from bot.domain.reports import SatisfactionReport

FONT_FILE = "mplfonts/fonts/NotoSansCJKsc-Regular.otf"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def font_path() -> Path:
    """The CJK font's file, as installed with mplfonts."""
    path = Path(str(metadata.distribution("mplfonts").locate_file(FONT_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"the chart's font is not installed: {path}")
    return path


def chart_texts(report: SatisfactionReport, language: Language) -> list[str]:
    """Every string the chart draws: its title, axis labels, quarter labels and numbers."""
    texts = [
        render_reports.title(report, language),
        language._("Average rating (1–5)"),
        language._("Quarter"),
        language._("No answers in that period."),
    ]
    for q in report.quarters:
        texts.append(q.label)
        texts.append(language._("answers: {n}").format(n=q.answers))
        if q.average is not None:
            texts.append(f"{q.average:.2f}")
    texts.extend(str(t) for t in range(6))
    return texts


def chart(report: SatisfactionReport, language: Language) -> bytes:
    """The PNG: one bar per quarter of the period, its height the average rating."""
    # matplotlib is imported when a chart is first drawn: it is a second of every start-up
    # (`parley serve`, the demo, each test's subprocess) otherwise.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path(), size=10)
    title_font = FontProperties(fname=font_path(), size=12)
    figure = Figure(figsize=(7.5, 4.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [q.label for q in report.quarters]
    heights = [q.average or 0.0 for q in report.quarters]
    bars = axes.bar(labels, heights, color="#2e7d32", width=0.6)
    axes.set_ylim(0, 5.6)
    axes.set_yticks(range(6))
    axes.set_title(render_reports.title(report, language), fontproperties=title_font)
    axes.set_ylabel(language._("Average rating (1–5)"), fontproperties=font)
    axes.set_xlabel(language._("Quarter"), fontproperties=font)
    for tick in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        tick.set_fontproperties(font)
    for bar, q in zip(bars, report.quarters, strict=True):
        top = bar.get_height()
        if q.average is not None:
            axes.text(
                bar.get_x() + bar.get_width() / 2,
                top + 0.08,
                f"{q.average:.2f}",
                ha="center",
                va="bottom",
                fontproperties=font,
            )
        axes.text(
            bar.get_x() + bar.get_width() / 2,
            max(top - 0.35, 0.1) if q.average is not None else 0.1,
            language._("answers: {n}").format(n=q.answers),
            ha="center",
            va="bottom",
            color="white" if q.average is not None and top > 0.6 else "#555555",
            fontproperties=FontProperties(fname=font_path(), size=8),
        )
    if report.answers == 0:
        axes.text(
            0.5,
            0.5,
            language._("No answers in that period."),
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontproperties=title_font,
            color="#555555",
        )
    axes.spines[["top", "right"]].set_visible(False)
    if len(labels) > 8:
        for tick in axes.get_xticklabels():
            tick.set_rotation(45)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
