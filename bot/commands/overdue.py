"""Telling people a stage is overdue: a line in the thread, a DM to the owner, the card updated.

The owner gets the Escalate suggestion (with the button); with `auto_escalate` the dispute is
escalated instead, except into `legal`, which only an approver may decide.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing, render
from bot.commands.disputes import announce, refresh_card
from bot.deps import Deps
from bot.workflows import disputes
from bot.workflows.errors import DomainError
from bot.workflows.ladder import NEXT_STAGE, Action
from bot.workflows.models import Person
from bot.workflows.overdue import Overdue, claim_overdue

log = logging.getLogger(__name__)


async def notify_overdue(deps: Deps, client: AsyncWebClient, parley: Person) -> None:
    """Claim and announce every stage that ran out since the last look."""
    now = deps.clock.now()
    for overdue in await claim_overdue(deps.store, now=now, calendar=deps.calendar):
        try:
            await _announce(deps, client, parley, overdue)
        except SlackApiError as exc:
            log.warning(
                "overdue notice of %s failed: %s", overdue.dispute.ref, exc.response.get("error")
            )


async def _announce(deps: Deps, client: AsyncWebClient, parley: Person, item: Overdue) -> None:
    dispute = item.dispute
    tz = deps.config.calendar.zone
    if dispute.root_ts:
        line = render.overdue_line(dispute, item.working_days, tz)
        await outgoing.post(
            deps,
            client,
            channel=dispute.channel_id,
            workspace_id=dispute.workspace_id,
            thread_ts=dispute.root_ts,
            text=line,
            blocks=[render.section(line)],
            about=outgoing.About(disputes=[dispute]),
        )
    following = NEXT_STAGE.get(dispute.stage)
    escalated = False
    if deps.config.ladder.auto_escalate and following is not None:
        try:
            change = await disputes.act(
                deps.store,
                workspace_id=dispute.workspace_id,
                number=dispute.number,
                action=Action.ESCALATE,
                actor=parley,
                text=f"{dispute.stage.label} overdue by {item.working_days} working day(s): "
                "escalated automatically, as the company's config asks",
                config=deps.config,
                calendar=deps.calendar,
                now=deps.clock.now(),
            )
        except DomainError as exc:
            log.info("%s not escalated automatically: %s", dispute.ref, exc.message)
        else:
            escalated = True
            await announce(deps, client, change, actor_id=parley.user_id)
            dispute = change.dispute
    if not escalated:
        await refresh_card(deps, client, dispute)
    permalink = None
    if dispute.root_ts:
        try:
            permalink = (
                await client.chat_getPermalink(
                    channel=dispute.channel_id, message_ts=dispute.root_ts
                )
            )["permalink"]
        except SlackApiError:
            permalink = None
    text, blocks = render.overdue_dm(
        dispute,
        item.working_days,
        tz=tz,
        escalated=escalated,
        permalink=permalink,
        owner_is_approver=dispute.owner_id in deps.config.people.approvers,
    )
    dm = await client.conversations_open(users=dispute.owner_id)
    await outgoing.post(
        deps,
        client,
        channel=str(dm["channel"]["id"]),
        workspace_id=dispute.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(disputes=[dispute], internal=True),
    )
