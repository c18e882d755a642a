"""`parley verify`: every dispute's record chain checked, to the first break.

Each event's hash is recomputed from what its row holds now (bot/domain/chain.py), each
event's `prev` must be the hash of the event before it, and each dispute's head the hash of
its last event. The record is read in batches (bot/store/disputes_chain.py): checking millions
of events holds one batch of them at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import chain
from bot.store import Store
from bot.store import disputes_chain as chain_repo


@dataclass(frozen=True)
class Verdict:
    """What was checked, and the first thing that does not hold (None when all of it does)."""

    disputes: int
    events: int
    fault: chain.Fault | None

    @property
    def holds(self) -> bool:
        return self.fault is None


async def verify(store: Store, *, number: int | None = None) -> Verdict:
    """Check every dispute's chain (or those numbered `number`, `D-n` in each workspace),
    oldest dispute first; stop at the first break."""
    disputes = events = 0
    async with store.read() as conn:
        await chain_repo.hold_still(conn)  # one moment's record, while Parley appends on
        async for batch in chain_repo.heads(conn, number=number):
            if number is None:
                ranges = [(batch[0].id, batch[-1].id, batch)]
            else:  # a few disputes far apart: each its own range
                ranges = [(h.id, h.id, [h]) for h in batch]
            for first, last, heads in ranges:
                walks = {h.id: chain.ChainWalk(h.workspace_id, h.number) for h in heads}
                async for links in chain_repo.links(conn, first=first, last=last):
                    for dispute_id, link in links:
                        fault = walks[dispute_id].step(link)
                        if fault is not None:  # the walks before this one all held
                            held = sum(1 for h in heads if h.id < dispute_id)
                            done = sum(w.events for w in walks.values())
                            return Verdict(disputes + held, events + done, fault)
                for head in heads:
                    walk = walks[head.id]
                    fault = walk.finish(head.head)
                    if fault is not None:
                        return Verdict(disputes, events + walk.events, fault)
                    disputes += 1
                    events += walk.events
    return Verdict(disputes, events, None)


def describe(fault: chain.Fault) -> str:
    """The break in one line, for the operator: the dispute, the event (its kind, time and
    row id) and what does not hold. (The command line speaks English, as its logs do.)"""
    where = f"D-{fault.dispute} (workspace {fault.workspace})"
    found = fault.found or "nothing"
    if fault.link is None:
        return (
            f"{where}: its head is {found} but it has no events: every event was removed "
            "(expected no head)"
        )
    event = (
        f"its {fault.link.sealed.kind} event at {chain.utc_stamp(fault.link.sealed.at)} "
        f"(timeline row {fault.link.row_id})"
    )
    if fault.what is chain.Break.ALTERED:
        return (
            f"{where}: {event} does not match its hash: the row was changed after it was "
            f"recorded (stored {found}, its content hashes to {fault.expected})"
        )
    if fault.what is chain.Break.LINK:
        return (
            f"{where}: {event} does not follow the event before it: an event before it was "
            f"removed, changed or put in (its prev is {found}, the chain before it ends at "
            f"{fault.expected})"
        )
    return (
        f"{where}: the dispute's head is {found}, not the hash of its last event, {event}: "
        f"events after it were removed (expected {fault.expected})"
    )
