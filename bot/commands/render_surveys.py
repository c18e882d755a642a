"""Block Kit for periodic surveys: the post in the party's shared channel (the questions,
open until when, the count of answers and the Answer button), its one reminder, the
questionnaire form, and the insiders' answers to `/survey` (sent, scheduled, list, show), in
the reader's language.

Pure: records in, JSON out. Ratings and comments are rendered only for `/survey show`,
which insiders read; the channel's post says how many answered, never what.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.blocks import (
    Blocks,
    Mrkdwn,
    button,
    channel_link,
    context,
    header,
    local,
    md,
    mention,
    section,
)
from bot.commands.render_review_times import rule_text
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.recurrence import Recurrence
from bot.domain.surveys import COMMENT_LIMIT, RATINGS, Results, Survey, SurveySchedule

ANSWER_BUTTON = "survey_answer"
ANSWER_ACTIONS = "survey_answer_actions"
FORM_MODAL = "survey_form"
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "comment_text"
RATING_INPUT = "rating"

# The default questionnaire's words (`[surveys] questions`), so each reader sees them in their
# language; a question the config names otherwise is shown as written.
DEFAULT_QUESTIONS = (
    N_("Quality of service"),
    N_("Responsiveness"),
    N_("Attitude"),
    N_("Communication"),
    N_("Overall"),
)

SURVEY_USAGE = N_("""\
*Satisfaction surveys* — ask a party's people how we are doing (insiders only).
• `/survey send <party> [title]` — post the questionnaire in the party's shared channel now
• `/survey schedule <party> every quarter` — send it on a schedule (any repeating time \
`/review schedule` reads: `every month on the 1st working day`, `每季度第5个工作日`)
• `/survey unschedule <party>` — stop the party's schedule
• `/survey list [party]` — surveys, newest first, with how many answered
• `/survey show Q-n` — the results: averages per question, response rate, comments
• `/survey close Q-n` — close a survey early
• `/survey help` — this help
A survey stays open for the configured working days and is reminded once the day before it \
closes. Answers and comments are read only by our team.""")  # mrkdwn


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(SURVEY_USAGE))))
    return (problem or language._("How to use /survey")), blocks


def question_text(question: str, language: Language) -> str:
    return language._(question) if question in DEFAULT_QUESTIONS else question


def title_of(survey: Survey, language: Language) -> str:
    return survey.title or language._("Satisfaction survey")


def _until(survey: Survey, zone: ZoneInfo, language: Language) -> str:
    return language.day(local(survey.closes_at, zone)) if survey.closes_at else ""


def post(survey: Survey, count: int, *, zone: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    """The survey in its party's channel: title, questions, until when, how many answered
    (never what), and Answer while it is open."""
    title = title_of(survey, language)
    questions = Mrkdwn("\n").join(
        md("{n}. {q}", n=n, q=question_text(q, language)) for n, q in enumerate(survey.questions, 1)
    )
    answered = language.ngettext("{n} answer so far", "{n} answers so far", count).format(n=count)
    blocks: Blocks = [
        header(f"{survey.ref} · {title}"),
        section(
            md(
                language._(
                    "How are we doing? Rate each from 1 (poor) to 5 (excellent):\n{questions}"
                ),
                questions=questions,
            )
        ),
    ]
    if survey.is_open:
        said = md(
            language._("{ref} is open until {day}: {title}"),
            ref=survey.ref,
            day=_until(survey, zone, language),
            title=title,
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": ANSWER_ACTIONS,
                "elements": [button(language._("Answer"), ANSWER_BUTTON, survey.ref, "primary")],
            }
        )
        blocks.append(
            context(
                md(language._("Open until {day}"), day=_until(survey, zone, language)),
                answered,
                language._("Only our team reads the answers."),
            )
        )
    else:
        said = md(language._("{ref} is closed: {title}"), ref=survey.ref, title=title)
        total = language.ngettext("{n} answer", "{n} answers", count).format(n=count)
        blocks.append(context(language._("Closed: thank you for your answers."), total))
    return said, blocks


def reminder(survey: Survey, *, zone: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    """The one reminder, the working day before it closes."""
    said = md(
        language._("Reminder: {ref} ({title}) closes on {day}. Your answer helps us improve."),
        ref=survey.ref,
        title=title_of(survey, language),
        day=_until(survey, zone, language),
    )
    blocks: Blocks = [
        section(said),
        {
            "type": "actions",
            "block_id": ANSWER_ACTIONS,
            "elements": [button(language._("Answer"), ANSWER_BUTTON, survey.ref, "primary")],
        },
    ]
    return said, blocks


def _option(n: int) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)}


def form(
    survey: Survey,
    private_metadata: str,
    before: dict[int, int],
    comment: str | None,
    language: Language,
) -> dict[str, Any]:
    """The questionnaire: each question a 1-5 choice, then an optional comment."""
    blocks: Blocks = [
        section(md("*{}*", title_of(survey, language))),
        context(language._("1 = poor, 5 = excellent. Only our team reads your answers.")),
    ]
    for index, question in enumerate(survey.questions):
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": RATING_INPUT,
            "placeholder": {"type": "plain_text", "text": language._("Choose 1-5")},
            "options": [_option(n) for n in RATINGS],
        }
        if index in before:
            element["initial_option"] = _option(before[index])
        blocks.append(
            {
                "type": "input",
                "block_id": f"q{index}",
                "label": {"type": "plain_text", "text": question_text(question, language)[:2000]},
                "element": element,
            }
        )
    comment_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": COMMENT_INPUT,
        "multiline": True,
        "max_length": COMMENT_LIMIT,
    }
    if comment:
        comment_element["initial_value"] = comment
    blocks.append(
        {
            "type": "input",
            "block_id": COMMENT_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": language._("Comment")},
            "element": comment_element,
        }
    )
    return {
        "type": "modal",
        "callback_id": FORM_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": survey.ref[:24]},
        "submit": {"type": "plain_text", "text": language._("Send")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": blocks,
    }


# --- answers to insiders ----------------------------------------------------------------------


def sent(survey: Survey, *, zone: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    said = md(
        language._("{ref} for {party} is posted in {channel}, open until {day}."),
        ref=survey.ref,
        party=survey.party.name,
        channel=channel_link(survey.channel_id),
        day=_until(survey, zone, language),
    )
    return said, [section(said)]


def scheduled(
    schedule: SurveySchedule, rule: Recurrence, *, zone: ZoneInfo, language: Language
) -> tuple[str, Blocks]:
    said = md(
        language._("{party}'s survey is scheduled {rule}; the first is sent on {day}."),
        party=schedule.party.name,
        rule=rule_text(rule, language),
        day=language.stamp(local(schedule.next_at, zone)),
    )
    return said, [section(said)]


def unscheduled(schedule: SurveySchedule, language: Language) -> tuple[str, Blocks]:
    said = md(
        language._("{party}'s survey schedule is stopped; the surveys it sent are kept."),
        party=schedule.party.name,
    )
    return said, [section(said)]


def closed(survey: Survey, language: Language) -> tuple[str, Blocks]:
    said = md(language._("{ref} is closed; its post no longer takes answers."), ref=survey.ref)
    return said, [section(said)]


def listed(
    surveys: list[Survey],
    total: int,
    counts: dict[int, int],
    schedules: list[SurveySchedule],
    *,
    zone: ZoneInfo,
    language: Language,
) -> tuple[str, Blocks]:
    if not surveys and not schedules:
        said = language._("No surveys yet. Send one with `/survey send <party>`.")
        return said, [section(Mrkdwn(said))]
    lines: list[str] = []
    for s in surveys:
        answers = counts.get(s.id, 0)
        lines.append(
            md(
                language._("*{ref}* {party} · {title} · {status} · {answers}"),
                ref=s.ref,
                party=s.party.name,
                title=(s.title or s.case_ref or language._("Satisfaction survey")),
                status=language._(s.status.label),
                answers=language.ngettext("{n} answer", "{n} answers", answers).format(n=answers),
            )
        )
    for each in schedules:
        rule = Recurrence.from_storage(each.recurrence)
        lines.append(
            md(
                language._("Scheduled: {party} {rule}, next on {day}"),
                party=each.party.name,
                rule=rule_text(rule, language),
                day=language.stamp(local(each.next_at, zone)),
            )
        )
    said = language.ngettext(
        "{shown} of {total} survey", "{shown} of {total} surveys", total
    ).format(shown=len(surveys), total=total)
    return said, [section(Mrkdwn(said)), section(Mrkdwn("\n").join(Mrkdwn(x) for x in lines))]


def shown(found: Results, *, zone: ZoneInfo, language: Language) -> tuple[str, Blocks]:
    survey = found.survey
    rate = (
        language._("{rate}%").format(rate=round(100 * found.rate))
        if found.rate is not None
        else "–"
    )
    said = md(
        language._("{ref} · {party} · {status}: {answered} of {asked} answered ({rate})"),
        ref=survey.ref,
        party=survey.party.name,
        status=language._(survey.status.label),
        answered=found.answered,
        asked=found.asked,
        rate=rate,
    )
    rows = Mrkdwn("\n").join(
        md(
            language._("{question}: {average} ({n} answered)"),
            question=question_text(q.question, language),
            average=f"{q.average:.2f}" if q.average is not None else "–",
            n=q.answers,
        )
        for q in found.questions
    )
    blocks: Blocks = [header(title_of(survey, language)), section(said), section(rows)]
    if found.comments:
        blocks.append(section(Mrkdwn(language._("*Comments* (internal)"))))
        for who, text in found.comments[:40]:
            blocks.append(section(md("{who}: {text}", who=mention(who), text=text)))
    return said, blocks
