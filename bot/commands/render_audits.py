"""Block Kit for `/audit`: the usage, a scorecard with each dimension's score and the figure
behind it, the list, the answers to open, rate and schedule, the rating form, and the owner's
reminder of a scheduled draft, in the reader's language.

Pure: records in, JSON out. Supplier names and the auditor's notes are typed text, escaped
like any other (`bot/commands/mrkdwn.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.blocks import (
    Blocks,
    Mrkdwn,
    context,
    header,
    md,
    mention,
    section,
    sections,
)
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import audit_scores
from bot.domain.audits import (
    NOTES_LIMIT,
    RATINGS,
    AuditSchedule,
    Dimension,
    DimensionScore,
    Recurrence,
    Scorecard,
    ScorecardVersion,
)

AUDIT_USAGE = N_("""\
*Supplier audits* — scorecards `S-n` computed from the record of a period.
• `/audit open &lt;supplier&gt; [last quarter|&lt;from&gt; to &lt;to&gt;]` — a draft scorecard
• `/audit rate S-n` — the auditor's form: cooperation climate 1–5 and notes
• `/audit list [supplier]` — the newest scorecards and the scheduled audits
• `/audit show S-n` — one scorecard, each dimension with the figure behind it
• `/audit publish S-n [to supplier]` — post it here for internal readers (with its radar \
chart), and with `to supplier` its copy in the supplier's own shared channel, with *Comment* \
and *Appeal* for its people
• `/audit schedule &lt;supplier&gt; every quarter` — a draft at the end of each period, you reminded
• `/audit unschedule &lt;supplier&gt;` — no more scheduled drafts
• `/audit help` — this help
No period means last quarter. Weights and bands are set in the config file (`[audits]`).""")

RATE_MODAL = "audit_rate"
RATING_BLOCK = "audit_rating"
RATING_INPUT = "audit_rating_input"
NOTES_BLOCK = "audit_notes"
NOTES_INPUT = "audit_notes_input"

RECURRENCES = {
    Recurrence.MONTH: N_("every month"),
    Recurrence.QUARTER: N_("every quarter"),
    Recurrence.YEAR: N_("every year"),
}
RATING_WORDS = {
    1: N_("1 — poor"),
    2: N_("2 — difficult"),
    3: N_("3 — workable"),
    4: N_("4 — good"),
    5: N_("5 — excellent"),
}


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(AUDIT_USAGE))))
    return (problem or language._("How to use /audit")), blocks


def _figure(value: object) -> str:
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    return str(value)


def period_text(start: datetime, end: datetime, tz: ZoneInfo, language: Language) -> str:
    """The period's first and last local days: "1 Jul 2026 – 30 Sep 2026"."""
    last = (end.astimezone(tz) - timedelta(seconds=1)).date()
    return language._("{first} – {last}").format(
        first=language.day_year(start.astimezone(tz).date()), last=language.day_year(last)
    )


def figure_text(score: DimensionScore, language: Language) -> str:
    """The figure behind a dimension's score, or why it has none."""
    f = {k: _figure(v) for k, v in score.facts.items()}
    if score.score is None:
        if score.dimension is Dimension.COOPERATION:
            return language._("no data: not rated yet")
        if f.get("no_data") == audit_scores.NO_CONTRACT:
            return language._("no data: it has no support contract")
        return language._("no data in the record for the period")
    dimension = score.dimension
    if dimension is Dimension.RESPONSIVENESS:
        return language._(
            "{within} of {replies} first replies within {contract} h ({support}); median {median} h"
        ).format(
            within=f["within"],
            replies=f["replies"],
            contract=f["contract_hours"],
            support=f["support_hours"],
            median=f["median_hours"],
        )
    if dimension is Dimension.PROBLEM_SOLVING:
        return language._(
            "{early} of {closed} closed disputes resolved before the company process"
        ).format(early=f["early"], closed=f["closed"])
    if dimension is Dimension.EFFICIENCY:
        return language._(
            "median {median} h to resolve ({days} working days) against {contract} h contracted"
        ).format(
            median=f["median_hours"], days=f["median_working_days"], contract=f["contract_hours"]
        )
    if dimension is Dimension.STAFF_STABILITY:
        return language._(
            "{stayed} of {people} people stayed; {leavers} left its shared channels"
        ).format(stayed=f["stayed"], people=f["people"], leavers=f["leavers"])
    if dimension is Dimension.CUSTOMER_FEEDBACK:
        if score.facts.get("mean_rating") is None:
            return language._("no survey answers; linked complaints: {complaints}").format(
                complaints=f["complaints"]
            )
        return language._(
            "{answers} survey answers (mean {mean} of 5); linked complaints: {complaints}"
        ).format(answers=f["answers"], mean=f["mean_rating"], complaints=f["complaints"])
    return language._("rated {rating} of 5 by the auditor").format(rating=f["rating"])


def dimension_line(score: DimensionScore, language: Language) -> Mrkdwn:
    """`*Responsiveness* 75 — 3 of 4 first replies …` (no data: a dash, never 0)."""
    value = str(score.score) if score.score is not None else "—"
    return md(
        "*{label}* {value} — {figure}",
        label=language._(score.dimension.label),
        value=value,
        figure=figure_text(score, language),
    )


def total_text(total: float | None, band: str | None, language: Language) -> str:
    if total is None or band is None:
        return language._("Total: no data yet")
    return language._("Total {total} · band {band}").format(total=_figure(total), band=band)


