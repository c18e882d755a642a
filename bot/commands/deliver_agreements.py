"""Delivering what agreements owe Slack: the card with its Acknowledge button, the card's
edits, a new version's line under it, and the owner's DM when an agreement expires.

Each deliverer reads the agreement as it is now; everything posted carries its party, so
the door lets it into that party's shared channel only.
"""

from __future__ import annotations

from datetime import date

from bot.commands import outgoing, render_agreements
from bot.commands.blocks import section
from bot.commands.deps import Deps
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.commands.words.language import Language
from bot.domain import agreement_terms
from bot.domain.agreements import Agreement
from bot.domain.notices import (
    AgreementCard,
    AgreementExpiredDm,
    AgreementNotice,
    AgreementRefresh,
    AgreementVersionLine,
)
from bot.workflows import agreements

DELIVERERS = Deliverers()


def _today(deps: Deps) -> date:
    return agreement_terms.today_in(deps.clock.now(), deps.config.calendar.zone)


async def _channel_language(send: Sender, agreement: Agreement) -> Language:
    """The card and its thread are the channel's: its party's agreed language."""
    return await channel_language(send.deps, agreement.channel_id, agreement.workspace_id)


async def _owner_language(send: Sender, agreement: Agreement) -> Language:
    """The expiry DM is its owner's: their Slack locale (the default if Slack lost them)."""
    return await user_language(send.deps, agreement.owner_id)


async def _agreement(send: Sender, notice: AgreementNotice) -> Agreement:
    agreement = await agreements.agreement_by_number(
        send.deps.store, workspace_id=notice.workspace_id, number=notice.agreement_number
    )
    if agreement is None:
        raise NothingToSend("the agreement is gone")
    return agreement


@DELIVERERS.of(AgreementCard)
async def post_card(send: Sender, notice: AgreementCard) -> None:
    """The new agreement's card, with its Acknowledge button (a card that cannot be posted
    is on record all the same, and its owner is told by DM)."""
    agreement = await _agreement(send, notice)
    if agreement.card_ts is not None:
        raise NothingToSend("the card is posted already")
    text, blocks = render_agreements.agreement_card(
        agreement,
        today=_today(send.deps),
        tz=send.deps.config.calendar.zone,
        language=await _channel_language(send, agreement),
    )
    ts = await send.post(
        channel=agreement.channel_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=[agreement.party]),
    )
    await agreements.record_card(
        send.deps.store, agreement=agreement, channel_id=agreement.channel_id, ts=ts
    )


@DELIVERERS.of(AgreementRefresh)
async def refresh_card(send: Sender, notice: AgreementRefresh) -> None:
    """Edit the agreement's card in place: status, version, acknowledgment."""
    agreement = await _agreement(send, notice)
    if agreement.card_ts is None:
        raise NothingToSend("the agreement has no card")
    text, blocks = render_agreements.agreement_card(
        agreement,
        today=_today(send.deps),
        tz=send.deps.config.calendar.zone,
        language=await _channel_language(send, agreement),
    )
    await send.update(
        channel=agreement.channel_id,
        ts=agreement.card_ts,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=[agreement.party]),
    )


@DELIVERERS.of(AgreementVersionLine)
async def version_line(send: Sender, notice: AgreementVersionLine) -> None:
    """A new version: a line under the card, so the party hears of it."""
    agreement = await _agreement(send, notice)
    if agreement.card_ts is None:
        raise NothingToSend("the agreement has no card")
    line = render_agreements.new_version_line(
        agreement.model_copy(update={"version": notice.version}),
        language=await _channel_language(send, agreement),
    )
    await send.post(
        channel=agreement.channel_id,
        thread_ts=agreement.card_ts,
        text=line,
        blocks=[section(line)],
        about=outgoing.About(parties=[agreement.party]),
    )


@DELIVERERS.of(AgreementExpiredDm)
async def expired_dm(send: Sender, notice: AgreementExpiredDm) -> None:
    """On the day after an agreement's last valid day, its owner is told by DM."""
    agreement = await _agreement(send, notice)
    permalink = None
    if agreement.card_ts:
        permalink = await send.deps.directory.permalink(agreement.channel_id, agreement.card_ts)
    text, blocks = render_agreements.expiry_dm(
        agreement.model_copy(update={"version": notice.version}),
        permalink=permalink,
        language=await _owner_language(send, agreement),
    )
    channel = await send.dm(agreement.owner_id)
    await send.post(
        channel=channel,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=[agreement.party], internal=True),
    )
