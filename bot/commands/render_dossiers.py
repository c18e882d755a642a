"""A dispute's dossier as one self-contained HTML file: inline CSS, no script, nothing loaded
from anywhere. Pure: records in, parts of the file out (a long record is written page by
page, `begin`, `events` for each page, `end`, and joined once).

Headings and Parley's own words are in the reader's language; what people typed is shown
as they typed it, HTML-escaped (a `<script>` or a `<!channel>` in a reply is text here).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.commands.blocks import local
from bot.commands.render_disputes import (
    PARTY_KINDS,
    duration_text,
    record_words,
    stage_text,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.disputes import TimelineEvent
from bot.domain.text import as_plain
from bot.domain.timeline import TimelineKind
from bot.workflows.dossiers import DossierSource

STYLE = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,"PingFang SC","Microsoft YaHei",
sans-serif;margin:2em;color:#1d1c1d;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;
border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.text{white-space:pre-wrap;word-break:break-word}
tr.internal td{background:#fff7e0}.tag{font-size:.8em;font-weight:bold;color:#8a5a00}
.was{color:#616061}.muted{color:#616061}dl{display:grid;grid-template-columns:max-content auto;
gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
"""

TITLE = N_("Dossier of {ref}: {title}")


def _e(text: str) -> str:
    """Text somebody typed (or any text at all), safe in HTML."""
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Reader:
    """Who the dossier is written for: their language and time zone, and the people's names
    (Slack user id → name) it shows beside their ids, learnt as the pages are written."""

    language: Language
    tz: ZoneInfo
    names: dict[str, str]

    def person(self, user_id: str | None) -> str:
        if not user_id:
            return "Parley"
        name = self.names.get(user_id)
        return f"{name} ({user_id})" if name else user_id

    def both_times(self, when: datetime) -> tuple[str, str]:
        """The moment in UTC and in the reader's zone, in the reader's convention."""
        utc = f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        mine = f"{self.language.stamp(local(when, self.tz))} ({self.tz.key})"
        return utc, mine

    def row_times(self, when: datetime) -> tuple[str, str]:
        """The moment in UTC and in the reader's zone, both ISO (a timeline's rows: the
        same in every language, sortable, and cheap for thousands of events)."""
        mine = local(when, self.tz)
        return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S}", f"{mine:%Y-%m-%d %H:%M:%S %z}"


def header_facts(
    source: DossierSource, reader: Reader, *, asker_id: str, generated_at: datetime
) -> list[tuple[str, str]]:
    """The dossier's header, as (label, value) pairs of plain text: the dispute's facts, who
    asked and when. One list, so a fact the record gains (its chain's last hash) is one
    more pair here."""
    language = reader.language
    d = source.dispute
    due = reader.both_times(d.stage_due_at)[1] if d.stage_due_at else language._("none")
    facts = [
        (language._("Dispute"), d.ref),
        (language._("Title"), as_plain(d.title)),
        (language._("Status"), language._(d.status.label)),
        (language._("Stage"), stage_text(d.stage, language)),
        (language._("Owner"), reader.person(d.owner_id)),
        (language._("Channel"), d.channel_id),
        (language._("Opened"), " · ".join(reader.both_times(d.opened_at))),
        (language._("Due"), due),
        (language._("Resolution"), as_plain(d.resolution) if d.resolution else "—"),
        (language._("Legal hold"), language._("yes") if d.legal_hold else language._("no")),
        (language._("Events on record"), language.number(source.event_count)),
        (
            language._("Record chain (last hash)"),
            source.last_hash or language._("none"),
        ),
        (language._("Checked with"), f"parley verify --dispute {d.ref}"),
        (language._("Generated"), " · ".join(reader.both_times(generated_at))),
        (language._("Asked by"), reader.person(asker_id)),
    ]
    return facts


def _h2(language: Language, heading: str) -> str:
    """A section's heading (`heading` an N_-marked msgid)."""
    return f"<h2>{_e(language._(heading))}</h2>"


def _p(language: Language, words: str) -> str:
    return f"<p>{_e(language._(words))}</p>"


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """A table of plain text, escaped."""
    parts = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        parts += ["<tr>", *(f"<td>{_e(cell)}</td>" for cell in row), "</tr>"]
    parts.append("</tbody></table>")
    return parts


