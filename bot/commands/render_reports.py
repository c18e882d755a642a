"""Block Kit for `/report`: the usage, the answer in the channel, and the satisfaction
report's figures as text for the asker's DM (with the alt text of its chart), in the
reader's language.

Pure: the figures in, JSON out. A party's name and a question's text are typed (in Slack or
in the config file), so they are escaped for mrkdwn.
"""

from __future__ import annotations

from bot.commands.blocks import Blocks, Mrkdwn, context, header, md, section
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.reports import QuarterFigure, QuestionFigure, SatisfactionReport

REPORT_USAGE = N_("""\
*Reports* — figures for the service manager, sent to you by DM.
• `/report satisfaction [party] [last quarter|this quarter|this year|last year]` — answers \
to the surveys, response rate, average per question and per quarter (with a chart), \
complaints opened and closed, median working days to close, overdue complaints and praise
• `/report satisfaction [party] 2026-01-01 to 2026-03-31` — the same for any dates
• `/report help` — this help
Without a party: every party. Without a period: this year so far. \
Chinese works too: `上季度`, `本季度`, `今年`, `去年`.""")  # mrkdwn

CASE_QUESTION = N_("Case handling")


def usage(language: Language, problem: str | None = None) -> tuple[str, Blocks]:
    blocks: Blocks = []
    if problem:
        blocks.append(section(md(":warning: {}", problem)))
    blocks.append(section(Mrkdwn(language._(REPORT_USAGE))))
    return (problem or language._("How to use /report")), blocks


def sent(language: Language) -> tuple[str, Blocks]:
    """The ephemeral answer where it was asked."""
    text = language._("I'm preparing the satisfaction report; it will arrive in your DM.")
    return text, [section(md(":envelope_with_arrow: {}", text))]


def title(report: SatisfactionReport, language: Language) -> str:
    """Plain text: who and when the report is about (the DM's header, the chart's title)."""
    start, end = language.day_year(report.period.start), language.day_year(report.period.end)
    if report.party is None:
        return language._("Satisfaction, every party, {start} to {end}").format(
            start=start, end=end
        )
    return language._("Satisfaction of {party}, {start} to {end}").format(
        party=report.party, start=start, end=end
    )


def question_label(figure: QuestionFigure, language: Language) -> str:
    return figure.text if figure.text is not None else language._(CASE_QUESTION)


def _average(value: float) -> str:
    return f"{value:.2f}"


def _question_line(figure: QuestionFigure, language: Language) -> Mrkdwn:
    ratings = language.ngettext("{n} rating", "{n} ratings", figure.ratings).format(
        n=language.number(figure.ratings)
    )
    return md(
        "• {question}: *{average}* ({ratings})",
        question=question_label(figure, language),
        average=_average(figure.average),
        ratings=ratings,
    )


def _quarter_line(figure: QuarterFigure, language: Language) -> Mrkdwn:
    answers = language.ngettext("{n} answer", "{n} answers", figure.answers).format(
        n=language.number(figure.answers)
    )
    if figure.average is None:
        words = language._("{quarter}: {answers}, no ratings")
    else:
        words = language._("{quarter}: {answers}, average {average}")
    return md(
        "• {}",
        words.format(
            quarter=figure.label,
            answers=answers,
            average=_average(figure.average) if figure.average is not None else "",
        ),
    )


def figure_lines(report: SatisfactionReport, language: Language) -> list[str]:
    """The figures, one plain line each (the chart's alt text, and the fallback text)."""
    lines = [title(report, language)]
    if report.answers == 0:
        lines.append(language._("No answers in that period."))
    else:
        lines.append(language._("Answers: {n}").format(n=language.number(report.answers)))
    lines.append(_rate(report, language))
    for figure in report.questions:
        lines.append(
            language._("{question}: {average}").format(
                question=question_label(figure, language), average=_average(figure.average)
            )
        )
    for quarter in report.quarters:
        if quarter.average is not None:
            lines.append(
                language._("{quarter}: {answers} answers, average {average}").format(
                    quarter=quarter.label,
                    answers=language.number(quarter.answers),
                    average=_average(quarter.average),
                )
            )
    lines.extend(_complaint_lines(report, language))
    return lines


def _rate(report: SatisfactionReport, language: Language) -> str:
    rate = report.response_rate
    if rate is None:
        return language._("Response rate: nobody was asked in that period.")
    return language._("Response rate: {rate} ({answered} of {asked} people asked)").format(
        rate=f"{rate:.0%}",
        answered=language.number(report.answered),
        asked=language.number(report.asked),
    )


def _complaint_lines(report: SatisfactionReport, language: Language) -> list[str]:
    lines = [
        language._("Complaints: {opened} opened, {closed} closed, {overdue} overdue now").format(
            opened=language.number(report.complaints_opened),
            closed=language.number(report.complaints_closed),
            overdue=language.number(report.overdue),
        )
    ]
    if report.median_days_to_close is None:
        lines.append(language._("Median time to close: no complaint closed in that period."))
    else:
        days = report.median_days_to_close
        lines.append(
            language._("Median time to close: {days} working days").format(
                days=f"{days:g}" if days != int(days) else str(int(days))
            )
        )
    lines.append(language._("Praise: {n}").format(n=language.number(report.praise)))
    return lines


def figures(report: SatisfactionReport, language: Language) -> tuple[str, Blocks]:
    """The DM with the figures as text; the chart follows it as a file."""
    blocks: Blocks = [header(title(report, language))]
    survey: list[Mrkdwn] = []
    if report.answers == 0:
        survey.append(md("_{}_", language._("No answers in that period.")))
    else:
        survey.append(md("*{}* {}", language._("Answers:"), language.number(report.answers)))
    survey.append(md("{}", _rate(report, language)))
    blocks.append(section(Mrkdwn("\n").join(survey)))
    if report.questions:
        lines = [md("*{}*", language._("Average rating per question (1–5)"))]
        lines += [_question_line(q, language) for q in report.questions]
        blocks.append(section(Mrkdwn("\n").join(lines)))
    if report.answers:
        lines = [md("*{}*", language._("By quarter"))]
        lines += [_quarter_line(q, language) for q in report.quarters]
        blocks.append(section(Mrkdwn("\n").join(lines)))
    blocks.append(
        section(Mrkdwn("\n").join(md("{}", line) for line in _complaint_lines(report, language)))
    )
    blocks.append(
        context(md("{}", language._("Internal figures: do not share them in a shared channel.")))
    )
    return "\n".join(figure_lines(report, language)), blocks


def chart_comment(report: SatisfactionReport, language: Language) -> str:
    return language._("The chart of {title}.").format(title=title(report, language))


def chart_alt(report: SatisfactionReport, language: Language) -> str:
    """The chart's alt text: every figure it shows, and the others."""
    return "; ".join(figure_lines(report, language))[:1000]
