"""Parley running for real on loopback against the Slack stand-in: for tests and the demo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.clock import FakeClock
from bot.config import ParleyConfig
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.server import Parley, drain_background_work
from bot.settings import Settings
from bot.store import Store

SIGNING_SECRET = "sandbox-signing-secret"


@dataclass
class Running:
    """A running Parley with the stand-in it talks to and a driver that talks to it."""

    parley: Parley
    slack: SlackStandIn
    driver: SlackDriver
    clock: FakeClock

    async def settle(self, grace: float = 10.0) -> None:
        """Wait until the work handlers do after their ack has finished, and the messages
        it owed Slack (due now, by the fake clock) are delivered."""
        assert self.parley.deps is not None
        await drain_background_work(self.parley.deps.runtime.handlers, grace)
        assert self.parley.outbox is not None
        await self.parley.outbox.idle(grace)

    @property
    def store(self) -> Store:
        assert self.parley.store is not None
        return self.parley.store


# The outbox's pace in tests: Slack's limits times this. The stand-in is one local process
# that enforces no limit unless a test asks it to; twenty times Slack's keeps the pacing code
# on every test's path without a test of twenty posts to one channel waiting 16 s for it.
# The demo, and the tests and benchmarks of the pace itself, pass their own.
SANDBOX_PACE = 20.0


def sandbox_settings(
    slack: SlackStandIn,
    database_url: str,
    *,
    retry_seconds: float = 60.0,
    pace: float = SANDBOX_PACE,
) -> Settings:
    return Settings(
        _env_file=None,
        PARLEY_SLACK_RETRY_SECONDS=retry_seconds,
        PARLEY_SLACK_PACE=pace,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )


@asynccontextmanager
async def running_parley(
    *,
    database_url: str,
    config: ParleyConfig,
    start: datetime,
    slack: SlackStandIn | None = None,
    retry_seconds: float = 60.0,
    pace: float = SANDBOX_PACE,
) -> AsyncIterator[Running]:
    """Start the stand-in (unless given) and the real app on a free loopback port."""
    own_slack = slack is None
    stand_in = slack or SlackStandIn()
    if own_slack:
        await stand_in.start()
    clock = FakeClock(start)
    # Slack's message timestamps follow the same fake clock, as they would follow real time.
    stand_in.clock = clock
    # No ticker loop: a test (or the demo) moves the fake clock and calls `parley.tick()`.
    parley = Parley(
        sandbox_settings(stand_in, database_url, retry_seconds=retry_seconds, pace=pace),
        config=config,
        clock=clock,
        tick_seconds=None,
    )
    try:
        await parley.start(host="127.0.0.1", port=0)
        driver = SlackDriver(f"{parley.url}/slack/events", SIGNING_SECRET, stand_in)
        try:
            yield Running(parley=parley, slack=stand_in, driver=driver, clock=clock)
        finally:
            await driver.close()
    finally:
        await parley.stop()
        if own_slack:
            await stand_in.stop()