# --- what the dossier says, as plain text (the HTML and the PDF lay it out) ----------------


NOTICE = N_(
    "The full record of the dispute as Parley holds it: every event with its time, author and "
    "party, every edit with the text it replaced, every deletion with what was deleted, and the "
    "internal notes. Internal: not for the parties."
)


@dataclass(frozen=True)
class Section:
    """One section of the dossier: its heading, a table (plain text), or the words that say
    it has none."""

    heading: str
    head: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str


@dataclass(frozen=True)
class TermsShown:
    """One agreement in force: its heading and its 5W1H, as typed."""

    heading: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class EventRow:
    """One event of the timeline as the dossier shows it (plain text)."""

    number: int
    utc: str
    local: str
    author: str
    party: str
    what: str
    stage: str | None
    internal: bool
    text: str
    replaced: str | None  # an edit: the text it replaced
    deleted: bool  # a deletion: `text` is what was deleted


def title_of(source: DossierSource, language: Language) -> str:
    d = source.dispute
    return language._(TITLE).format(ref=d.ref, title=as_plain(d.title))


def parties_section(source: DossierSource, reader: Reader) -> Section:
    language = reader.language
    return Section(
        heading=language._("Parties"),
        head=(language._("Party"), language._("Kind"), language._("Slack team")),
        rows=[
            (p.name, language._(PARTY_KINDS[p.kind]), p.slack_team or "—")
            for p in source.dispute.parties
        ],
        empty=language._("No party has been brought in."),
    )


def clocks_section(source: DossierSource, reader: Reader) -> Section:
    """Each party's first reply: when, and how long it took in wall and working time."""
    language = reader.language
    firsts = {e.party: e for e in source.first_replies if e.party}
    rows: list[tuple[str, ...]] = []
    for party in source.dispute.parties:
        first = firsts.get(party.name)
        if first is None or first.response_wall_seconds is None:
            rows.append((party.name, language._("no reply yet"), "—", "—"))
            continue
        rows.append(
            (
                party.name,
                " · ".join(reader.both_times(first.at)),
                duration_text(first.response_wall_seconds, language),
                duration_text(first.response_working_seconds or 0, language, in_days=False),
            )
        )
    return Section(
        heading=language._("Response clocks"),
        head=(
            language._("Party"),
            language._("First reply"),
            language._("Wall time"),
            language._("Working time"),
        ),
        rows=rows,
        empty=language._("No party has been brought in."),
    )


TERM_LABELS = (
    N_("What"),
    N_("Why"),
    N_("Who"),
    N_("When"),
    N_("Where"),
    N_("How"),
    N_("Authorization"),
)


def agreements_shown(source: DossierSource, reader: Reader) -> list[TermsShown]:
    language = reader.language
    shown = []
    for a in source.agreements:
        t = a.current.terms
        heading = language._("{ref} version {version} with {party}, valid until {day}").format(
            ref=a.ref, version=a.version, party=a.party.name, day=language.day_year(t.valid_until)
        )
        values = (t.what, t.why, t.who, t.when, t.where, t.how, t.authorization)
        fields = [
            (language._(label), as_plain(value))
            for label, value in zip(TERM_LABELS, values, strict=True)
        ]
        shown.append(TermsShown(heading=heading, fields=fields))
    return shown


THREAD_KINDS = {"home": N_("home thread"), "linked": N_("linked thread")}


def thread_lines(
    links: Sequence[tuple[str, str, str | None]], reader: Reader
) -> list[tuple[str, str, str | None]]:
    """(what thread, its channel, its permalink or None) for each of the dispute's threads."""
    language = reader.language
    return [(language._(THREAD_KINDS.get(k, k)), channel, url) for k, channel, url in links]


def timeline_head(reader: Reader) -> tuple[str, ...]:
    language = reader.language
    return (
        "#",
        language._("Time (UTC)"),
        language._("Time ({zone})").format(zone=reader.tz.key),
        language._("Author"),
        language._("Party"),
        language._("Event"),
        language._("Text"),
    )


