"""Messages Parley owes exactly once: claimed by a unique key before they are sent.

A key names what, for whom and which period, so a restart, a second instance or a late tick
never sends the same reminder twice, and what fell due while Parley was down is still owed.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.notices import Notice
from bot.store import Store
from bot.store import sends as repo
from bot.workflows import notices


async def claim_send(store: Store, *, key: str, now: datetime) -> bool:
    """True for the one caller that may send the message with this key."""
    async with store.write() as conn:
        return await repo.claim(conn, key=key, now=now)


async def owe_once(store: Store, notice: Notice, *, key: str, now: datetime) -> bool:
    """Claim the key and owe the notice in one transaction: True for the one caller that
    did; the outbox then delivers it once, even across a restart."""
    async with store.write() as conn:
        if not await repo.claim(conn, key=key, now=now):
            return False
        await notices.owe(conn, notice, now=now, dedupe=key)
        return True
