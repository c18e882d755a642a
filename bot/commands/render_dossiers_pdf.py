"""A dispute's dossier as PDF, beside the HTML: the same sections (`render_dossiers`), laid
out by reportlab. Every text is drawn in the built-in CID font STSong-Light, which covers
Latin and Chinese with no font file (a PDF reader supplies its glyphs); uncompressed pages,
so the text stands in the file as it is drawn.

Pure but slow for a long record: `PdfDossier` gathers the pages' flowables and `finish()`
lays them out (call it off the event loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from bot.commands.render_dossiers import (
    NOTICE,
    Reader,
    Section,
    agreements_shown,
    clocks_section,
    event_rows,
    header_facts,
    parties_section,
    thread_lines,
    title_of,
)
from bot.commands.words.base import N_
from bot.domain.disputes import TimelineEvent
from bot.workflows.dossiers import DossierSource

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=10, textColor=colors.grey)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=15, leading=19, spaceAfter=4)
HEADING = ParagraphStyle("heading", parent=BODY, fontSize=11.5, leading=15, spaceBefore=8)
TAG = "#8a5a00"
GREY = "#616061"


def _text(text: str) -> str:
    """Plain text as reportlab's paragraph markup: escaped, its line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def _para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(_text(text), style)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    cells = [[_para(h) for h in head], *[[_para(c) for c in row] for row in rows]]
    table = Table(cells, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.lightgrey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _wrap(text: str, width: float) -> list[str]:
    """`text` in lines no wider than `width`: broken at spaces where it has them, anywhere
    where it has none (Chinese, a long URL)."""
    size = BODY.fontSize
    lines: list[str] = []
    for line in simpleSplit(text, FONT, size, width) or [""]:
        while pdfmetrics.stringWidth(line, FONT, size) > width:
            used, cut = 0.0, 0
            for cut, char in enumerate(line):  # noqa: B007 - `cut` is where it ran out
                used += pdfmetrics.stringWidth(char, FONT, size)
                if used > width:
                    break
            cut = max(cut, 1)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


class Lines(Flowable):
    """One event's lines of plain text, wrapped to the frame and drawn as they are (no markup
    to parse: a paragraph per event lays out thousands of events too slowly); split across
    pages between lines."""

    def __init__(self, pieces: Sequence[tuple[str, bool, str | None]]) -> None:
        super().__init__()
        self.pieces = pieces  # (text, bold, colour)
        self.lines: list[tuple[str, bool, str | None]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.lines = [
            (line, bold, colour)
            for text, bold, colour in self.pieces
            for line in _wrap(text, availWidth)
        ]
        self.width = availWidth
        self.height = len(self.lines) * BODY.leading + 1.5 * mm
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fits = int((availHeight - 1.5 * mm) // BODY.leading)
        if fits <= 0 or fits >= len(self.lines):
            return []
        return [Lines(self.lines[:fits]), Lines(self.lines[fits:])]

    def draw(self) -> None:
        canvas = self.canv
        y = self.height - 1.5 * mm - BODY.fontSize
        for line, bold, colour in self.lines:
            canvas.setFillColor(colors.HexColor(colour) if colour else colors.black)
            canvas.setFont(FONT, BODY.fontSize + (0.5 if bold else 0))
            canvas.drawString(0, y, line)
            y -= BODY.leading


class PdfDossier:
    """The PDF, written section by section and then one page of events at a time."""

    def __init__(self, source: DossierSource, reader: Reader) -> None:
        self.source = source
        self.reader = reader
        self.story: list[Flowable] = []

    def begin(
        self,
        *,
        asker_id: str,
        generated_at: datetime,
        links: Sequence[tuple[str, str, str | None]],
    ) -> None:
        language = self.reader.language
        source, reader = self.source, self.reader
        story = self.story
        story += [_para(title_of(source, language), TITLE), _para(language._(NOTICE), SMALL)]
        facts = header_facts(source, reader, asker_id=asker_id, generated_at=generated_at)
        story.append(_table((language._("Dispute"), source.dispute.ref), facts[1:]))
        for section in (parties_section(source, reader), clocks_section(source, reader)):
            story += self._section(section)
        story.append(_para(language._(N_("Agreements in force")), HEADING))
        shown = agreements_shown(source, reader)
        if not shown:
            story.append(_para(language._(N_("None with these parties."))))
        for terms in shown:
            story.append(KeepTogether([_para(terms.heading), _table(("", ""), terms.fields)]))
        story.append(_para(language._(N_("Threads")), HEADING))
        threads = thread_lines(links, reader)
        if not threads:
            story.append(_para(language._(N_("The dispute has no thread yet."))))
        for said, channel_id, url in threads:
            story.append(_para(f"{said} · {channel_id} · {url or ''}"))
        story.append(_para(language._(N_("Timeline")), HEADING))

    def _section(self, section: Section) -> list[Flowable]:
        shown: list[Flowable] = [_para(section.heading, HEADING)]
        if not section.rows:
            return [*shown, _para(section.empty)]
        return [*shown, _table(section.head, section.rows)]

    def events(self, page: Sequence[TimelineEvent], *, first_number: int) -> None:
        """One page of the timeline: each event its lines (a table or paragraphs of thousands
        of events are laid out too slowly)."""
        language = self.reader.language
        internal = language._("INTERNAL")
        replaced = language._("Replaced:")
        deleted = language._("Deleted:")
        for row in event_rows(page, self.reader, first_number=first_number):
            head = (
                f"{row.number} · {row.utc} UTC · {row.local} · {row.author} · {row.party} · "
                f"{row.what}"
            )
            if row.stage is not None:
                head += f" · {row.stage}"
            pieces: list[tuple[str, bool, str | None]] = [(head, True, None)]
            if row.internal:
                pieces.append((internal, True, TAG))
            for text in (row.text or "").splitlines() or ([""] if row.deleted else []):
                pieces.append((f"{deleted} {text}" if row.deleted else text, False, None))
            if row.replaced is not None:
                for text in row.replaced.splitlines() or [""]:
                    pieces.append((f"{replaced} {text}", False, GREY))
            self.story.append(Lines(pieces))

    def finish(self) -> bytes:
        language = self.reader.language
        self.story.append(_para(language._("End of the dossier."), SMALL))
        out = BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            pageCompression=0,
            title=title_of(self.source, language),
            author="Parley",
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
        )
        document.build(self.story)
        return out.getvalue()
