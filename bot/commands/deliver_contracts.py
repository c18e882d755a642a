"""Delivering what contracts owe Slack: the renewal DM to a contract's owner.

The deliverer reads the config as it is now: a contract renewed to a new end, or removed,
since the notice was owed is not told of (its new end has its own notices)."""

from __future__ import annotations

from bot.commands import outgoing, render_contracts
from bot.commands.readers import user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.contracts import contract_named
from bot.domain.notices import ContractRenewal

DELIVERERS = Deliverers()


@DELIVERERS.of(ContractRenewal)
async def renewal(send: Sender, notice: ContractRenewal) -> None:
    """The owner told by DM, in their language, that the contract ends in 90, 30 or 7 days."""
    deps = send.deps
    contract = contract_named(notice.party, deps.config.support_contracts.values())
    if contract is None or contract.valid_until != notice.valid_until:
        raise NothingToSend("the contract is gone or renewed")
    language = await user_language(deps, notice.owner_id)
    text, blocks = render_contracts.renewal(contract, notice.days, language=language)
    channel = await send.dm(notice.owner_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
