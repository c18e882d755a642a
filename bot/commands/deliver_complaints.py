"""Delivering what complaints owe Slack: the card, its edits, the lines in its thread (the
"Is this resolved for you?" question among them), the escalation channel's notice, the
owner's overdue DMs and the close.

Each deliverer reads the complaint as it is now; everything posted in its channel carries its
party, so the door lets it into that party's own shared channel only.
"""

from __future__ import annotations

from bot.commands import render_complaints
from bot.commands.blocks import Blocks, section
from bot.commands.home import refresh_homes_of
from bot.commands.outgoing import About
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.complaints import Complaint, EventKind
from bot.domain.notices import (
    ComplaintCard,
    ComplaintClosed,
    ComplaintLine,
    ComplaintNotice,
    ComplaintOverdueDm,
    ComplaintRefresh,
    ComplaintTell,
)
from bot.workflows import complaints

DELIVERERS = Deliverers()


async def _complaint(send: Sender, notice: ComplaintNotice) -> Complaint:
    complaint = await complaints.complaint_by_id(send.deps.store, complaint_id=notice.complaint_id)
    if complaint is None:
        raise NothingToSend("the complaint is gone")
    return complaint


async def _card(send: Sender, complaint: Complaint) -> tuple[str, Blocks]:
    deps = send.deps
    audience = await deps.directory.audience(complaint.channel_id, complaint.workspace_id)
    language = await channel_language(deps, complaint.channel_id, complaint.workspace_id)
    return render_complaints.complaint_card(
        complaint,
        now=deps.clock.now(),
        tz=deps.config.calendar.zone,
        language=language,
        internal=audience.internal,
    )


def _about(complaint: Complaint) -> About:
    return About(parties=[complaint.party])


@DELIVERERS.of(ComplaintCard)
async def card(send: Sender, notice: ComplaintCard) -> None:
    """The new complaint's card; its ts becomes the complaint's thread."""
    complaint = await _complaint(send, notice)
    if complaint.root_ts is not None:
        raise NothingToSend("the card is posted already")
    text, blocks = await _card(send, complaint)
    ts = await send.post(
        channel=complaint.channel_id, text=text, blocks=blocks, about=_about(complaint)
    )
    await complaints.record_card(send.deps.store, complaint=complaint, ts=ts)
    await _owners_home(send, complaint)


async def _owners_home(send: Sender, complaint: Complaint) -> None:
    """The owner's Home lists their open complaints: republished after a change."""
    await refresh_homes_of(
        send.deps,
        send.client,
        workspace_id=complaint.workspace_id,
        user_ids=(complaint.owner_id,),
        ref=complaint.ref,
    )


@DELIVERERS.of(ComplaintRefresh)
async def refresh(send: Sender, notice: ComplaintRefresh) -> None:
    """Edit the card in place: status, clocks, escalations, links."""
    complaint = await _complaint(send, notice)
    if complaint.root_ts is None:
        raise NothingToSend("the complaint has no card")
    text, blocks = await _card(send, complaint)
    await send.update(
        channel=complaint.channel_id,
        ts=complaint.root_ts,
        text=text,
        blocks=blocks,
        about=_about(complaint),
    )
    await _owners_home(send, complaint)


async def _in_thread(send: Sender, complaint: Complaint, text: str, blocks: Blocks) -> None:
    if complaint.root_ts is None:
        raise NothingToSend("the complaint has no thread")
    await send.post(
        channel=complaint.channel_id,
        thread_ts=complaint.root_ts,
        text=text,
        blocks=blocks,
        about=_about(complaint),
    )


@DELIVERERS.of(ComplaintLine)
async def line(send: Sender, notice: ComplaintLine) -> None:
    """A resolution with its Yes / No question, or the party's No, in the thread."""
    complaint = await _complaint(send, notice)
    language = await channel_language(send.deps, complaint.channel_id, complaint.workspace_id)
    if notice.event is EventKind.RESOLVED:
        text, blocks = render_complaints.resolved_question(
            complaint,
            text=notice.text,
            actor_id=notice.actor_id,
            round_=notice.round,
            language=language,
        )
    else:
        text = render_complaints.not_resolved_line(complaint, notice.actor_id, language)
        blocks = [section(text)]
    await _in_thread(send, complaint, text, blocks)


@DELIVERERS.of(ComplaintClosed)
async def closed(send: Sender, notice: ComplaintClosed) -> None:
    """The close, said once in the thread (confirmed, or after the party's silence)."""
    complaint = await _complaint(send, notice)
    language = await channel_language(send.deps, complaint.channel_id, complaint.workspace_id)
    text = render_complaints.closed_line(complaint, notice.closed_by, notice.working_days, language)
    await _in_thread(send, complaint, text, [section(text)])


@DELIVERERS.of(ComplaintTell)
async def tell(send: Sender, notice: ComplaintTell) -> None:
    """The complaints escalation channel told (internal: a shared channel is refused)."""
    complaint = await _complaint(send, notice)
    language = await channel_language(send.deps, notice.channel_id, complaint.workspace_id)
    text, blocks = render_complaints.escalation_notice(
        complaint,
        text=notice.text,
        actor_id=notice.actor_id,
        tz=send.deps.config.calendar.zone,
        language=language,
    )
    await send.post(
        channel=notice.channel_id,
        text=text,
        blocks=blocks,
        about=About(parties=[complaint.party], internal=True),
    )


@DELIVERERS.of(ComplaintOverdueDm)
async def overdue_dm(send: Sender, notice: ComplaintOverdueDm) -> None:
    """The owner told by DM that a clock ran out."""
    complaint = await _complaint(send, notice)
    language = await user_language(send.deps, complaint.owner_id)
    text, blocks = render_complaints.overdue_dm(complaint, notice.clock, language)
    channel = await send.dm(complaint.owner_id)
    await send.post(
        channel=channel,
        text=text,
        blocks=blocks,
        about=About(parties=[complaint.party], internal=True),
    )