def scorecard(
    card: Scorecard,
    *,
    tz: ZoneInfo,
    language: Language,
    versions: list[ScorecardVersion] | None = None,
) -> tuple[str, Blocks]:
    """One scorecard: its supplier, period, status, the six dimensions and the total."""
    title = language._("{ref} {supplier}, {period}").format(
        ref=card.ref,
        supplier=card.party.name,
        period=period_text(card.period_start, card.period_end, tz, language),
    )
    status = language._("{status}, version {version}").format(
        status=language._(card.status.label), version=card.version
    )
    blocks: Blocks = [
        header(title),
        context(md("{} · {}", status, mention(card.owner_id))),
        section(Mrkdwn("\n").join(dimension_line(d, language) for d in card.dimensions)),
        section(md("*{}*", total_text(card.total, card.band, language))),
    ]
    if card.notes:
        blocks.append(section(md("{} {}", language._("Auditor's notes:"), card.notes)))
    for kept in versions or []:
        blocks.append(
            context(
                language._("Version {version}: {total}").format(
                    version=kept.version,
                    total=total_text(kept.total, kept.band, language),
                )
            )
        )
    return title, blocks


def opened(card: Scorecard, *, tz: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    text, blocks = scorecard(card, tz=tz, language=language)
    hint = language._("Draft {ref} is ready: rate it with `/audit rate {ref}`.").format(
        ref=card.ref
    )
    return hint, [section(Mrkdwn(hint)), *blocks]


def rated(card: Scorecard, *, tz: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    text, blocks = scorecard(card, tz=tz, language=language)
    said = language._("{ref} rated: cooperation {rating} of 5 (version {version}).").format(
        ref=card.ref, rating=card.cooperation, version=card.version
    )
    return said, [section(said), *blocks]


def scorecard_list(
    found: list[Scorecard],
    count: int,
    planned: list[AuditSchedule],
    *,
    tz: ZoneInfo,
    language: Language,
) -> tuple[str, Blocks]:
    if not found and not planned:
        text = language._("No scorecards yet. Open one with `/audit open <supplier>`.")
        return text, [section(md("{}", text))]
    lines = [
        md(
            "*{ref}* {supplier} · {period} · {status} · {total}",
            ref=card.ref,
            supplier=card.party.name,
            period=period_text(card.period_start, card.period_end, tz, language),
            status=language._(card.status.label),
            total=total_text(card.total, card.band.value if card.band else None, language),
        )
        for card in found
    ]
    head = language.ngettext("{n} scorecard", "{n} scorecards", count).format(n=count)
    blocks: Blocks = [section(md("*{}*", head)), *sections(lines)]
    if len(found) < count:
        blocks.append(context(language._("Showing the newest {n}.").format(n=len(found))))
    for plan in planned:
        blocks.append(context(schedule_line(plan, tz=tz, language=language)))
    return head, blocks


def schedule_line(plan: AuditSchedule, *, tz: ZoneInfo, language: Language) -> Mrkdwn:
    return md(
        language._("{supplier} audited {every}; next draft {day}, owner {owner}"),
        supplier=plan.party.name,
        every=language._(RECURRENCES[Recurrence(plan.recurrence)]),
        day=language.day_year(plan.next_at.astimezone(tz).date()),
        owner=mention(plan.owner_id),
    )


def scheduled(plan: AuditSchedule, *, tz: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    line = schedule_line(plan, tz=tz, language=language)
    return str(line), [section(line)]


def unscheduled(name: str, language: Language) -> tuple[str, Blocks]:
    text = language._("No more scheduled audits of {supplier}.")
    line = md(text, supplier=name)
    return str(line), [section(line)]


def rate_modal(card: Scorecard, private_metadata: str, language: Language) -> dict[str, Any]:
    """The auditor's form: the cooperation climate 1-5 (the current rating chosen) and notes."""
    options = [
        {"text": {"type": "plain_text", "text": language._(RATING_WORDS[r])}, "value": str(r)}
        for r in RATINGS
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": RATING_INPUT,
        "options": options,
    }
    if card.cooperation is not None:
        select["initial_option"] = options[card.cooperation - 1]
    notes: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NOTES_INPUT,
        "multiline": True,
        "max_length": NOTES_LIMIT,
    }
    if card.notes:
        notes["initial_value"] = card.notes
    return {
        "type": "modal",
        "callback_id": RATE_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": language._("Rate {ref}").format(ref=card.ref)[:24]},
        "submit": {"type": "plain_text", "text": language._("Save")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": [
            section(md("*{}*", card.party.name)),
            {
                "type": "input",
                "block_id": RATING_BLOCK,
                "label": {"type": "plain_text", "text": language._("Cooperation climate")},
                "element": select,
            },
            {
                "type": "input",
                "block_id": NOTES_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": language._("Notes")},
                "element": notes,
            },
        ],
    }


def draft_ready(card: Scorecard, *, tz: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    """The owner's one reminder of a scheduled draft."""
    said = language._(
        "The scheduled audit of {supplier} is ready as draft {ref}: rate it with "
        "`/audit rate {ref}`, then publish it."
    )
    line = md(said, supplier=card.party.name, ref=card.ref)
    _, blocks = scorecard(card, tz=tz, language=language)
    return str(line), [section(line), *blocks]
