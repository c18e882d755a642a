"""Delivering what a dispute's changes owe Slack: its card, the lines in its thread, the card's
edits, the process and legal channels' notices, and the owner's overdue DM.

Each deliverer reads the dispute as it is now, renders it for the channel's audience and
sends one message through the door (bot/commands/sending.py).
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.commands import render_dispute_meetings, render_disputes
from bot.commands.blocks import section
from bot.commands.home import refresh_homes
from bot.commands.outgoing import About
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.commands.words.language import Language
from bot.domain.disputes import Dispute
from bot.domain.ladder import Stage
from bot.domain.notices import (
    DisputeCard,
    DisputeLine,
    DisputeMeeting,
    DisputeNotice,
    DisputeOverdueDm,
    DisputeOverdueLine,
    DisputeRefresh,
    DisputeTell,
)
from bot.workflows import complaints, dispute_meetings, disputes
from bot.workflows.contracts import terms_of_parties

log = logging.getLogger(__name__)

DELIVERERS = Deliverers()


async def _dispute(send: Sender, notice: DisputeNotice) -> Dispute:
    dispute = await disputes.dispute_by_id(send.deps.store, dispute_id=notice.dispute_id)
    if dispute is None:
        raise NothingToSend("the dispute is gone")
    return dispute


@DELIVERERS.of(DisputeCard)
async def card(send: Sender, notice: DisputeCard) -> None:
    """The new dispute's card; its ts becomes the home thread."""
    deps = send.deps
    dispute = await _dispute(send, notice)
    if dispute.root_ts is not None:
        raise NothingToSend("the card is posted already")
    audience = await deps.directory.audience(dispute.channel_id, dispute.workspace_id)
    clock = disputes.stage_clock(dispute, now=deps.clock.now(), calendar=deps.calendar)
    language = await channel_language(deps, dispute.channel_id, dispute.workspace_id)
    text, blocks = render_disputes.dispute_card(
        dispute,
        clock=clock,
        tz=deps.config.calendar.zone,
        audience=audience,
        language=language,
        complaints=await complaints.of_dispute(
            deps.store, dispute_id=dispute.id, audience=audience
        ),
        contracts=terms_of_parties(deps.config, dispute.parties),
    )
    ts = await send.post(
        channel=dispute.channel_id, text=text, blocks=blocks, about=About(disputes=[dispute])
    )
    dispute = await disputes.record_card(deps.store, dispute=dispute, ts=ts)
    await refresh_homes(deps, send.client, dispute)


@DELIVERERS.of(DisputeLine)
async def line(send: Sender, notice: DisputeLine) -> None:
    """A ladder move, said in the dispute's home thread."""
    dispute = await _dispute(send, notice)
    language = await channel_language(send.deps, dispute.channel_id, dispute.workspace_id)
    said = render_disputes.change_line(
        dispute, notice.event, notice.text, notice.actor_id, language
    )
    await _say_in_thread(send, dispute, said)


async def _say_in_thread(send: Sender, dispute: Dispute, said: str) -> None:
    """One line in the dispute's home thread (nothing to say where it has none)."""
    if dispute.root_ts is None:
        raise NothingToSend("the dispute has no thread")
    await send.post(
        channel=dispute.channel_id,
        thread_ts=dispute.root_ts,
        text=said,
        blocks=[section(said)],
        about=About(disputes=[dispute]),
    )


@DELIVERERS.of(DisputeRefresh)
async def refresh(send: Sender, notice: DisputeRefresh) -> None:
    """Edit the card, and its linked roots, in place: stage, owner and clock, each as its
    channel's audience may see them. A root that can no longer be edited is left as it is."""
    deps = send.deps
    dispute = await _dispute(send, notice)
    clock = disputes.stage_clock(dispute, now=deps.clock.now(), calendar=deps.calendar)
    for channel_id, ts, kind in await disputes.dispute_threads(deps.store, dispute=dispute):
        audience = await deps.directory.audience(channel_id, dispute.workspace_id)
        meetings = await dispute_meetings.meetings_of(
            deps.store, dispute=dispute, audience=audience
        )
        # Rendered for its channel again: an edited card keeps the channel's language.
        language = await channel_language(deps, channel_id, dispute.workspace_id)
        text, blocks = render_disputes.dispute_card(
            dispute,
            clock=clock,
            tz=deps.config.calendar.zone,
            audience=audience,
            language=language,
            linked=kind != "home",
            meetings=meetings,
            complaints=await complaints.of_dispute(
                deps.store, dispute_id=dispute.id, audience=audience
            ),
            contracts=terms_of_parties(deps.config, dispute.parties),
        )
        try:
            await send.update(
                channel=channel_id,
                ts=ts,
                text=text,
                blocks=blocks,
                about=About(disputes=[dispute]),
            )
        except SlackApiError as exc:
            if kind == "home" or _may_cure(exc):
                raise
            log.warning(
                "a linked card of %s can't be edited: %s", dispute.ref, exc.response.get("error")
            )
    await refresh_homes(deps, send.client, dispute)


