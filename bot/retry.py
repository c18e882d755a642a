"""How the request path rides out Slack's rate limits and hiccups: a time budget, not a count.

slack_sdk's own handlers retry a fixed number of times (three 429s and the fourth fails
the command), whatever Slack asked for. A command that has already told its person "I'm on
it" can afford to wait: this handler retries a 429 after exactly the `Retry-After` Slack sent,
and a 5xx or a dropped connection after a short backoff, for as long as the whole call stays
within its budget (about a minute), and gives up at once when the next wait would not fit.
The outbox has its own client, which retries nothing (bot/app.py: `outbox_client`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import ClientOSError, ServerConnectionError, ServerDisconnectedError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

BUDGET_SECONDS = 60.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
CONNECTION_ERRORS = (ServerConnectionError, ServerDisconnectedError, ClientOSError)


class BudgetedRetryHandler(AsyncRetryHandler):
    """Retry 429 (after Retry-After), 5xx and connection errors within a time budget."""

    def __init__(self, budget_seconds: float = BUDGET_SECONDS) -> None:
        super().__init__(max_retry_count=1_000)  # the budget decides, not a count
        self.budget_seconds = budget_seconds

    def _wait(self, state: RetryState, response: HttpResponse | None) -> float | None:
        """Seconds to wait before the next try, or None if this answer is not worth one."""
        if response is None:
            return BACKOFF_SECONDS[min(state.current_attempt, len(BACKOFF_SECONDS) - 1)]
        if response.status_code == 429:
            return retry_after(response.headers)
        if 500 <= response.status_code < 600:
            return BACKOFF_SECONDS[min(state.current_attempt, len(BACKOFF_SECONDS) - 1)]
        return None

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None and not isinstance(error, CONNECTION_ERRORS):
            return False
        wait = self._wait(state, response)
        if wait is None:
            return False
        values = _values(state)
        started = values.setdefault("started", time.monotonic())
        if time.monotonic() + wait - started > self.budget_seconds:
            return False
        values["wait"] = wait
        return True

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await asyncio.sleep(float(_values(state).get("wait", 1.0)))
        state.increment_current_attempt()


def _values(state: RetryState) -> dict[str, Any]:
    if state.custom_values is None:
        state.custom_values = {}
    return state.custom_values


def retry_after(headers: dict[str, Any]) -> float:
    """Slack's Retry-After in seconds (1 when it is missing or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(str(raw)))
            except ValueError:
                return 1.0
    return 1.0
