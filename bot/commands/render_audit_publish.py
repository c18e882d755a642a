"""Block Kit for a published scorecard S-n, in the reader's language: the table as text (each
dimension's score, band, the figure behind it and its weight; the total and its band), the
radar chart's words (`render_scorecard_chart.py` draws it), and the forms of the supplier's
Comment and Appeal.

Two copies of the same figures: the internal one (the auditor's notes, and a "Create
improvement action" button under each band-D dimension) and the supplier's, posted in its own
shared channel (no notes, the Comment and Appeal buttons). Pure: records in, JSON out; the
notes and what the supplier typed are escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.commands import render_audits
from bot.commands.blocks import (
    Blocks,
    Mrkdwn,
    button,
    channel_link,
    context,
    header,
    md,
    mention,
    plain,
    section,
)
from bot.commands.render_scorecard_chart import Radar, Spoke
from bot.commands.words.language import Language
from bot.domain import audit_publish as rules
from bot.domain.audit_publish import RemarkKind
from bot.domain.audits import Band, Dimension, DimensionScore, Scorecard
from bot.workflows.audit_publish import Published

COMMENT_BUTTON = "audit_comment"
APPEAL_BUTTON = "audit_appeal"
ACTION_BUTTON = "audit_improvement_action"
COMMENT_MODAL = "audit_comment_form"
APPEAL_MODAL = "audit_appeal_form"
REMARK_BLOCK = "remark"
REMARK_INPUT = "remark_text"


def _score(value: float) -> str:
    return f"{value:.0f}"


def title(scorecard: Scorecard, language: Language) -> str:
    """Plain text: the scorecard, its supplier and its period (the post's header, the chart's
    title)."""
    return language._("{ref} · {party} · {start} to {end}").format(
        ref=scorecard.ref,
        party=scorecard.party.name,
        start=language.day_year(scorecard.period_start),
        end=language.day_year(scorecard.period_end - timedelta(days=1)),
    )


def total_line(scorecard: Scorecard, language: Language) -> str:
    """Plain text: the total and its band, or that no dimension has data."""
    if scorecard.total is None:
        return language._("No total: no dimension has data.")
    return language._("Total {total} of 100, band {band}").format(
        total=_score(scorecard.total), band=scorecard.band.value if scorecard.band else "–"
    )


def _shares(scorecard: Scorecard) -> dict[Dimension, float]:
    """Each dimension with data's share of the total (its weight over theirs, in per cent)."""
    counted = [d for d in scorecard.dimensions if d.score is not None]
    weight = sum(d.weight for d in counted)
    return {d.dimension: (100 * d.weight / weight if weight else 0.0) for d in counted}


def _band_of(d: DimensionScore, bands: Mapping[Band, float]) -> Band | None:
    return rules.dimension_band(d.score, dict(bands))


def spokes(
    scorecard: Scorecard, bands: Mapping[Band, float], language: Language
) -> tuple[Spoke, ...]:
    """The radar's six spokes, in the contract's order (a missing dimension has no data)."""
    out = []
    for dimension in Dimension:
        found = scorecard.score_of(dimension) or DimensionScore(dimension=dimension, score=None)
        band = _band_of(found, bands)
        out.append(
            Spoke(
                label=language._(dimension.label),
                score=found.score,
                band=band.value if band is not None else None,
                figure=render_audits.figure_text(found, language),
            )
        )
    return tuple(out)


def radar(scorecard: Scorecard, bands: Mapping[Band, float], language: Language) -> Radar:
    return Radar(
        title=title(scorecard, language),
        subtitle=total_line(scorecard, language),
        spokes=spokes(scorecard, bands, language),
    )


def _dimension_line(
    d: DimensionScore, share: float | None, bands: Mapping[Band, float], language: Language
) -> Mrkdwn:
    said = render_audits.figure_text(d, language)
    label = language._(d.dimension.label)
    if d.score is None or share is None:
        return md(
            "• *{label}*: {nodata}",
            label=label,
            nodata=language._("{figure}; left out of the total").format(figure=said),
        )
    band = _band_of(d, bands)
    return md(
        "• *{label}*: {line}",
        label=label,
        line=language._("{score} · band {band} · weight {share}% · {figure}").format(
            score=_score(d.score),
            band=band.value if band is not None else "–",
            share=_score(share),
            figure=said,
        ),
    )


def scorecard_message(
    scorecard: Scorecard,
    *,
    bands: Mapping[Band, float],
    party_copy: bool,
    language: Language,
    earlier: int | None = None,
) -> tuple[str, Blocks]:
    """The published version as a message: the internal copy, or the supplier's (`party_copy`).
    `earlier` is the version this one replaces, said on version 2 and later."""
    heading = title(scorecard, language)
    blocks: Blocks = [header(heading)]
    if scorecard.version > 1:
        blocks.append(
            context(
                md(
                    ":arrows_counterclockwise: {}",
                    language._("Version {version}: it replaces version {earlier}.").format(
                        version=scorecard.version, earlier=earlier or scorecard.version - 1
                    ),
                )
            )
        )
    blocks.append(section(md("*{}*", total_line(scorecard, language))))
    shares = _shares(scorecard)
    by_dimension = {d.dimension: d for d in scorecard.dimensions}
    lines = [
        _dimension_line(
            by_dimension.get(dim) or DimensionScore(dimension=dim, score=None),
            shares.get(dim),
            bands,
            language,
        )
        for dim in Dimension
    ]
    blocks.append(section(Mrkdwn("\n").join(lines)))
    if not party_copy:
        if scorecard.notes:
            blocks.append(
                section(md("*{}*\n{}", language._("Auditor's notes (internal)"), scorecard.notes))
            )
        for dim in Dimension:
            found = by_dimension.get(dim)
            if found is None or _band_of(found, bands) is not Band.D:
                continue
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"improve_{dim.value}",
                    "elements": [
                        button(
                            language._("Create improvement action: {dimension}").format(
                                dimension=language._(dim.label)
                            ),
                            ACTION_BUTTON,
                            rules.action_value(scorecard, dim),
                        )
                    ],
                }
            )
    else:
        value = rules.button_value(scorecard)
        blocks.append(
            {
                "type": "actions",
                "block_id": "scorecard_remarks",
                "elements": [
                    button(language._("Comment"), COMMENT_BUTTON, value),
                    button(language._("Appeal"), APPEAL_BUTTON, value, style="danger"),
                ],
            }
        )
    blocks.append(
        context(
            md(
                "{} {}",
                language._("Owner:"),
                mention(scorecard.owner_id),
            ),
            language._("The radar chart follows in this message's thread."),
        )
    )
    return heading, blocks


