"""The outbox worker: delivers what Parley owes Slack, in order per lane, once, with retries.

Woken as soon as a transaction that owed something commits (and every few seconds for
retries, and for what other instances left), it takes the head of each lane by
compare-and-set, renders the notice from the records as they are now, and sends it:
- delivered: marked with the channel and the `ts` Slack returned;
- Slack rate-limited (429) or failed (5xx), or the network did: tried again later, after
  `Retry-After` or an exponential backoff, without blocking other lanes;
- the client's pace (`bot/commands/pacing.py`) said not yet: the row is given back untried
  and notices of its kind (which call the same methods) are left alone until the pace
  allows, while other kinds go on: a burst of card edits never holds up a new card;
- an error that can never succeed (`channel_not_found`, `not_in_channel`, `is_archived`, the
  isolation door refusing it, …): recorded, not retried, and the person behind the notice is
  told once by DM, where there is somebody to tell.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import (
    blocks,
    deliver_agreements,
    deliver_audit_publish,
    deliver_audits,
    deliver_complaints,
    deliver_contracts,
    deliver_digests,
    deliver_disputes,
    deliver_dossiers,
    deliver_praise,
    deliver_reports,
    deliver_reviews,
    deliver_survey_cases,
    deliver_surveys,
    deliver_valueadds,
)
from bot.commands.deps import Deps
from bot.commands.outgoing import About
from bot.commands.pacing import Paced, delivery_starts, retry_after
from bot.commands.readers import user_language
from bot.commands.sending import Deliverer, Deliverers, NothingToSend, Sender, Undeliverable
from bot.commands.words.language import Language
from bot.domain.notices import DeliveryFailed, Notice, UnreadableNotice
from bot.store import outbox as repo
from bot.store.outbox import OutboxRow
from bot.workflows import notices

log = logging.getLogger(__name__)

# A try may take this long (Slack slow to answer); the lease is longer,
# so no other instance takes a row while its try can still be running.
TRY_SECONDS = 45.0
LEASE = timedelta(seconds=60)
POLL_SECONDS = 2.0
BATCH = 20
CONCURRENT_LANES = 4
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_MOST = timedelta(minutes=10)
# Finished rows are kept this long (to look into what was sent), then pruned, once an hour.
KEEP_FINISHED = timedelta(days=14)
PRUNE_EVERY = timedelta(hours=1)
# A notice whose deliverer keeps failing for a reason of ours, not Slack's, stops after this.
MOST_TRIES_ON_BUGS = 8
# Slack errors a retry may cure; any other error of Slack's is final for that message.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
    }
)


# The worker's own notice: telling somebody that another could not be delivered.
DELIVERERS = Deliverers()

# Every topic's deliverers; a notice model is delivered by the one function registered for it.
TOPICS: tuple[Deliverers, ...] = (
    deliver_disputes.DELIVERERS,
    deliver_dossiers.DELIVERERS,
    deliver_reviews.DELIVERERS,
    deliver_agreements.DELIVERERS,
    deliver_digests.DELIVERERS,
    deliver_praise.DELIVERERS,
    deliver_valueadds.DELIVERERS,
    deliver_complaints.DELIVERERS,
    deliver_survey_cases.DELIVERERS,
    deliver_surveys.DELIVERERS,
    deliver_contracts.DELIVERERS,
    deliver_audits.DELIVERERS,
    deliver_reports.DELIVERERS,
    deliver_audit_publish.DELIVERERS,
    DELIVERERS,
)


def deliverers(topics: tuple[Deliverers, ...] = TOPICS) -> dict[type[Notice], Deliverer[Any]]:
    """Every notice model and the one function that delivers it."""
    found: dict[type[Notice], Deliverer[Any]] = {}
    for topic in topics:
        for model in topic:
            if model in found:
                raise TypeError(f"{model.__name__} is delivered twice")
            found[model] = topic[model]
    return found


@dataclass(frozen=True)
class Retry(Exception):
    after: timedelta
    reason: str
    in_doubt: bool = False


class Outbox:
    """One worker per running Parley; several instances may share one outbox."""

    def __init__(
        self,
        deps: Deps,
        client: AsyncWebClient,
        *,
        handlers: Mapping[type[Notice], Deliverer[Any]] | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.deps = deps
        self.client = client
        self.handlers = dict(handlers or deliverers())
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._drain_lock = asyncio.Lock()
        self._stopping = False
        self._lanes = asyncio.Semaphore(CONCURRENT_LANES)
        self._pruned_at: datetime | None = None
        # Kinds of notice put off by the pace, and the monotonic time each may go again.
        self._paced: dict[str, float] = {}
        # Of those, the kinds a 429 holds until the clock passes its Retry-After.
        self._held: set[str] = set()

    def wake(self) -> None:
        """Something was owed: deliver it soon (callable from any code on the loop)."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="parley-outbox")

    async def stop(self, flush_seconds: float) -> None:
        """Stop the loop, then deliver what can be delivered within `flush_seconds`.

        A delivery in flight is let finish (within the flush time), never cut off: a post cut
        off mid-call would be left `sending`, owed until its lease ran out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + flush_seconds
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            done, _ = await asyncio.wait({self._task}, timeout=flush_seconds)
            if not done:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        try:
            async with asyncio.timeout(max(0.0, deadline - loop.time())):
                await self.drain()
        except TimeoutError:
            log.warning("shutdown: the outbox still holds messages; they go out at next start")

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again on the next turn
                log.exception("the outbox worker failed; trying again")
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._next_wait()):
                    await self._wake.wait()
            self._wake.clear()

    async def drain(self) -> int:
        """Deliver everything due now, lane by lane; how many notices were finished."""
        done = 0
        async with self._drain_lock:
            while True:
                self._wake.clear()
                now = self.deps.clock.now()
                async with self.deps.store.read() as conn:
                    heads = await repo.heads(
                        conn, now=now, limit=BATCH, not_kinds=self._paced_kinds()
                    )
                if not heads:
                    return done
                results = await asyncio.gather(*(self._one(row) for row in heads))
                finished = sum(results)
                done += finished
                if finished == 0:
                    return done  # all taken by another worker, or put off

    def _paced_kinds(self) -> frozenset[str]:
        now = time.monotonic()
        for kind in [kind for kind, until in self._paced.items() if until <= now]:
            del self._paced[kind]
            self._held.discard(kind)
        return frozenset(self._paced)

    def _next_wait(self) -> float:
        """Seconds until the worker should look again: the poll, or sooner for a paced lane."""
        if not self._paced:
            return self.poll_seconds
        soonest = min(self._paced.values()) - time.monotonic()
        return max(0.01, min(self.poll_seconds, soonest))

    async def prune(self) -> int:
        """Forget finished rows past KEEP_FINISHED, at most once per PRUNE_EVERY."""
        now = self.deps.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return 0
        self._pruned_at = now
        async with self.deps.store.write() as conn:
            return await repo.prune(conn, before=now - KEEP_FINISHED)

    async def _one(self, row: OutboxRow) -> bool:
        async with self._lanes:
            if self._paced.get(row.kind, 0.0) > time.monotonic():
                return False  # another of its kind was just put off: so would this be
            now = self.deps.clock.now()
            async with self.deps.store.write() as conn:
                claimed = await repo.claim(conn, row=row, now=now, lease=LEASE)
            if claimed is None:
                return False
            return await self._deliver(claimed)

    async def _deliver(self, item: OutboxRow) -> bool:
        """One try of one notice; True if it is finished (delivered, skipped or failed)."""
        try:
            notice = notices.notice_of(item)
        except UnreadableNotice as exc:
            # Never deliverable, and nobody known to tell: on record, and in the log.
            log.error("outbox %d (%s) holds no notice Parley knows: %s", item.id, item.kind, exc)
            await self._finish(item, repo.FAILED, error=str(exc))
            return True
        handler = self.handlers.get(type(notice))
        sender = Sender(self.deps, self.client, item)
        twins: list[int] = []
        if notice.coalesced:
            async with self.deps.store.read() as conn:
                twins = await repo.twins(conn, row=item)
        try:
            if handler is None:
                raise Undeliverable(f"no deliverer for {item.kind}")
            delivery_starts()
            async with asyncio.timeout(TRY_SECONDS):
                await handler(sender, notice)
        except Paced as exc:
            # Nothing was sent: the row goes back as it was, its kind waits for the pace.
            until = time.monotonic() + exc.after
            self._paced[item.kind] = max(until, self._paced.get(item.kind, 0.0))
            if exc.held:
                self._held.add(item.kind)
            async with self.deps.store.write() as conn:
                await repo.release(conn, row=item)
            return False
        except NothingToSend as exc:
            await self._finish(item, repo.SKIPPED, error=str(exc) or "nothing to send")
        except Undeliverable as exc:
            await self._failed(item, str(exc), notice)
        except SlackApiError as exc:
            try:
                self._classify(exc)
            except Retry as retry:
                await self._retry(item, retry)
                return False
            await self._failed(item, str(exc.response.get("error") or "slack_error"), notice)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # The request may have reached Slack: the next try looks before posting again.
            await self._retry(
                item,
                Retry(_backoff(item.attempts), type(exc).__name__ or "network", in_doubt=True),
            )
            return False
        except Exception as exc:
            log.exception("delivering outbox %d (%s) failed", item.id, item.kind)
            if item.attempts >= MOST_TRIES_ON_BUGS:
                await self._failed(item, f"internal error: {type(exc).__name__}", notice)
            else:
                await self._retry(item, Retry(_backoff(item.attempts), type(exc).__name__))
                return False
        else:
            await self._finish(item, repo.DELIVERED, channel_id=sender.channel, ts=sender.ts)
            if twins:
                async with self.deps.store.write() as conn:
                    await repo.skip(
                        conn, ids=twins, now=self.deps.clock.now(), why=f"answered by {item.id}"
                    )
        return True

    @staticmethod
    def _classify(exc: SlackApiError) -> None:
        """Raise Retry for an error a later try may cure; return for a final one."""
        response = exc.response
        status = int(getattr(response, "status_code", 200) or 200)
        error = str(response.get("error") or "")
        seconds = retry_after(exc)
        if seconds is not None:
            raise Retry(timedelta(seconds=seconds), "ratelimited")
        if status >= 500 or error in TRANSIENT_ERRORS:
            # Slack may have carried out the call before failing: look before posting again.
            raise Retry(BACKOFF_FIRST, error or f"HTTP {status}", in_doubt=True)

    async def _retry(self, item: OutboxRow, retry: Retry) -> None:
        # Slack's Retry-After is the wait it asks for; otherwise back off as tries pile up.
        after = retry.after if retry.reason == "ratelimited" else _backoff(item.attempts)
        at = self.deps.clock.now() + after
        log.warning(
            "outbox %d (%s): %s; trying again in %.0f s",
            item.id,
            item.kind,
            retry.reason,
            after.total_seconds(),
        )
        async with self.deps.store.write() as conn:
            await repo.retry_later(
                conn, row_id=item.id, at=at, error=retry.reason, in_doubt=retry.in_doubt
            )

    async def _finish(
        self,
        item: OutboxRow,
        status: str,
        *,
        channel_id: str | None = None,
        ts: str | None = None,
        error: str | None = None,
    ) -> None:
        async with self.deps.store.write() as conn:
            await repo.finish(
                conn,
                row_id=item.id,
                status=status,
                now=self.deps.clock.now(),
                channel_id=channel_id,
                ts=ts,
                error=error,
            )

    async def _failed(self, item: OutboxRow, error: str, notice: Notice) -> None:
        """Final: recorded, and the person behind the notice told once (a failed telling
        names nobody to tell: that would never end)."""
        log.warning("outbox %d (%s) cannot be delivered: %s", item.id, item.kind, error)
        told = notice.told()
        async with self.deps.store.write() as conn:
            await repo.finish(
                conn, row_id=item.id, status=repo.FAILED, now=self.deps.clock.now(), error=error
            )
            if told is not None:
                await notices.owe(
                    conn,
                    DeliveryFailed(
                        workspace_id=item.workspace_id,
                        user_id=told.user_id,
                        what=told.what,
                        what_facts=told.what_facts,
                        error=error,
                    ),
                    now=self.deps.clock.now(),
                    dedupe=f"failed:{item.id}",
                )

    async def idle(self, grace: float = 10.0) -> None:
        """Until nothing is due now (tests and the demo: let what was owed go out)."""
        async with asyncio.timeout(grace):
            while True:
                await self.drain()
                async with self.deps.store.read() as conn:
                    backlog = await repo.backlog(conn, now=self.deps.clock.now())
                if backlog.due == 0 or await self._only_held_is_due():
                    return
                await asyncio.sleep(0.01)

    async def _only_held_is_due(self) -> bool:
        """Whether all that is due waits for a 429's Retry-After to pass on the clock (which,
        in a test, only the test moves)."""
        self._paced_kinds()
        if not self._held:
            return False
        async with self.deps.store.read() as conn:
            others = await repo.heads(
                conn, now=self.deps.clock.now(), limit=1, not_kinds=frozenset(self._held)
            )
        return not others


def _backoff(attempts: int) -> timedelta:
    doubled: timedelta = BACKOFF_FIRST * (2 ** max(0, attempts - 1))
    return min(BACKOFF_MOST, doubled)


@DELIVERERS.of(DeliveryFailed)
async def tell_failure(send: Sender, notice: DeliveryFailed) -> None:
    """A DM to the person behind a notice that could not be delivered, in their language.

    `what` is stored with the notice, in English ("the card of D-3"), by the workflow that
    owed it; the sentence around it is the reader's."""
    language = await _language_of(send.deps, notice.user_id)
    what, error = _what(notice, language), notice.error
    if error == "channel_not_found":
        told = language._(
            ":warning: I couldn't deliver {what} (the channel is gone or I cannot see it). "
            "It is on record all the same."
        )
    elif error == "not_in_channel":
        told = language._(
            ":warning: I couldn't deliver {what} (I am not in that channel; invite me with "
            "`/invite @Parley`). It is on record all the same."
        )
    elif error == "is_archived":
        told = language._(
            ":warning: I couldn't deliver {what} (the channel is archived). "
            "It is on record all the same."
        )
    elif error == "isolation":
        told = language._(
            ":warning: I couldn't deliver {what} (it would have shown one party's business "
            "to another). It is on record all the same."
        )
    else:
        told = language._(
            ":warning: I couldn't deliver {what} ({error}). It is on record all the same."
        )
    text = told.format(what=what, error=error)
    channel = await send.dm(notice.user_id)
    await send.post(
        channel=channel, text=text, blocks=[blocks.section(text)], about=About(internal=True)
    )


def _what(notice: DeliveryFailed, language: Language) -> str:
    """What failed, in the reader's words: the notice's words translated and its facts filled
    in (a `day` in the reader's convention); a row from before the facts, as it was stored."""
    if not notice.what_facts:
        return notice.what
    facts = dict(notice.what_facts)
    if "day" in facts:
        facts["day"] = language.day(date.fromisoformat(facts["day"]))
    try:
        return language._(notice.what).format(**facts)
    except (KeyError, IndexError, ValueError):  # words and facts of different versions
        return notice.what


async def _language_of(deps: Deps, user_id: str) -> Language:
    """A person's language for a DM; the default when Slack cannot say (the DM still goes)."""
    try:
        return await user_language(deps, user_id)
    except SlackApiError as exc:
        log.info("no language for %s (%s): the default", user_id, type(exc).__name__)
        return deps.languages.default
