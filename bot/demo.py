"""`parley demo`: a scripted session against the built-in Slack stand-in, as a transcript.

No token and no network: the stand-in answers the Web API on loopback, the real app serves
signed requests on loopback, and a temporary SQLite file holds the data. Each scene checks
what it should have done; the demo fails if any check fails. Later features add scenes.
"""

from __future__ import annotations

import json
import tempfile
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.commands.fallback import STALE_CARD
from bot.config import ParleyConfig, parse_config
from bot.domain.disputes import Dispute
from bot.domain.names import name_key
from bot.sandbox.blocktext import mrkdwn, render_message, render_view
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running, running_parley
from bot.store import agreements as agreements_repo
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import parties as parties_repo
from bot.workflows.digests import DEFAULT_TIME, next_due
from bot.workflows.export import export_document, to_json

Echo = Callable[[str], None]

# Monday 23 November 2026, 10:00 in Shanghai.
DEMO_START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

DEMO_CONFIG = """
[calendar]
timezone = "Asia/Shanghai"
holidays = "CN"

[channels]
dispute_process = "C0PROCESS"
legal = "C0LEGAL"

[people]
approvers = ["U0CAROL"]

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"
ladder = { coordination = 2, multi_party = 3 }

[parties."Globex Audit"]
kind = "third_party"
slack_team = "T0GLOBEX"
"""

SHOWN_METHODS = {
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "response_url",
    "views.open",
    "views.update",
}


