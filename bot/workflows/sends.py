"""Messages Parley owes exactly once: claimed by a unique key before they are sent.

A key names what, for whom and which period, so a restart, a second instance or a late tick
never sends the same reminder twice, and what fell due while Parley was down is still owed.
"""

from __future__ import annotations

from datetime import datetime

from bot.store import Store
from bot.store import sends as repo


async def claim_send(store: Store, *, key: str, now: datetime) -> bool:
    """True for the one caller that may send the message with this key."""
    async with store.write() as conn:
        return await repo.claim(conn, key=key, now=now)
