"""Delivering a report to the person who asked, in their DM and their language: the figures,
made now, as a message (and the chart owed with them), then the chart as a PNG uploaded once
(a retried delivery finds the upload it made on record, `bot/commands/uploads.py`). Both are
internal material at the door."""

from __future__ import annotations

import asyncio

from bot.commands import outgoing, render_reports, render_reports_chart, uploads
from bot.commands.readers import user_language
from bot.commands.sending import Deliverers, Sender
from bot.domain.notices import ReportChart, SatisfactionDue
from bot.workflows import reports as workflow

DELIVERERS = Deliverers()


@DELIVERERS.of(SatisfactionDue)
async def figures(send: Sender, notice: SatisfactionDue) -> None:
    """The figures as text, made now; the chart of the same figures owed after them."""
    deps = send.deps
    report = await workflow.satisfaction_figures(
        deps.store,
        workspace_id=notice.workspace_id,
        party_id=notice.party_id,
        period=notice.period,
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    language = await user_language(deps, notice.owner_id)
    text, blocks = render_reports.figures(report, language)
    channel = await send.dm(notice.owner_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
    await workflow.owe_chart(
        deps.store, due=notice, delivery=send.item.id, report=report, now=deps.clock.now()
    )


@DELIVERERS.of(ReportChart)
async def chart(send: Sender, notice: ReportChart) -> None:
    """The chart, bars by quarter, with the figures as its alt text."""
    channel = await send.dm(notice.owner_id)
    if await uploads.already_sent(send, channel=channel):
        return
    about = outgoing.About(internal=True)
    await uploads.check_door(send, channel=channel, about=about)
    language = await user_language(send.deps, notice.owner_id)
    report = notice.report
    # Drawing takes a moment the event loop must not wait for.
    png = await asyncio.to_thread(render_reports_chart.chart, report, language)
    day = report.period.start.isoformat()
    await uploads.send_files(
        send,
        channel=channel,
        files=[
            uploads.File(
                content=png,
                filename=f"satisfaction-{day}-{report.period.end.isoformat()}.png",
                title=render_reports.title(report, language),
                alt_txt=render_reports.chart_alt(report, language),
            )
        ],
        comment=render_reports.chart_comment(report, language),
        about=about,
    )
