"""Slack's rate limits, kept by the stand-in when a test or a benchmark asks for them.

Slack's own figures (https://docs.slack.dev/apis/web-api/rate-limits), per method per app
per workspace: Tier 2 20 a minute, Tier 3 50, Tier 4 100; chat.postMessage about one a
second to a channel, short bursts allowed, and several hundred a minute to the workspace.
The stand-in counts calls in sliding windows (not a token bucket, which is Parley's side of
it) and answers a call over the limit as Slack does: HTTP 429, `{"ok": false, "error":
"ratelimited"}` and `Retry-After` in whole seconds until the window has room. `scale`
makes every window that much shorter (a stand-in ten times as fast as Slack), so a
benchmark of a few hundred calls takes seconds; Parley's pace is scaled to match.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

# (calls, window in seconds) per method; a method not listed is not limited here.
TIER_2 = ((20, 60.0),)
TIER_3 = ((50, 60.0),)
TIER_4 = ((100, 60.0),)
TIERS: dict[str, tuple[tuple[int, float], ...]] = {
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "views.publish": TIER_4,
    "users.info": TIER_4,
    "chat.postEphemeral": TIER_4,
}
# chat.postMessage to one channel: one a second, a burst of three on top, at any scale of
# window; to the whole workspace, 300 a minute.
POST_PER_CHANNEL = ((4, 1.0), (13, 10.0), (63, 60.0))
POST_PER_WORKSPACE = ((300, 60.0),)


@dataclass
class _Window:
    calls: int
    seconds: float
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until this window has room for one more call (0: now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.calls:
            return 0.0
        return self.times[0] + self.seconds - now


@dataclass
class Limits:
    """The windows of each (method, channel) the stand-in has seen, and what it refused."""

    scale: float = 1.0
    windows: dict[tuple[str, str], list[_Window]] = field(default_factory=dict)
    refused: int = 0

    def _windows(self, key: tuple[str, str], spec: tuple[tuple[int, float], ...]) -> list[_Window]:
        found = self.windows.get(key)
        if found is None:
            found = self.windows[key] = [_Window(n, s / self.scale) for n, s in spec]
        return found

    def check(self, method: str, channel: str | None, now: float) -> int | None:
        """Take the call (None) or refuse it: the Retry-After in whole seconds."""
        windows: list[_Window] = []
        if method == "chat.postMessage":
            windows += self._windows((method, ""), POST_PER_WORKSPACE)
            if channel:
                windows += self._windows((method, channel), POST_PER_CHANNEL)
        elif method in TIERS:
            windows += self._windows((method, ""), TIERS[method])
        wait = max((w.wait(now) for w in windows), default=0.0)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        for window in windows:
            window.times.append(now)
        return None
