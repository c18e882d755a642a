"""Parley's services without serving: for commands that do one job and exit
(`parley digest send`, for platforms that prefer an external cron to a background task).

The services are opened by the same `open_parley` as `Parley.start` (bot/services.py: the
store migrated, the Web API client, the token checked, the config's parties on record), so a
one-shot job sees exactly what the served app sees; nothing listens, no ticker runs, and the
outbox is drained once instead of worked in the background.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.commands.digests import send_due_digests
from bot.config import ParleyConfig
from bot.domain.notices import DigestDue
from bot.services import open_parley
from bot.settings import Settings, SettingsError
from bot.store import outbox as outbox_repo


def require_bot_token(settings: Settings) -> None:
    """A one-shot job talks to the Web API only: it needs the bot token, no signing secret."""
    if settings.SLACK_BOT_TOKEN is None:
        raise SettingsError("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…)")
    if not settings.SLACK_BOT_TOKEN.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")


@dataclass(frozen=True)
class DigestRun:
    """What one `parley digest send` did."""

    posted: int = 0
    empty: int = 0
    failed: int = 0


async def send_digests(
    settings: Settings, config: ParleyConfig, *, clock: Clock | None = None
) -> DigestRun:
    """`parley digest send`: owe every digest that is due now and deliver what the outbox
    holds (digests and anything else still owed), then say what became of the digests."""
    require_bot_token(settings)
    async with open_parley(settings, config, clock=clock, deliver=False) as services:
        deps = services.deps
        async with deps.store.read() as conn:
            before = await outbox_repo.last_id(conn)
        await send_due_digests(deps)
        await services.outbox.drain()
        async with deps.store.read() as conn:
            counted = await outbox_repo.statuses(conn, kind=DigestDue.kind, after_id=before)
    return DigestRun(
        posted=counted.get(outbox_repo.DELIVERED, 0),
        empty=counted.get(outbox_repo.SKIPPED, 0),
        failed=sum(n for status, n in counted.items() if status in outbox_repo.UNFINISHED)
        + counted.get(outbox_repo.FAILED, 0),
    )