def published(done: Published, party_channel: str | None, language: Language) -> tuple[str, Blocks]:
    """The answer to `/audit publish`: what was posted where (by the outbox, in a moment)."""
    scorecard = done.scorecard
    if done.again and not done.owed:
        said = language._(
            "{ref} version {version} is published already, in every channel asked for."
        ).format(ref=scorecard.ref, version=scorecard.version)
        return said, [section(md(":information_source: {}", said))]
    if party_channel is not None:
        line = md(
            ":mega: {} {}",
            language._(
                "{ref} version {version} is published: posted here and in the supplier's "
                "shared channel"
            ).format(ref=scorecard.ref, version=scorecard.version),
            channel_link(party_channel),
        )
    else:
        line = md(
            ":mega: {}",
            language._(
                "{ref} version {version} is published: posted here, for internal readers only."
            ).format(ref=scorecard.ref, version=scorecard.version),
        )
    return plain(line), [section(line)]


def chart_comment(scorecard: Scorecard, language: Language) -> str:
    return language._("The radar chart of {ref}, version {version}.").format(
        ref=scorecard.ref, version=scorecard.version
    )


def chart_filename(scorecard: Scorecard) -> str:
    return f"scorecard-{scorecard.ref}-v{scorecard.version}.png"


def remark_modal(
    scorecard: Scorecard, kind: RemarkKind, metadata: str, language: Language
) -> dict[str, Any]:
    """The form of a comment or an appeal on the version its button showed."""
    if kind is RemarkKind.APPEAL:
        heading, label = language._("Appeal"), language._("What you appeal, and why")
        callback = APPEAL_MODAL
        hint = language._("The scorecard's owner is told at once and will answer you.")
    else:
        heading, label = language._("Comment"), language._("Your comment")
        callback = COMMENT_MODAL
        hint = language._("Recorded with the scorecard for its owner.")
    return {
        "type": "modal",
        "callback_id": callback,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": heading},
        "submit": {"type": "plain_text", "text": language._("Send")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": [
            section(md("*{}*", title(scorecard, language))),
            {
                "type": "input",
                "block_id": REMARK_BLOCK,
                "label": {"type": "plain_text", "text": label},
                "hint": {"type": "plain_text", "text": hint},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REMARK_INPUT,
                    "multiline": True,
                    "max_length": rules.REMARK_LIMIT,
                },
            },
        ],
    }


def appeal_dm(
    scorecard: Scorecard, *, appealed_by: str, text: str, version: int, language: Language
) -> tuple[str, Blocks]:
    """The owner's DM: who appealed which version, and what they wrote (escaped)."""
    said = language._("{ref} ({party}, version {version}) was appealed.").format(
        ref=scorecard.ref, party=scorecard.party.name, version=version
    )
    return said, [
        section(md(":rotating_light: {} {}", said, mention(appealed_by))),
        section(md(">{}", text)),
    ]


def action_created(action_ref: str, scorecard: Scorecard, due: str, language: Language) -> Mrkdwn:
    """The presser's answer: the improvement action made, for whom, due when."""
    return md(
        ":white_check_mark: {said} {owner}",
        said=language._("{action} is created for {scorecard}, due {day}, owned by").format(
            action=action_ref, scorecard=scorecard.ref, day=due
        ),
        owner=mention(scorecard.owner_id),
    )


def action_exists(action_ref: str, scorecard: Scorecard, language: Language) -> str:
    return language._(
        "This dimension of {scorecard} has its improvement action already: {action}."
    ).format(scorecard=scorecard.ref, action=action_ref)


def improvement_dm(
    scorecard: Scorecard,
    *,
    action_ref: str,
    dimension: Dimension,
    due: str,
    created_by: str,
    language: Language,
) -> tuple[str, Blocks]:
    """The owner's DM when somebody made an improvement action of their scorecard."""
    said = language._(
        "{action} is yours: improve {dimension} of {party} (band D in {ref}), due {day}."
    ).format(
        action=action_ref,
        dimension=language._(dimension.label),
        party=scorecard.party.name,
        ref=scorecard.ref,
        day=due,
    )
    return said, [
        section(md(":clipboard: {}", said)),
        context(md("{} {}", language._("Created by"), mention(created_by))),
    ]


def remark_thanks(scorecard: Scorecard, kind: RemarkKind, language: Language) -> tuple[str, Blocks]:
    """The DM to the supplier's person whose comment or appeal was recorded."""
    if kind is RemarkKind.APPEAL:
        said = language._(
            "Your appeal against {ref} is recorded, and its owner has been told."
        ).format(ref=scorecard.ref)
    else:
        said = language._("Your comment on {ref} is recorded.").format(ref=scorecard.ref)
    return said, [section(md(":white_check_mark: {}", said))]
