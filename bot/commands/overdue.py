"""Overdue stages, claimed by the ticker: the claim owes the thread line, the card's edit and
the owner's DM (bot/commands/deliver_disputes.py delivers them). With `auto_escalate` the
dispute is escalated in the same transaction instead, except into `legal`, which only an
approver may decide.
"""

from __future__ import annotations

import logging

from bot.commands.deps import Deps
from bot.domain.parties import Person
from bot.workflows.overdue import claim_overdue

log = logging.getLogger(__name__)


async def notify_overdue(deps: Deps, parley: Person) -> int:
    """Claim every stage that ran out since the last look; how many were claimed."""
    claimed = await claim_overdue(
        deps.store,
        now=deps.clock.now(),
        calendar=deps.calendar,
        config=deps.config,
        parley=parley,
    )
    for item in claimed:
        log.info("%s is overdue by %d working day(s)", item.dispute.ref, item.working_days)
    return len(claimed)
