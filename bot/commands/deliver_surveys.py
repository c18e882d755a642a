"""Delivering periodic surveys: the post in the party's shared channel, its edits (the count
of answers, closed without Answer) and its one reminder.

Fail closed on where, like the case surveys: before posting, Slack's record of the channel
must say it is that party's own (a shared channel whose only other organisation is the
survey's party). Anywhere else the survey is closed unposted. The party's people in the
channel when it is posted are who it asked (its response rate).
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.commands import render_surveys
from bot.commands.directory import UnknownUser
from bot.commands.outgoing import About
from bot.commands.readers import channel_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import SurveyPost, SurveyRefresh, SurveyReminder
from bot.domain.surveys import Survey
from bot.workflows import surveys

log = logging.getLogger(__name__)

DELIVERERS = Deliverers()
MEMBER_PAGES = 10


async def _members_of_party(send: Sender, survey: Survey) -> list[str]:
    """The party's people in the survey's channel, by Slack's record of each."""
    team = survey.party.slack_team
    found: list[str] = []
    cursor: str | None = None
    for _ in range(MEMBER_PAGES):
        try:
            page = await send.client.conversations_members(
                channel=survey.channel_id, limit=200, cursor=cursor
            )
        except SlackApiError as exc:
            log.warning("%s: members not listed (%s)", survey.ref, exc.response.get("error"))
            return found
        for user_id in page.get("members") or []:
            try:
                person = await send.deps.directory.person(str(user_id))
            except (UnknownUser, SlackApiError):
                continue
            if person.team_id == team and not person.is_bot:
                found.append(person.user_id)
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return found


@DELIVERERS.of(SurveyPost)
async def survey_post(send: Sender, notice: SurveyPost) -> None:
    deps = send.deps
    found = await surveys.to_deliver(deps.store, survey_id=notice.survey_id)
    if found is None:
        raise NothingToSend("the survey is gone")
    survey, count = found
    if survey.post_ts is not None:
        raise NothingToSend("the survey is posted already")
    if not survey.is_open:
        raise NothingToSend("the survey is closed")
    audience = await deps.directory.audience(survey.channel_id, survey.workspace_id)
    own = survey.party.slack_team
    if audience.internal or own is None or audience.team_ids != frozenset({own}):
        log.info("%s: %s is not %s's own channel; not posted", survey.ref, survey.channel_id, own)
        await surveys.not_posted(deps.store, survey=survey, now=deps.clock.now())
        raise NothingToSend("not the party's own channel")
    language = await channel_language(deps, survey.channel_id, survey.workspace_id)
    text, blocks = render_surveys.post(
        survey, count, zone=deps.config.calendar.zone, language=language
    )
    ts = await send.post(
        channel=survey.channel_id, text=text, blocks=blocks, about=About(parties=[survey.party])
    )
    asked = await _members_of_party(send, survey)
    await surveys.record_post(deps.store, survey=survey, ts=ts, asked=asked, now=deps.clock.now())


@DELIVERERS.of(SurveyRefresh)
async def survey_refresh(send: Sender, notice: SurveyRefresh) -> None:
    deps = send.deps
    found = await surveys.to_deliver(deps.store, survey_id=notice.survey_id)
    if found is None:
        raise NothingToSend("the survey is gone")
    survey, count = found
    if survey.post_ts is None:
        raise NothingToSend("the survey was never posted")
    language = await channel_language(deps, survey.channel_id, survey.workspace_id)
    text, blocks = render_surveys.post(
        survey, count, zone=deps.config.calendar.zone, language=language
    )
    await send.update(
        channel=survey.channel_id,
        ts=survey.post_ts,
        text=text,
        blocks=blocks,
        about=About(parties=[survey.party]),
    )


@DELIVERERS.of(SurveyReminder)
async def survey_reminder(send: Sender, notice: SurveyReminder) -> None:
    deps = send.deps
    found = await surveys.to_deliver(deps.store, survey_id=notice.survey_id)
    if found is None:
        raise NothingToSend("the survey is gone")
    survey, _ = found
    if not survey.is_open or survey.post_ts is None:
        raise NothingToSend("the survey is closed")
    language = await channel_language(deps, survey.channel_id, survey.workspace_id)
    text, blocks = render_surveys.reminder(
        survey, zone=deps.config.calendar.zone, language=language
    )
    await send.post(
        channel=survey.channel_id, text=text, blocks=blocks, about=About(parties=[survey.party])
    )
