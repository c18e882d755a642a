"""Delivering a case survey: its question posted in its party's own thread of the case.

Fail closed on where: the survey's thread was chosen from the record (the complaint's card,
the dispute's thread its party's people replied in), and before posting Slack's record of the
channel must say it is that party's own: a shared channel whose only other organisation is
the survey's party. Anywhere else (an internal channel, a channel shared with another party
too) the survey is closed unposted and nobody counts as asked.
"""

from __future__ import annotations

import logging

from bot.commands import render_survey_cases
from bot.commands.blocks import local
from bot.commands.outgoing import About
from bot.commands.readers import channel_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import CaseSurveyPost
from bot.workflows import survey_cases

log = logging.getLogger(__name__)

DELIVERERS = Deliverers()


@DELIVERERS.of(CaseSurveyPost)
async def case_post(send: Sender, notice: CaseSurveyPost) -> None:
    deps = send.deps
    found = await survey_cases.to_post(deps.store, survey_id=notice.survey_id)
    if found is None:
        raise NothingToSend("the survey is gone")
    survey, asked = found
    if survey.post_ts is not None:
        raise NothingToSend("the survey is posted already")
    if not survey.is_open or survey.thread_ts is None or not asked:
        raise NothingToSend("the survey is closed")
    audience = await deps.directory.audience(survey.channel_id, survey.workspace_id)
    own = survey.party.slack_team
    if audience.internal or own is None or audience.team_ids != frozenset({own}):
        log.info("%s: its thread is not %s's own channel; not posted", survey.ref, own)
        await survey_cases.not_posted(deps.store, survey=survey, now=deps.clock.now())
        raise NothingToSend("not the party's own channel")
    language = await channel_language(deps, survey.channel_id, survey.workspace_id)
    zone = deps.config.calendar.zone
    until = language.day(local(survey.closes_at, zone)) if survey.closes_at else ""
    text, blocks = render_survey_cases.case_post(survey, asked, until=until, language=language)
    ts = await send.post(
        channel=survey.channel_id,
        thread_ts=survey.thread_ts,
        text=text,
        blocks=blocks,
        about=About(parties=[survey.party]),
    )
    await survey_cases.record_post(deps.store, survey=survey, ts=ts)
