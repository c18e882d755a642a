"""The outbox's pace: Slack's published rate limits kept before Slack has to say so.

Slack limits each Web API method per app per workspace by tier (Tier 3: 50+ a minute, Tier 4:
100+, both tolerating bursts), and chat.postMessage by channel (about one message a second,
short bursts allowed) under a workspace-wide limit of several hundred a minute
(https://docs.slack.dev/apis/web-api/rate-limits). The outbox's client takes a token of each
bucket a call falls in before making it:

- a wait of at most `SLEEP_AT_MOST` is slept where it is, keeping the lane's order;
- a longer one puts the notice off (`Paced`) while it has not yet changed anything in Slack,
  so its worker slot goes to another lane instead of waiting: 300 digests to 300 channels and
  a burst of card edits share the workers, and no lane starves behind another's bucket;
- a 429 holds the method's bucket (and the channel's) for the `Retry-After` Slack asked, so
  the calls behind it wait instead of meeting 429s of their own: a storm costs one wait.

The buckets fill on the process's monotonic time (Slack's seconds). A hold is counted on the
clock the outbox schedules its retries by (`held`: the injected clock in the app), so the call
that met the 429 and the calls held behind it go again together.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse


@dataclass(frozen=True)
class Rate:
    """A bucket of `burst` calls refilled at `per_minute`: in any window of W seconds at
    most `burst + per_minute * W / 60` calls. The tiers' buckets are sized so that a whole
    minute stays within Slack's figure: burst + refill = the tier's calls a minute."""

    per_minute: float
    burst: int

    def scaled(self, factor: float) -> Rate:
        return Rate(self.per_minute * factor, self.burst)


TIER_2 = Rate(15, 5)  # 20 a minute
TIER_3 = Rate(40, 10)  # 50 a minute
TIER_4 = Rate(80, 20)  # 100 a minute
# chat.postMessage: "1 per second per channel, short bursts >1 allowed"; "several hundred
# messages per minute" to the whole workspace (the lower end taken: 300).
POST_PER_CHANNEL = Rate(60, 3)
POST_PER_WORKSPACE = Rate(250, 50)
# Methods the outbox calls, by Slack's tier; any other method is paced as Tier 3.
TIERS: dict[str, Rate] = {
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.info": TIER_3,
    "views.publish": TIER_4,
    "users.info": TIER_4,
    "chat.postEphemeral": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "chat.getPermalink": TIER_4,
}
POST = "chat.postMessage"
# Calls that change something in Slack: after one, a delivery is never put off (a second try
# would repeat it); it waits its turn instead.
CHANGES = frozenset(
    {POST, "chat.update", "chat.delete", "views.publish", "files.completeUploadExternal"}
)
SLEEP_AT_MOST = 1.0
MOST_RETRY_AFTER = 600.0


class Paced(Exception):
    """Not now: the method's bucket is empty for `after` seconds; nothing was sent."""

    def __init__(self, method: str, after: float, *, held: bool = False) -> None:
        super().__init__(f"{method} paced for {after:.1f} s")
        self.method = method
        self.after = after
        # Held by a 429 until the outbox's clock passes its Retry-After (not by a bucket).
        self.held = held


@dataclass
class _Bucket:
    rate: Rate
    tokens: float
    at: float

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 if one is now); refills first."""
        per_second = self.rate.per_minute / 60.0
        self.tokens = min(float(self.rate.burst), self.tokens + (now - self.at) * per_second)
        self.at = now
        until_free = 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / per_second
        return until_free

    def take(self) -> None:
        self.tokens -= 1.0


# Per delivery (one task each): whether it may still be put off, i.e. has changed nothing yet.
_may_put_off: contextvars.ContextVar[bool] = contextvars.ContextVar("may_put_off", default=False)


def delivery_starts() -> None:
    """Called by the outbox as a try of a notice begins, in that try's own task."""
    _may_put_off.set(True)