def event_rows(
    page: Sequence[TimelineEvent], reader: Reader, *, first_number: int
) -> list[EventRow]:
    """One page of the timeline; `first_number` is the first event's place on the record."""
    language = reader.language
    rows = []
    for n, event in enumerate(page, start=first_number):
        utc, mine = reader.row_times(event.at)
        show_stage = event.stage is not None and event.kind is not TimelineKind.REPLY
        rows.append(
            EventRow(
                number=n,
                utc=utc,
                local=mine,
                author=reader.person(event.actor_id),
                party=event.party or "—",
                what=language._(event.kind.meaning.words),
                stage=stage_text(event.stage, language) if show_stage and event.stage else None,
                internal=event.kind is TimelineKind.NOTE,
                text=as_plain(record_words(event.text, language)) if event.text else "",
                replaced=(
                    as_plain(event.previous_text or "")
                    if event.kind is TimelineKind.EDITED
                    else None
                ),
                deleted=event.kind is TimelineKind.DELETED,
            )
        )
    return rows


# --- the HTML -------------------------------------------------------------------------------


def begin(
    source: DossierSource,
    reader: Reader,
    *,
    asker_id: str,
    generated_at: datetime,
    links: Sequence[tuple[str, str, str | None]],
) -> list[str]:
    """Everything before the events: the header, parties, response clocks, agreements in
    force and threads (`links`: kind, channel, permalink or None), then the events' head."""
    language = reader.language
    title = _e(title_of(source, language))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(language.code)}"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">{_e(language._(NOTICE))}</p>',
        "<dl>",
    ]
    for label, value in header_facts(source, reader, asker_id=asker_id, generated_at=generated_at):
        parts.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    parts.append("</dl>")
    for section in (parties_section(source, reader), clocks_section(source, reader)):
        parts.append(f"<h2>{_e(section.heading)}</h2>")
        if section.rows:
            parts += _table(section.head, section.rows)
        else:
            parts.append(f"<p>{_e(section.empty)}</p>")
    parts.append(_h2(language, N_("Agreements in force")))
    shown = agreements_shown(source, reader)
    if not shown:
        parts.append(_p(language, N_("None with these parties.")))
    for terms in shown:
        parts.append(f"<h3>{_e(terms.heading)}</h3><dl>")
        parts += [f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in terms.fields]
        parts.append("</dl>")
    parts.append(_h2(language, N_("Threads")))
    threads = thread_lines(links, reader)
    if not threads:
        parts.append(_p(language, N_("The dispute has no thread yet.")))
    else:
        parts.append("<ul>")
        for said, channel_id, url in threads:
            where = f'<a href="{_e(url)}">{_e(url)}</a>' if url else _e(channel_id)
            parts.append(f"<li>{_e(said)} · {_e(channel_id)} · {where}</li>")
        parts.append("</ul>")
    parts.append(_h2(language, N_("Timeline")))
    head = timeline_head(reader)
    parts += ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    return parts


def events(page: Sequence[TimelineEvent], reader: Reader, *, first_number: int) -> list[str]:
    """One page of the timeline's rows."""
    language = reader.language
    internal = _e(language._("INTERNAL"))
    replaced = _e(language._("Replaced:"))
    deleted = _e(language._("Deleted:"))
    parts: list[str] = []
    for row in event_rows(page, reader, first_number=first_number):
        what = _e(row.what)
        if row.internal:
            what += f' <span class="tag">{internal}</span>'
        if row.stage is not None:
            what += f"<br>{_e(row.stage)}"
        text = _e(row.text)
        if row.replaced is not None:
            text += f'<div class="was">{replaced} {_e(row.replaced)}</div>'
        if row.deleted:
            text = f'<span class="was">{deleted}</span> {text}'
        parts.append(
            f"<tr{' class=internal' if row.internal else ''}><td>{row.number}</td>"
            f"<td>{_e(row.utc)}</td><td>{_e(row.local)}</td><td>{_e(row.author)}</td>"
            f'<td>{_e(row.party)}</td><td>{what}</td><td class="text">{text}</td></tr>'
        )
    return parts


def end(reader: Reader) -> list[str]:
    closing = _e(reader.language._("End of the dossier."))
    return ["</tbody></table>", f'<p class="muted">{closing}</p>', "</body></html>"]