@dataclass
class Session:
    """One demo run: drives Parley, prints what people would see, and keeps the verdicts."""

    running: Running
    echo: Echo | None
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def say(self, line: str = "") -> None:
        if self.echo is not None:
            self.echo(line)

    def _where(self, channel: str) -> str:
        found = self.running.slack.workspace.channels.get(channel)
        return f"#{found.name}" if found else channel

    def _who(self, user: str) -> str:
        found = self.running.slack.workspace.user(user)
        return f"@{found.name}" if found else user

    def _show(self, text: str | None, blocks: list[dict[str, Any]] | None, head: str) -> None:
        self.say(head)
        rendered = render_message(text, blocks, self.running.slack)
        self.say(textwrap.indent(rendered, "    │ ", predicate=lambda _line: True))

    async def command(self, user: str, channel: str, command: str, text: str) -> Reply:
        """Type a slash command as `user` in `channel` and show every answer Parley gives."""
        where = self._where(channel)
        shown = mrkdwn(text, self.running.slack)
        self.say(f"{where}  {self._who(user)} › {command} {shown}".rstrip())
        mark = len(self.running.slack.calls)
        reply = await self.running.driver.command(command, text, user=user, channel=channel)
        await self.running.settle()
        body = reply.json if isinstance(reply.json, dict) else None
        if body and (body.get("text") or body.get("blocks")):
            self._show(
                body.get("text"),
                body.get("blocks"),
                f"{where}  Parley (only {self._who(user)} sees this) ›",
            )
        self._show_calls(mark)
        return reply

    def _show_calls(self, mark: int) -> None:
        """Print what Parley sent Slack since `mark`: messages, edits, DMs and forms."""
        for call in self.running.slack.calls[mark:]:
            if call.method not in SHOWN_METHODS or not call.ok:
                continue
            if call.method.startswith("views."):
                self.say("    Parley opens a form ›")
                rendered = render_view(call.args["view"], self.running.slack)
                self.say(textwrap.indent(rendered, "    ┆ ", predicate=lambda _line: True))
                continue
            raw_channel = str(call.args.get("channel") or call.args.get("_channel") or "")
            target = self._where(raw_channel)
            if raw_channel.startswith("D"):
                target = "DM"
            thread = " (in thread)" if call.args.get("thread_ts") else ""
            if call.method == "response_url" and call.args.get("response_type") != "in_channel":
                thread = f" (only {self._who(str(call.args.get('_user')))} sees this)"
            verb = " updates its message" if call.method == "chat.update" else ""
            self._show(
                call.args.get("text"), call.args.get("blocks"), f"{target}  Parley{thread}{verb} ›"
            )

    async def press(self, user: str, channel: str, ts: str, action_id: str, label: str) -> None:
        """Click a button on one of Parley's messages."""
        where = "DM" if channel.startswith("D") else self._where(channel)
        self.say(f"{where}  {self._who(user)} presses [ {label} ]")
        mark = len(self.running.slack.calls)
        await self.running.driver.block_action(
            user=user, channel=channel, message_ts=ts, action_id=action_id
        )
        await self.running.settle()
        self._show_calls(mark)

    async def submit(self, user: str, values: dict[str, dict[str, Any]], shown: str) -> Reply:
        """Fill in and submit the form Parley opened last."""
        view = self.running.slack.calls_to("views.open")[-1].args["view"]
        self.say(f"    {self._who(user)} fills in “{shown}” and submits")
        mark = len(self.running.slack.calls)
        reply = await self.running.driver.view_submission(user=user, view=view, values=values)
        await self.running.settle()
        self._show_calls(mark)
        return reply

    async def later(self, delta: timedelta, why: str) -> None:
        """Move the clock on and let Parley's background jobs run."""
        self.running.clock.advance(delta)
        local = self.running.clock.now().astimezone(self.running.parley.config.calendar.zone)
        self.say(f"⏱  {why}: {local:%a} {local.day} {local:%b} {local:%H:%M}")
        mark = len(self.running.slack.calls)
        await self.running.parley.tick()
        await self.running.settle()
        self._show_calls(mark)

    def check(self, passed: bool, description: str) -> None:
        self.checks.append((description, passed))
        self.say(f"  {'✔' if passed else '✘ FAILED:'} {description}")

    async def health(self) -> dict[str, Any]:
        """What `GET /healthz` answers."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{self.running.parley.url}/healthz") as response,
        ):
            return dict(await response.json())

    async def dispute(self, number: int) -> Dispute | None:
        async with self.running.store.read() as conn:
            return await disputes_repo.get(conn, workspace_id="T0PARLEY", number=number)


def reply_text(reply: Reply) -> str:
    body = reply.json if isinstance(reply.json, dict) else {}
    parts = [str(body.get("text") or "")]
    parts += [str((b.get("text") or {}).get("text") or "") for b in body.get("blocks") or []]
    return "\n".join(parts)


async def scene_open(s: Session) -> None:
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/dispute",
        "open Core switch outage breaches the SLA with <@U0RAJ|raj>",
    )
    d1 = await s.dispute(1)
    s.check(
        d1 is not None and d1.title == "Core switch outage breaches the SLA", "D-1 is on record"
    )
    s.check(
        d1 is not None and [p.name for p in d1.parties] == ["Acme Networks"],
        "Raj's Slack Connect team makes Acme Networks a party",
    )
    posts = s.running.slack.calls_to("chat.postMessage")
    s.check(
        bool(posts) and posts[-1].args.get("channel") == "C0DESK",
        "the dispute's card is posted in #service-desk",
    )
    s.check(
        d1 is not None and d1.root_ts == (posts[-1].response or {}).get("ts"),
        "the card's message is the dispute's home thread",
    )
    s.check(
        bool(posts) and "2 working days left" in str(posts[-1].args.get("blocks")),
        "Acme's agreed 2-working-day limit sets the clock",
    )


async def scene_list_and_show(s: Session) -> None:
    await s.command(
        "U0BOB", "C0DESK", "/dispute", "open Quarterly invoice over-billed with <@U0GRETA|greta>"
    )
    listed = await s.command("U0BOB", "C0DESK", "/dispute", "list")
    text = reply_text(listed)
    s.check(
        "D-2" in text and "D-1" in text and text.index("D-2") < text.index("D-1"),
        "the list shows both disputes, newest first",
    )
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", "show d1")
    s.check(
        "opened the dispute" in reply_text(shown) and "Acme Networks" in reply_text(shown),
        "`show d1` finds D-1 and its record",
    )


async def scene_isolation(s: Session) -> None:
    listed = await s.command("U0ALICE", "C0ACME", "/dispute", "list")
    text = reply_text(listed)
    s.check(
        "D-1" in text and "Globex" not in text and "D-2" not in text,
        "in Acme's shared channel only Acme's dispute is listed",
    )
    shown = await s.command("U0ALICE", "C0ACME", "/dispute", "show D-2")
    s.check("no dispute D-2" in reply_text(shown), "Globex's dispute does not exist here")


async def scene_ladder(s: Session) -> None:
    await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Acme missed the agreed fix date")
    d1 = await s.dispute(1)
    s.check(d1 is not None and d1.stage.value == "multi_party", "D-1 climbs to multi_party")
    updates = s.running.slack.calls_to("chat.update")
    s.check(
        bool(updates) and "Stage 2/4" in str(updates[-1].args.get("blocks")),
        "the card is edited in place",
    )
    posts_before = len(s.running.slack.calls_to("chat.postMessage"))
    await s.command("U0ALICE", "C0DESK", "/dispute", "note D-1 Our contract's clause 7 is weak")
    s.check(
        len(s.running.slack.calls_to("chat.postMessage")) == posts_before,
        "an internal note is never posted",
    )
    await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Beyond my authority")
    told = [
        c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0PROCESS"
    ]
    s.check(len(told) == 1, "the dispute-process channel is told")
    refused = await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Take it to court")
    s.check("Only an approver" in reply_text(refused), "only an approver may go to legal")
    await s.command("U0CAROL", "C0DESK", "/dispute", "resolve D-1 Acme credits two months of fees")
    d1 = await s.dispute(1)
    s.check(d1 is not None and d1.status.value == "resolved", "Carol resolves D-1")


async def scene_overdue_and_buttons(s: Session) -> None:
    await s.later(timedelta(days=3, minutes=1), "Three working days on, D-2 is still open")
    dms = [c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"][0] == "D"]
    s.check(len(dms) == 1 and "D-2" in dms[0].args["text"], "Bob, D-2's owner, is told by DM")
    await s.later(timedelta(hours=4), "Four hours later")
    again = [c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"][0] == "D"]
    s.check(len(again) == 1, "nothing is told twice for the same stage")
    dm = dms[0]
    ts = str((dm.response or {}).get("ts"))
    await s.press("U0BOB", dm.args["channel"], ts, "dispute_escalate", "Escalate")
    await s.submit(
        "U0BOB",
        {"reason": {"text": "Globex has not answered the finding"}},
        "Globex has not answered the finding",
    )
    d2 = await s.dispute(2)
    s.check(d2 is not None and d2.stage.value == "multi_party", "the DM's button escalates D-2")


async def scene_linked_thread(s: Session) -> None:
    await s.command("U0BOB", "C0DESK", "/dispute", "add D-2 <#C0GLOBEX|globex-shared>")
    roots = [
        c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0GLOBEX"
    ]
    s.check(len(roots) == 1, "a linked thread is opened in Globex's shared channel")
    s.check(
        bool(roots) and "Acme" not in str(roots[0].args),
        "it names no other party",
    )


async def scene_replies(s: Session) -> None:
    root = s.running.slack.calls_to("chat.postMessage")
    linked = [c for c in root if c.args["channel"] == "C0GLOBEX" and not c.args.get("thread_ts")]
    thread = str((linked[-1].response or {}).get("ts")) if linked else ""
    await s.later(timedelta(hours=2), "Two hours later")
    s.say("#globex-shared  @greta (in the thread) › We will send the corrected invoice by Monday")
    message, _ = await s.running.driver.message(
        "U0GRETA", "C0GLOBEX", "We will send the corrected invoice by Monday", thread_ts=thread
    )
    s.say("    (Slack delivers the same event again: a retry)")
    event = s.running.driver.message_event(message)
    await s.running.driver.event(event, event_id="Ev0DEMO1")
    await s.running.driver.event(event, event_id="Ev0DEMO1", retry_num=1, retry_reason="timeout")
    s.say("#globex-shared  @greta edits it › We will send the corrected invoice by Friday")
    await s.running.driver.edit_message(
        "C0GLOBEX", message.ts, "We will send the corrected invoice by Friday"
    )
    shown = await s.command("U0BOB", "C0DESK", "/dispute", "show D-2")
    text = reply_text(shown)
    s.check(text.count("corrected invoice by Monday") == 1, "Greta's reply is on D-2's record once")
    s.check("edited a reply" in text, "the edit is on the record, beside the original")
    s.check("Globex Audit: first reply after" in text, "Globex's first-response clock is shown")
    await s.command("U0ALICE", "C0DESK", "/party", "list")


AGREEMENT_TERMS: dict[str, dict[str, Any]] = {
    "what": {"value": "The monthly SLA report with the list of major incidents"},
    "why": {"value": "Globex's ISO 27001 surveillance audit of our service desk"},
    "who_people": {"people": ["U0GRETA", "U0ALICE"]},
    "who": {"value": "Globex's lead auditor; our service manager"},
    "when": {"value": "Monthly, within 5 working days of the month's end"},
    "where_channel": {"channel": "C0GLOBEX"},
    "where": {"value": "The shared channel, the report as an encrypted PDF"},
    "how": {"value": "Exported by the service desk, reviewed by the manager before sharing"},
    "authorization": {"value": "Approved by the CISO for each report"},
    "valid_until": {"date": "2027-06-30"},
}


async def scene_agreements(s: Session) -> None:
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/agreement",
        "new Monthly SLA report with <@U0GRETA|greta>",
    )
    form = s.running.slack.calls_to("views.open")[-1].args["view"]
    party = form["blocks"][0]["element"]
    s.check(
        party.get("initial_option", {}).get("text", {}).get("text") == "Globex Audit",
        "the form opens with Globex Audit as the party, from Greta's team",
    )
    values = {"party": {"party": party["initial_option"]["value"]}, **AGREEMENT_TERMS}
    await s.submit("U0ALICE", values, "the 5W1H of the monthly SLA report, valid until June")
    cards = [
        c
        for c in s.running.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0GLOBEX" and "A-1" in c.args["text"]
    ]
    s.check(len(cards) == 1, "A-1's card is posted in Globex's shared channel")
    ts = str((cards[-1].response or {}).get("ts")) if cards else ""
    await s.press("U0ALICE", "C0GLOBEX", ts, "agreement_acknowledge", "Acknowledge")
    refused = s.running.slack.calls_to("response_url")[-1].args.get("text", "")
    s.check("Only Globex Audit's people" in refused, "Alice cannot acknowledge for Globex")
    await s.later(timedelta(minutes=40), "Greta reads the card")
    await s.press("U0GRETA", "C0GLOBEX", ts, "agreement_acknowledge", "Acknowledge")
    card = s.running.slack.calls_to("chat.update")[-1].args
    s.check(
        card.get("ts") == ts and "Acknowledged* by <@U0GRETA>" in str(card.get("blocks")),
        "Greta acknowledges; the card shows who and when",
    )
    await s.command("U0ALICE", "C0DESK", "/agreement", "edit A-1")
    weekly = {**AGREEMENT_TERMS, "when": {"value": "Weekly, every Monday by noon"}}
    await s.submit("U0ALICE", weekly, "weekly instead of monthly")
    async with s.running.store.read() as conn:
        a1 = await agreements_repo.get(conn, workspace_id="T0PARLEY", number=1)
    s.check(
        a1 is not None and a1.version == 2 and a1.current.acknowledged_by is None,
        "the edit is version 2, waiting for a new acknowledgment",
    )
    old = await s.command("U0ALICE", "C0DESK", "/agreement", "show A-1 v1")
    s.check(
        "Monthly, within 5 working days" in reply_text(old),
        "version 1 stays readable, with Greta's acknowledgment",
    )


async def scene_digest(s: Session) -> None:
    await s.command("U0ALICE", "C0DESK", "/digest", "subscribe at 09:00")
    deps = s.running.parley.deps
    assert deps is not None
    now = s.running.clock.now()
    due = next_due(DEFAULT_TIME, deps.config.calendar.zone, deps.calendar, after=now)
    mark = len(s.running.slack.calls)
    await s.later(due - now, "The next working morning")

    def digests_since(start: int) -> list[Any]:
        return [
            c
            for c in s.running.slack.calls[start:]
            if c.method == "chat.postMessage"
            and c.args.get("channel") == "C0DESK"
            and "Daily digest" in str(c.args.get("text"))
        ]

    posted = digests_since(mark)
    s.check(len(posted) == 1, "the digest is posted in #service-desk at 09:00")
    blocks = str(posted[0].args.get("blocks")) if posted else ""
    s.check(
        "D-2" in blocks and "Stage 2/4" in blocks and "archives/C0DESK" in blocks,
        "it lists D-2 with its stage and clock, linked to its thread",
    )
    s.check("<@U0GRETA> (Globex Audit)" in blocks, "it says Greta replied since the last digest")
    await s.later(timedelta(minutes=30), "Half an hour later")
    s.check(len(digests_since(mark)) == 1, "it is posted once")
    s.say("@bob opens Parley's Home tab")
    before = len(s.running.slack.calls_to("views.publish"))
    await s.running.driver.home_opened("U0BOB")
    await s.running.settle()
    published = s.running.slack.calls_to("views.publish")[before:]
    if published:
        rendered = render_view(published[-1].args["view"], s.running.slack)
        s.say(textwrap.indent(rendered, "    ┆ ", predicate=lambda _line: True))
    s.check(
        bool(published) and "D-2" in str(published[-1].args["view"]),
        "Bob's Home shows D-2 with its clock and buttons",
    )


async def scene_reviews(s: Session) -> None:
    async def until(when: datetime, why: str) -> None:
        await s.later(when - s.running.clock.now(), why)

    scheduled = await s.command(
        "U0ALICE",
        "C0ACME",
        "/review",
        "schedule Monthly service review with <@U0RAJ|raj> every month on the 10th working day "
        "at 10:00",
    )
    s.check(
        "next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every month on the 10th working day"
        in reply_text(scheduled),
        "R-1 is read back: the 10th CN working day of December is Mon 14 Dec",
    )
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/review",
        "action R-1 <@U0RAJ|raj> Dec 18 Send the November service report",
    )
    items = [
        c
        for c in s.running.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0ACME" and "T-1" in str(c.args.get("text"))
    ]
    s.check(
        len(items) == 1 and "review_action_done" in str(items[0].args.get("blocks")),
        "T-1 is posted in #acme-shared with a Done button",
    )
    mark = len(s.running.slack.calls_to("chat.postMessage"))
    await until(datetime(2026, 12, 11, 2, 0, tzinfo=UTC), "The working day before the meeting")

    def reminders_since(start: int) -> list[Any]:
        return [
            c
            for c in s.running.slack.calls_to("chat.postMessage")[start:]
            if c.args["channel"] == "C0ACME" and "R-1" in str(c.args.get("text"))
        ]

    day_before = reminders_since(mark)
    s.check(
        len(day_before) == 1
        and "Key problems to negotiate" in str(day_before[0].args.get("blocks"))
        and "T-1" in str(day_before[0].args.get("blocks")),
        "#acme-shared gets the agenda and Acme's open action items on Fri 11 Dec",
    )
    await until(datetime(2026, 12, 14, 1, 45, tzinfo=UTC), "Monday, a quarter to ten")
    last_call = reminders_since(mark)[1:]
    s.check(
        len(last_call) == 1 and "starts in 15 minutes" in str(last_call[0].args.get("text")),
        "15 minutes before, the last call",
    )
    await until(datetime(2026, 12, 14, 3, 0, tzinfo=UTC), "An hour after the meeting began")
    prompts = reminders_since(mark)[2:]
    thread = str((last_call[0].response or {}).get("ts")) if last_call else ""
    s.check(
        len(prompts) == 1 and prompts[0].args.get("thread_ts") == thread,
        "the minutes are asked for in the reminder's thread",
    )
    minutes = "Agreed: Acme credits 5% of October's fee; new escalation contacts by Friday"
    s.say(f"#acme-shared  @raj (in the thread) › {minutes}")
    await s.running.driver.message("U0RAJ", "C0ACME", minutes, thread_ts=thread)
    item_ts = str((items[0].response or {}).get("ts")) if items else ""
    await s.press("U0ALICE", "C0ACME", item_ts, "review_action_done", "Done")
    shown = await s.command("U0ALICE", "C0DESK", "/review", "show R-1")
    text = reply_text(shown)
    s.check("Acme credits 5%" in text, "Raj's reply is in the meeting's minutes")
    s.check("(0 open of 1)" in text, "the Done button marked T-1 done")
    s.check("next: " in text and "Jan 2027" in text, "R-1 moves on to January")


async def scene_mistakes(s: Session) -> None:
    before = await s.dispute(3)
    help_reply = await s.command("U0ALICE", "C0DESK", "/dispute", "")
    s.check("/dispute open" in reply_text(help_reply), "no text gets the usage")
    wrong = await s.command("U0ALICE", "C0DESK", "/dispute", "frobnicate D-1")
    s.check("not a /dispute subcommand" in reply_text(wrong), "an unknown subcommand is named")
    missing = await s.command("U0ALICE", "C0DESK", "/dispute", "show D-99")
    s.check("There is no dispute D-99" in reply_text(missing), "a wrong id is refused")
    ghost = await s.command("U0ALICE", "C0DESK", "/dispute", "open Outage with @nobody")
    s.check("can't find @nobody" in reply_text(ghost), "an unknown person is refused")
    outsider = await s.command("U0RAJ", "C0ACME", "/dispute", "open We dispute your invoice")
    s.check(
        "Only members of the workspace" in reply_text(outsider),
        "a supplier's rep cannot open a dispute",
    )
    s.check(before is None and await s.dispute(3) is None, "none of it changed the data")


async def scene_outsiders(s: Session) -> None:
    running = s.running
    dm = running.slack.workspace.open_dm("U0RAJ").id
    s.say("(Raj, Acme's rep, tries Parley from a DM, where no payload says whose he is)")
    mark = len(running.slack.calls)
    answers = [
        reply_text(await s.command("U0RAJ", dm, "/dispute", text))
        for text in ("list all", "show D-2")
    ]
    answers.append(reply_text(await s.command("U0RAJ", dm, "/digest", "now")))
    s.check(
        all("Only members of the workspace" in a for a in answers),
        "Slack's record of Raj (users.info) places him as Acme's, wherever he asks from",
    )
    sent = answers + [json.dumps(c.args) for c in running.slack.calls[mark:]]
    s.check(
        not any(word in text for text in sent for word in ("Globex", "greta", "D-2")),
        "the refusals tell him nothing of Globex or of our record",
    )
    await s.command("U0ALICE", "C0ACME", "/dispute", "open Invoice credit note with <@U0RAJ|raj>")
    dispute = None
    for number in range(1, 10):
        found = await s.dispute(number)
        if found is not None and found.title == "Invoice credit note":
            dispute = found
    assert running.parley.deps is not None
    running.parley.deps.directory.forget_person("U0RAJ")  # as after a restart
    s.say("(Slack rate-limits users.info three times; Raj replies in the dispute's thread)")
    running.slack.rate_limit("users.info", times=3, retry_after=1)
    if dispute is not None and dispute.root_ts:
        stored, reply = await running.driver.message(
            "U0RAJ", "C0ACME", "Checking the invoice now", thread_ts=dispute.root_ts
        )
        s.say(f"#acme-shared  @raj (in the thread) › {stored.text}")
        s.check(reply.status == 200, "the event is acknowledged at once, before users.info answers")
    await running.settle(grace=30)
    events = []
    if dispute is not None:
        async with running.store.read() as conn:
            events = await timeline_repo.events(conn, dispute_id=dispute.id)
    last = [e for e in events if e.kind == "reply"][-1:]
    s.check(
        bool(last)
        and last[0].party == "Acme Networks"
        and last[0].text == "Checking the invoice now",
        "the reply is on the record, placed as Acme's once Slack answered",
    )


async def scene_export(s: Session) -> None:
    document = await export_document(s.running.store)
    s.say("$ parley export --format json   (first dispute)")
    first = {"disputes": document["disputes"][:1]}
    s.say(textwrap.indent(to_json(first).rstrip(), "    "))
    kinds = [e["kind"] for e in document["disputes"][0]["timeline"]] if document["disputes"] else []
    s.check(
        len(document["disputes"]) == 2
        and kinds == ["opened", "party_added", "escalated", "note", "escalated", "resolved"],
        "the export holds both disputes and D-1's whole timeline",
    )


async def scene_outage(s: Session) -> None:
    slack = s.running.slack
    s.say("(Slack's API starts failing: the next post answers 503)")
    slack.fail_next(1, status=503, method="chat.postMessage")
    reply = await s.command("U0ALICE", "C0DESK", "/dispute", "open Printer fleet lease renewal")
    d3 = await s.dispute(3)
    s.check(reply.status == 200 and d3 is not None, "the dispute is on record all the same")
    s.check(d3 is not None and d3.root_ts is None, "its card could not be posted yet")
    health = await s.health()
    s.say(f"$ curl /healthz  →  {json.dumps(health)}")
    s.check(health["outbox"]["undelivered"] == 1, "/healthz shows the card waiting in the outbox")
    await s.later(timedelta(seconds=5), "Slack is back, and the outbox tries again")
    d3 = await s.dispute(3)
    cards = [
        m for m in slack.messages("C0DESK") if m.is_bot and not m.thread_ts and "D-3" in m.text
    ]
    s.check(
        d3 is not None and len(cards) == 1 and d3.root_ts == cards[0].ts,
        "the card went out once, and its thread is D-3's",
    )
    health = await s.health()
    s.check(health["outbox"]["undelivered"] == 0, "nothing is left owed")
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{s.running.parley.url}/metrics") as response,
    ):
        page = await response.text()
    shown = [
        line
        for line in page.splitlines()
        if line.startswith(("parley_slack_api_calls_total", "parley_outbox_undelivered"))
        and ("chat.postMessage" in line or "outbox" in line)
    ]
    s.say("$ curl /metrics   (what Prometheus scrapes; the outage's lines)")
    s.say(textwrap.indent("\n".join(shown), "    "))
    failed_posts = [
        line for line in shown if 'method="chat.postMessage"' in line and 'error="none"' not in line
    ]
    s.check(
        response.status == 200 and bool(failed_posts) and "parley_outbox_undelivered 0.0" in shown,
        "/metrics counted the failed post, and the outbox is empty again",
    )


async def scene_hostile_title(s: Session) -> None:
    slack = s.running.slack
    mark = len(slack.calls_to("chat.postMessage"))
    # As Slack sends it: `@channel` typed became `<!channel>`, the pasted link `<url|label>`.
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/dispute",
        "open <!channel> urgent: pay via <https://evil.example|the Acme portal> for <@U0RAJ|raj>",
    )
    (card,) = slack.calls_to("chat.postMessage")[mark:]
    posted = card.args["text"] + json.dumps(card.args["blocks"], ensure_ascii=False)
    s.check(
        "<!channel>" not in posted and "<https://evil.example" not in posted,
        "the card pings nobody and disguises no link",
    )
    s.check(
        "the Acme portal (https://evil.example)" in posted,
        "the link is shown as text, with its real address",
    )
    s.check("for <@U0RAJ>" in card.args["text"], "Raj, picked from the list, stays a mention")


async def scene_lookalike_names(s: Session) -> None:
    async def names() -> list[str]:
        async with s.running.store.read() as conn:
            return sorted(
                p.name for p in await parties_repo.in_workspace(conn, workspace_id="T0PARLEY")
            )

    await s.command("U0ALICE", "C0DESK", "/dispute", "open Toner invoices with <@U0IVAN|ivan>")
    before = await names()
    s.check("Initech" in before, "Ivan's Slack team makes Initech a party")
    s.say("    (the new name below starts with a Cyrillic А, U+0410, not a Latin A)")
    refused = await s.command("U0ALICE", "C0DESK", "/party", "rename Initech to \u0410cme Networks")
    s.check(
        "is already the name of another party" in reply_text(refused),
        "a name that only looks different is refused",
    )
    s.check(await names() == before, "no party was renamed")
    found = await s.command("U0ALICE", "C0DESK", "/party", "show ＡＣＭＥ networks")
    s.check(
        "There is no party" not in reply_text(found) and "Acme Networks" in reply_text(found),
        "Acme Networks is found however its name is typed",
    )
    s.check(
        len({name_key(n) for n in before}) == len(before),
        "no two parties read alike",
    )


async def scene_protocol_edges(s: Session) -> None:
    running = s.running
    slack = running.slack
    fields = {
        "token": running.driver.verification_token,
        "team_id": "T0PARLEY",
        "channel_id": "C0DESK",
        "user_id": "U0ALICE",
        "command": "/dispute",
        "text": "note D-3 Facilities confirmed the lease ends in March",
        "api_app_id": slack.workspace.app_id,
        "response_url": slack.response_url("C0DESK", "U0ALICE"),
        "trigger_id": slack.issue_trigger_id("U0ALICE"),
    }
    body = urlencode(fields).encode()
    headers = running.driver.signed_headers(body)
    s.say("#service-desk  @alice › /dispute note D-3 Facilities confirmed the lease ends in March")
    first = await running.driver.raw(body, headers)
    await running.settle()
    s.say(f"    Parley answers {first.status} and notes it on D-3")
    s.say("(someone who captured that signed request sends it again, byte for byte)")
    replay = await running.driver.raw(body, headers)
    await running.settle()
    s.say(f"    Parley answers {replay.status}: that signature was used before")
    document = await export_document(running.store)
    d3 = next((d for d in document["disputes"] if d["id"] == "D-3"), None)
    notes = [e for e in (d3 or {}).get("timeline", []) if e["kind"] == "note"]
    s.check(first.status == 200 and replay.status == 401, "the replayed command is refused")
    s.check(len(notes) == 1, "D-3 holds the note once")
    before = await s.dispute(3)
    assert before is not None and before.root_ts is not None
    s.say("(a card from an older version still shows a button this version has no more)")
    mark = len(slack.calls)
    await s.press("U0ALICE", "C0DESK", before.root_ts, "dispute_reopen", "Reopen")
    answers = [c for c in slack.calls[mark:] if c.method == "response_url"]
    s.check(
        [a.args.get("text") for a in answers] == [STALE_CARD]
        and answers[0].args.get("response_type") == "ephemeral",
        "the stale button tells only Alice that the card is out of date",
    )
    s.check(await s.dispute(3) == before, "and changes nothing")


SCENES: list[tuple[str, Callable[[Session], Awaitable[None]]]] = [
    ("Alice opens a dispute with Acme from #service-desk", scene_open),
    ("Bob opens another with Globex, lists and shows them", scene_list_and_show),
    ("A shared channel sees only its own party's business", scene_isolation),
    ("The ladder: escalate, note, tell, resolve", scene_ladder),
    ("The clock runs out; a button in the DM escalates", scene_overdue_and_buttons),
    ("A linked thread in Globex's shared channel", scene_linked_thread),
    ("The supplier's rep answers in their own channel", scene_replies),
    ("An information-sharing agreement with Globex, acknowledged", scene_agreements),
    ("A daily digest for #service-desk, and Bob's Home", scene_digest),
    ("A monthly service review with Acme: reminded, met, minuted", scene_reviews),
    ("Mistakes get clear answers and change nothing", scene_mistakes),
    ("Everything is on the record", scene_export),
    ("Slack has an outage; the outbox waits it out", scene_outage),
    ("A supplier's rep in a DM gets nothing that is not theirs", scene_outsiders),
    ("A hostile title is posted as plain text", scene_hostile_title),
    ("A party renamed to a lookalike of another is refused", scene_lookalike_names),
    ("A replayed request and a stale card's button", scene_protocol_edges),
]


def demo_config() -> ParleyConfig:
    return parse_config(DEMO_CONFIG, Path("demo.toml"))


async def run_demo(echo: Echo | None = print) -> bool:
    """Play every scene; True only if every check passed."""
    with tempfile.TemporaryDirectory(prefix="parley-demo-") as folder:
        url = f"sqlite:///{folder}/demo.db"
        async with running_parley(
            database_url=url, config=demo_config(), start=DEMO_START
        ) as running:
            session = Session(running=running, echo=echo)
            session.say("Parley demo: a scripted session against a local Slack stand-in.")
            session.say(
                "Workspace Northwind IT; Acme Networks and Globex Audit join by Slack Connect."
            )
            session.say("Clock fixed at Mon 23 Nov 2026 10:00 (Asia/Shanghai), CN working days.")
            for number, (title, scene) in enumerate(SCENES, start=1):
                session.say()
                session.say(f"━━ Scene {number}: {title} ━━")
                try:
                    await scene(session)
                except Exception as exc:  # a broken scene is a failed check, not a traceback
                    session.check(False, f"scene {number} ran to its end ({exc!r})")
            problems = running.slack.violations
            session.check(not problems, "every Web API call matched Slack's published spec")
    failed = [d for d, ok in session.checks if not ok]
    if echo is not None:
        echo("")
        echo(
            f"{len(session.checks) - len(failed)} of {len(session.checks)} checks passed"
            + ("" if not failed else f"; FAILED: {'; '.join(failed)}")
        )
    return not failed