def _may_cure(exc: SlackApiError) -> bool:
    status = int(getattr(exc.response, "status_code", 200) or 200)
    return status == 429 or status >= 500


@DELIVERERS.of(DisputeMeeting)
async def meeting(send: Sender, notice: DisputeMeeting) -> None:
    """A meeting called on the dispute, said in its home thread."""
    found = await dispute_meetings.meeting_of(
        send.deps.store, dispute_id=notice.dispute_id, review_id=notice.review_id
    )
    if found is None:
        raise NothingToSend("the dispute or its meeting is gone")
    dispute, review = found
    language = await channel_language(send.deps, dispute.channel_id, dispute.workspace_id)
    said = render_dispute_meetings.announcement(dispute, review, notice.owner_id, language)
    if dispute.root_ts is None:
        raise NothingToSend("the dispute has no thread")
    await send.post(
        channel=dispute.channel_id,
        thread_ts=dispute.root_ts,
        text=said,
        blocks=[section(said)],
        about=About(disputes=[dispute], parties=review.parties),
    )


@DELIVERERS.of(DisputeTell)
async def tell(send: Sender, notice: DisputeTell) -> None:
    """The dispute-process or legal channel told that a dispute entered its stage."""
    dispute = await _dispute(send, notice)
    language = await channel_language(send.deps, notice.channel_id, dispute.workspace_id)
    text, blocks = render_disputes.escalation_notice(
        dispute, notice.text, notice.actor_id, tz=send.deps.config.calendar.zone, language=language
    )
    # Internal: it names every party. A misconfigured shared channel is refused at the door.
    await send.post(
        channel=notice.channel_id,
        text=text,
        blocks=blocks,
        about=About(disputes=[dispute], internal=True),
    )


@DELIVERERS.of(DisputeOverdueLine)
async def overdue_line(send: Sender, notice: DisputeOverdueLine) -> None:
    """The stage ran out: said once in the thread."""
    dispute = await _dispute(send, notice)
    language = await channel_language(send.deps, dispute.channel_id, dispute.workspace_id)
    said = render_disputes.overdue_line(
        _at_stage(dispute, notice.stage),
        notice.working_days,
        send.deps.config.calendar.zone,
        language,
    )
    await _say_in_thread(send, dispute, said)


@DELIVERERS.of(DisputeOverdueDm)
async def overdue_dm(send: Sender, notice: DisputeOverdueDm) -> None:
    """The owner told by DM, with the Escalate button (or that it was escalated for them)."""
    deps = send.deps
    dispute = await _dispute(send, notice)
    permalink = None
    if dispute.root_ts:
        permalink = await deps.directory.permalink(dispute.channel_id, dispute.root_ts)
    text, blocks = render_disputes.overdue_dm(
        dispute if notice.escalated else _at_stage(dispute, notice.stage),
        notice.working_days,
        tz=deps.config.calendar.zone,
        language=await _owner_language(send, dispute.owner_id),
        escalated=notice.escalated,
        permalink=permalink,
        owner_is_approver=dispute.owner_id in deps.config.people.approvers,
    )
    channel = await send.dm(dispute.owner_id)
    await send.post(
        channel=channel, text=text, blocks=blocks, about=About(disputes=[dispute], internal=True)
    )


async def _owner_language(send: Sender, owner_id: str) -> Language:
    """The owner's DM is in the owner's own language (the default if Slack no longer knows
    them: the DM is refused at the door anyway)."""
    return await user_language(send.deps, owner_id)


def _at_stage(dispute: Dispute, stage: Stage) -> Dispute:
    """The dispute as it was when its stage ran out (it may have moved on since)."""
    return dispute.model_copy(update={"stage": stage})