class Pacer:
    """Token buckets per (workspace, method) and, for posts, per (workspace, channel)."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        held: Callable[[], float] | None = None,
    ) -> None:
        self.scale = scale
        self.monotonic = monotonic
        self.sleep = sleep
        self.held = held or monotonic
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._holds: dict[tuple[str, str, str], float] = {}
        self.waited = 0.0
        self.put_off = 0

    def _bucket(self, key: tuple[str, str, str], rate: Rate) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            rate = rate.scaled(self.scale)
            bucket = self._buckets[key] = _Bucket(rate, float(rate.burst), self.monotonic())
        return bucket

    @staticmethod
    def _keys(team: str, method: str, channel: str | None) -> list[tuple[str, str, str]]:
        if method == POST:
            return [(team, POST, ""), *([(team, POST, channel)] if channel else [])]
        return [(team, method, "")]

    def _buckets_of(self, team: str, method: str, channel: str | None) -> list[_Bucket]:
        if method == POST:
            found = [self._bucket((team, POST, ""), POST_PER_WORKSPACE)]
            if channel:
                found.append(self._bucket((team, POST, channel), POST_PER_CHANNEL))
            return found
        return [self._bucket((team, method, ""), TIERS.get(method, TIER_3))]

    def _held_for(self, keys: list[tuple[str, str, str]]) -> float:
        """Seconds (on the `held` clock) until every 429 hold on these keys has passed."""
        now = self.held()
        return max((self._holds.get(key, now) - now for key in keys), default=0.0)

    async def before(self, team: str, method: str, channel: str | None) -> None:
        """Take a token of each bucket the call falls in, waiting or putting it off first."""
        buckets = self._buckets_of(team, method, channel)
        keys = self._keys(team, method, channel)
        while True:
            held = self._held_for(keys)
            if held > 0:
                # Looked at again within a second: the hold ends when its clock says so.
                if _may_put_off.get():
                    self.put_off += 1
                    raise Paced(method, min(held, SLEEP_AT_MOST), held=True)
                self.waited += min(held, SLEEP_AT_MOST)
                await self.sleep(min(held, SLEEP_AT_MOST))
                continue
            now = self.monotonic()
            wait = max(bucket.wait(now) for bucket in buckets)
            if wait <= 0:
                for bucket in buckets:
                    bucket.take()
                break
            # Compared in Slack's seconds: a faster stand-in (scale) behaves as Slack would.
            if wait * self.scale > SLEEP_AT_MOST and _may_put_off.get():
                self.put_off += 1
                raise Paced(method, wait)
            self.waited += wait
            await self.sleep(wait)
        if method in CHANGES:
            _may_put_off.set(False)

    def hold(self, team: str, method: str, channel: str | None, seconds: float) -> None:
        """Slack said 429: nothing more of this kind until its Retry-After has passed."""
        until = self.held() + min(max(seconds, 0.0), MOST_RETRY_AFTER)
        for key in self._keys(team, method, channel):
            self._holds[key] = max(self._holds.get(key, until), until)
        for bucket in self._buckets_of(team, method, channel):
            bucket.tokens = min(bucket.tokens, 0.0)


def retry_after(exc: SlackApiError) -> float | None:
    """The seconds of a 429's Retry-After, None for any other error."""
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    error = str(response.get("error") or "")
    if status != 429 and error not in ("ratelimited", "rate_limited"):
        return None
    headers = getattr(response, "headers", {}) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return float(max(1, math.ceil(float(str(raw)))))
    except ValueError:
        return 1.0


def _channel_of(*args: dict[str, Any] | Any) -> str | None:
    for arg in args:
        if isinstance(arg, dict):
            channel = arg.get("channel") or arg.get("channel_id")
            if channel:
                return str(channel)
    return None


class PacedWebClient(AsyncWebClient):
    """The outbox's Web API client: every call waits for Slack's limits first."""

    def __init__(self, *args: Any, pacer: Pacer, team: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer
        self.team = team

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        channel = _channel_of(kwargs.get("json"), kwargs.get("data"), kwargs.get("params"))
        await self.pacer.before(self.team, api_method, channel)
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            seconds = retry_after(exc)
            if seconds is not None:
                self.pacer.hold(self.team, api_method, channel, seconds)
            raise
