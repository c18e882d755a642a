"""Delivering what publishing a scorecard owes Slack: a version's post in a channel (the
internal copy, or the supplier's in its own shared channel), then its radar chart uploaded once
into that post's thread (a retried delivery finds the upload on record,
`bot/commands/uploads.py`), and the owner's DM when the supplier appeals.

The supplier's copy is posted only where Slack says the channel is shared with that party's
organisation and no other; it carries its party at the door (`About(parties=…)`), so the door
refuses it anywhere else. The internal copy and the appeal's DM are internal material.
"""

from __future__ import annotations

import asyncio

from bot.commands import outgoing, render_scorecard_chart, uploads
from bot.commands import render_audit_publish as render
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender, Undeliverable
from bot.domain.audit_publish import (
    ScorecardAppealed,
    ScorecardChart,
    ScorecardImprovement,
    ScorecardPublished,
    ScorecardRemarked,
)
from bot.domain.audits import Dimension, Scorecard, ScorecardStatus
from bot.workflows import audit_publish as workflow

DELIVERERS = Deliverers()


async def _current(send: Sender, number: int, version: int) -> Scorecard:
    """The scorecard at the version the notice is for, still published; else nothing to send
    (a newer version is begun: its own publishing posts it)."""
    scorecard = await workflow.scorecard(
        send.deps.store, workspace_id=send.item.workspace_id, number=number
    )
    if scorecard.version != version or scorecard.status is not ScorecardStatus.PUBLISHED:
        raise NothingToSend("the scorecard has a newer version")
    return scorecard


def _about(scorecard: Scorecard, party: bool) -> outgoing.About:
    return outgoing.About(parties=[scorecard.party]) if party else outgoing.About(internal=True)


async def _check_party_channel(send: Sender, scorecard: Scorecard, channel: str) -> None:
    """The supplier's copy goes only where Slack says that party alone is the other side."""
    audience = await send.deps.directory.audience(channel, send.item.workspace_id)
    team = scorecard.party.slack_team
    if audience.internal or team is None or audience.team_ids != frozenset({team}):
        raise Undeliverable("isolation")


@DELIVERERS.of(ScorecardPublished)
async def post(send: Sender, notice: ScorecardPublished) -> None:
    """The version's table as text, with its buttons; its chart owed after it."""
    deps = send.deps
    scorecard = await _current(send, notice.number, notice.version)
    if notice.party:
        await _check_party_channel(send, scorecard, notice.channel_id)
    language = await channel_language(deps, notice.channel_id, send.item.workspace_id)
    text, blocks = render.scorecard_message(
        scorecard,
        bands=deps.config.audits.bands.by_band,
        party_copy=notice.party,
        language=language,
    )
    ts = await send.post(
        channel=notice.channel_id, text=text, blocks=blocks, about=_about(scorecard, notice.party)
    )
    await workflow.posted(
        deps.store,
        scorecard=scorecard,
        notice=notice,
        ts=ts,
        delivery=send.item.id,
        now=deps.clock.now(),
    )


@DELIVERERS.of(ScorecardChart)
async def chart(send: Sender, notice: ScorecardChart) -> None:
    """The radar chart in the post's thread, with every figure as its alt text."""
    deps = send.deps
    channel = notice.channel_id
    if await uploads.already_sent(send, channel=channel):
        return
    scorecard = await _current(send, notice.number, notice.version)
    if notice.party:
        await _check_party_channel(send, scorecard, channel)
    about = _about(scorecard, notice.party)
    await uploads.check_door(send, channel=channel, about=about)
    language = await channel_language(deps, channel, send.item.workspace_id)
    radar = render.radar(scorecard, deps.config.audits.bands.by_band, language)
    # Drawing takes a moment the event loop must not wait for.
    png = await asyncio.to_thread(render_scorecard_chart.chart, radar, language)
    await uploads.send_files(
        send,
        channel=channel,
        files=[
            uploads.File(
                content=png,
                filename=render.chart_filename(scorecard),
                title=render.title(scorecard, language),
                alt_txt=render_scorecard_chart.alt_text(radar, language),
            )
        ],
        comment=render.chart_comment(scorecard, language),
        about=about,
        thread_ts=notice.thread_ts,
    )


@DELIVERERS.of(ScorecardAppealed)
async def appealed(send: Sender, notice: ScorecardAppealed) -> None:
    """The owner's DM: who appealed which version, and what they wrote."""
    deps = send.deps
    scorecard = await workflow.scorecard(
        deps.store, workspace_id=send.item.workspace_id, number=notice.number
    )
    said = await workflow.appeal_text(
        deps.store, scorecard_id=scorecard.id, appeal_id=notice.appeal_id
    )
    if said is None:
        raise NothingToSend("the appeal is gone")
    language = await user_language(deps, notice.owner_id)
    text, blocks = render.appeal_dm(
        scorecard,
        appealed_by=notice.appealed_by,
        text=said,
        version=notice.version,
        language=language,
    )
    channel = await send.dm(notice.owner_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))


@DELIVERERS.of(ScorecardImprovement)
async def improvement(send: Sender, notice: ScorecardImprovement) -> None:
    """The owner's DM: the improvement action T-n is theirs, for which dimension, due when."""
    deps = send.deps
    scorecard = await workflow.scorecard(
        deps.store, workspace_id=send.item.workspace_id, number=notice.number
    )
    due = await workflow.improvement_due(
        deps.store,
        workspace_id=send.item.workspace_id,
        scorecard_id=scorecard.id,
        number=notice.action_number,
    )
    if due is None:
        raise NothingToSend("the action item is gone")
    language = await user_language(deps, notice.owner_id)
    text, blocks = render.improvement_dm(
        scorecard,
        action_ref=f"T-{notice.action_number}",
        dimension=Dimension(notice.dimension),
        due=language.day_year(due.astimezone(deps.calendar.tz)),
        created_by=notice.created_by,
        language=language,
    )
    channel = await send.dm(notice.owner_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))


@DELIVERERS.of(ScorecardRemarked)
async def remarked(send: Sender, notice: ScorecardRemarked) -> None:
    """The supplier's person thanked in their DM: what was recorded (their own party's
    scorecard only, so the door lets it into their DM)."""
    deps = send.deps
    scorecard = await workflow.scorecard(
        deps.store, workspace_id=send.item.workspace_id, number=notice.number
    )
    language = await user_language(deps, notice.user_id)
    text, blocks = render.remark_thanks(scorecard, notice.remark, language)
    channel = await send.dm(notice.user_id)
    await send.post(
        channel=channel, text=text, blocks=blocks, about=outgoing.About(parties=[scorecard.party])
    )
