"""A dispute's dossier as one self-contained HTML file: inline CSS, no script, nothing loaded
from anywhere. Pure: records in, parts of the file out (a long record is written page by
page, `begin`, `events` for each page, `end`, and joined once).

Headings and Parley's own words are in the reader's language; what people typed is shown
as they typed it, HTML-escaped (a `<script>` or a `<!channel>` in a reply is text here).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
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


def _typed(text: str, language: Language) -> str:
    """A text of the record as the reader reads it, escaped: mentions as `@name`."""
    return _e(as_plain(record_words(text, language)))


@dataclass(frozen=True)
class Reader:
    """Who the dossier is written for: their language and time zone, and the people's names
    (Slack user id → name) it shows beside their ids."""

    language: Language
    tz: ZoneInfo
    names: Mapping[str, str]

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
    """A table whose cells are already HTML."""
    parts = ["<table><thead><tr>", *(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        parts += ["<tr>", *(f"<td>{cell}</td>" for cell in row), "</tr>"]
    parts.append("</tbody></table>")
    return parts


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
    d = source.dispute
    title = _e(language._(TITLE).format(ref=d.ref, title=as_plain(d.title)))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(language.code)}"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">{_e(language._(NOTICE))}</p>',  # NOTICE is N_-marked below
        "<dl>",
    ]
    for label, value in header_facts(source, reader, asker_id=asker_id, generated_at=generated_at):
        parts.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    parts.append("</dl>")
    parts += _parties(source, reader)
    parts += _clocks(source, reader)
    parts += _agreements(source, reader)
    parts += _threads(links, reader)
    parts.append(_h2(language, N_("Timeline")))
    head = [
        "#",
        _e(language._("Time (UTC)")),
        _e(language._("Time ({zone})").format(zone=reader.tz.key)),
        _e(language._("Author")),
        _e(language._("Party")),
        _e(language._("Event")),
        _e(language._("Text")),
    ]
    parts += ["<table><thead><tr>", *(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    return parts


NOTICE = N_(
    "The full record of the dispute as Parley holds it: every event with its time, author and "
    "party, every edit with the text it replaced, every deletion with what was deleted, and the "
    "internal notes. Internal: not for the parties."
)


def _parties(source: DossierSource, reader: Reader) -> list[str]:
    language = reader.language
    parts = [_h2(language, N_("Parties"))]
    if not source.dispute.parties:
        return [*parts, _p(language, N_("No party has been brought in."))]
    rows = [
        (_e(p.name), _e(language._(PARTY_KINDS[p.kind])), _e(p.slack_team or "—"))
        for p in source.dispute.parties
    ]
    head = (_e(language._("Party")), _e(language._("Kind")), _e(language._("Slack team")))
    return parts + _table(head, rows)


def _clocks(source: DossierSource, reader: Reader) -> list[str]:
    language = reader.language
    parts = [_h2(language, N_("Response clocks"))]
    firsts = {e.party: e for e in source.first_replies if e.party}
    rows = []
    for party in source.dispute.parties:
        first = firsts.get(party.name)
        if first is None or first.response_wall_seconds is None:
            rows.append((_e(party.name), _e(language._("no reply yet")), "—", "—"))
            continue
        rows.append(
            (
                _e(party.name),
                _e(" · ".join(reader.both_times(first.at))),
                _e(duration_text(first.response_wall_seconds, language)),
                _e(duration_text(first.response_working_seconds or 0, language, in_days=False)),
            )
        )
    if not rows:
        return [*parts, _p(language, N_("No party has been brought in."))]
    head = (
        _e(language._("Party")),
        _e(language._("First reply")),
        _e(language._("Wall time")),
        _e(language._("Working time")),
    )
    return parts + _table(head, rows)


def _agreements(source: DossierSource, reader: Reader) -> list[str]:
    language = reader.language
    parts = [_h2(language, N_("Agreements in force"))]
    if not source.agreements:
        return [*parts, _p(language, N_("None with these parties."))]
    labels = (
        N_("What"),
        N_("Why"),
        N_("Who"),
        N_("When"),
        N_("Where"),
        N_("How"),
        N_("Authorization"),
    )
    for a in source.agreements:
        t = a.current.terms
        heading = language._("{ref} version {version} with {party}, valid until {day}").format(
            ref=a.ref, version=a.version, party=a.party.name, day=language.day_year(t.valid_until)
        )
        parts.append(f"<h3>{_e(heading)}</h3><dl>")
        values = (t.what, t.why, t.who, t.when, t.where, t.how, t.authorization)
        for label, value in zip(labels, values, strict=True):
            parts.append(f"<dt>{_e(language._(label))}</dt><dd>{_typed(value, language)}</dd>")
        parts.append("</dl>")
    return parts


THREAD_KINDS = {"home": N_("home thread"), "linked": N_("linked thread")}


def _threads(links: Sequence[tuple[str, str, str | None]], reader: Reader) -> list[str]:
    language = reader.language
    parts = [_h2(language, N_("Threads"))]
    if not links:
        return [*parts, _p(language, N_("The dispute has no thread yet."))]
    parts.append("<ul>")
    for kind, channel_id, url in links:
        said = _e(language._(THREAD_KINDS.get(kind, kind)))
        where = f'<a href="{_e(url)}">{_e(url)}</a>' if url else _e(channel_id)
        parts.append(f"<li>{said} · {_e(channel_id)} · {where}</li>")
    parts.append("</ul>")
    return parts


def events(page: Sequence[TimelineEvent], reader: Reader, *, first_number: int) -> list[str]:
    """One page of the timeline's rows; `first_number` is the first event's place."""
    language = reader.language
    parts: list[str] = []
    for n, event in enumerate(page, start=first_number):
        meaning = event.kind.meaning
        utc, mine = reader.row_times(event.at)
        private = event.kind is TimelineKind.NOTE
        what = _e(language._(meaning.words))
        if private:
            tag = _e(language._("INTERNAL"))
            what += f' <span class="tag">{tag}</span>'
        if event.stage is not None and event.kind is not TimelineKind.REPLY:
            what += f"<br>{_e(stage_text(event.stage, language))}"
        parts.append(
            f"<tr{' class=internal' if private else ''}><td>{n}</td><td>{_e(utc)}</td>"
            f"<td>{_e(mine)}</td><td>{_e(reader.person(event.actor_id))}</td>"
            f"<td>{_e(event.party or '—')}</td><td>{what}</td>"
            f'<td class="text">{_text_cell(event, language)}</td></tr>'
        )
    return parts


def _text_cell(event: TimelineEvent, language: Language) -> str:
    said = _typed(event.text, language) if event.text else ""
    if event.kind is TimelineKind.EDITED:
        was = _typed(event.previous_text or "", language)
        label = _e(language._("Replaced:"))
        return f'{said}<div class="was">{label} {was}</div>'
    if event.kind is TimelineKind.DELETED:
        label = _e(language._("Deleted:"))
        return f'<span class="was">{label}</span> {said}'
    return said


def end(reader: Reader) -> list[str]:
    closing = _e(reader.language._("End of the dossier."))
    return ["</tbody></table>", f'<p class="muted">{closing}</p>', "</body></html>"]
