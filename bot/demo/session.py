"""One demo run: the demo's config and clock, and the session that drives Parley and keeps
the verdicts.
"""

from __future__ import annotations

import string
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.commands.words.language import Language
from bot.domain.disputes import Dispute
from bot.domain.marks import N_
from bot.sandbox.blocktext import mrkdwn, render_message, render_view
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo

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
praise = "C0PRAISE"

[people]
approvers = ["U0CAROL"]

[contracts]
margin = 0.2

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"
ladder = { coordination = 2, multi_party = 3 }

[parties."Acme Networks".contract]
reference = "ACME-2026-07"
owner = "U0BOB"
response_hours = 2
resolution_hours = 12
availability = 99.9
support_hours = "24x7"
valid_until = 2027-06-30

[parties."DBCo Database Services"]
kind = "supplier"

[parties."DBCo Database Services".contract]   # the draft on the table: not signed yet
reference = "DBCO-DRAFT-1"
owner = "U0BOB"
response_hours = 4
resolution_hours = 24
availability = 99.5
support_hours = "5x8"
valid_until = 2027-12-31

[parties."Globex Audit"]
kind = "third_party"
slack_team = "T0GLOBEX"

[parties."Contoso Retail"]
kind = "customer"
slack_team = "T0CONTOSO"

[services."ERP for Contoso"]
customer = "Contoso Retail"
sla = { response_hours = 4, resolution_hours = 24, availability = 99.5, support_hours = "5x8" }
underpinned_by = ["Acme Networks", "DBCo Database Services"]
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
    language: Language  # what every person in this run reads
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def t(self, message: str, **params: object) -> str:
        """What Parley says for the English `message` in this run's language, filled in: the
        checks look for the words a reader of that language sees."""
        said = self.language._(message)
        return said.format(**params) if params else said

    def says_n(self, text: str, singular: str, plural: str, n: int) -> bool:
        """`says` for a count: the form for `n`, with `n` in it."""
        return self._holds(text, self.language.ngettext(singular, plural, n), n=str(n))

    def says(self, text: str, message: str) -> bool:
        """Whether `text` holds the words of `message` in this run's language, whatever its
        placeholders were filled with (each fixed piece of at least two characters)."""
        return self._holds(text, self.language._(message))

    def _holds(self, text: str, template: str, **known: str) -> bool:
        pieces: list[str] = []
        for literal, name, _, _ in string.Formatter().parse(template):
            pieces.append(literal)
            if name is not None:
                pieces.append(known.get(name, "\0"))
        fixed = [p.strip() for p in "".join(pieces).split("\0") if len(p.strip()) >= 2]
        return bool(fixed) and all(piece in text for piece in fixed)

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
                self.t(
                    N_("{where}  Parley (only {who} sees this) ›"), where=where, who=self._who(user)
                ),
            )
        self._show_calls(mark)
        return reply

    def _show_calls(self, mark: int) -> None:
        """Print what Parley sent Slack since `mark`: messages, edits, DMs and forms."""
        for call in self.running.slack.calls[mark:]:
            if call.method not in SHOWN_METHODS or not call.ok:
                continue
            if call.method.startswith("views."):
                self.say("    " + self.t(N_("Parley opens a form ›")))
                rendered = render_view(call.args["view"], self.running.slack)
                self.say(textwrap.indent(rendered, "    ┆ ", predicate=lambda _line: True))
                continue
            raw_channel = str(call.args.get("channel") or call.args.get("_channel") or "")
            target = self._where(raw_channel)
            if raw_channel.startswith("D"):
                target = self.t(N_("DM"))
            self._show(call.args.get("text"), call.args.get("blocks"), self._head(call, target))

    def _head(self, call: Any, target: str) -> str:
        """The line above a message Parley sent: where, for whom, and whether it is an edit."""
        edit = call.method == "chat.update"
        if call.method == "response_url" and call.args.get("response_type") != "in_channel":
            who = self._who(str(call.args.get("_user")))
            if edit:
                return self.t(
                    N_("{where}  Parley (only {who} sees this) updates its message ›"),
                    where=target,
                    who=who,
                )
            return self.t(N_("{where}  Parley (only {who} sees this) ›"), where=target, who=who)
        if call.args.get("thread_ts"):
            if edit:
                return self.t(N_("{where}  Parley (in thread) updates its message ›"), where=target)
            return self.t(N_("{where}  Parley (in thread) ›"), where=target)
        if edit:
            return self.t(N_("{where}  Parley updates its message ›"), where=target)
        return self.t(N_("{where}  Parley ›"), where=target)

    async def press(self, user: str, channel: str, ts: str, action_id: str, label: str) -> None:
        """Click a button on one of Parley's messages; `label` is the button's English words."""
        where = self.t(N_("DM")) if channel.startswith("D") else self._where(channel)
        self.say(
            self.t(
                N_("{where}  {who} presses [ {label} ]"),
                where=where,
                who=self._who(user),
                label=self.t(label),
            )
        )
        mark = len(self.running.slack.calls)
        await self.running.driver.block_action(
            user=user, channel=channel, message_ts=ts, action_id=action_id
        )
        await self.running.settle()
        self._show_calls(mark)

    async def shortcut(
        self, user: str, channel: str, ts: str, callback_id: str, label: str
    ) -> None:
        """Run a message shortcut on a message; `label` is the shortcut's English name."""
        self.say(
            self.t(
                N_("{where}  {who} runs the shortcut “{label}” on a message"),
                where=self._where(channel),
                who=self._who(user),
                label=self.t(label),
            )
        )
        mark = len(self.running.slack.calls)
        await self.running.driver.message_shortcut(
            callback_id=callback_id, user=user, channel=channel, message_ts=ts
        )
        await self.running.settle()
        self._show_calls(mark)

    async def submit(self, user: str, values: dict[str, dict[str, Any]], shown: str) -> Reply:
        """Fill in and submit the form Parley opened last; `shown` is what is filled in, as
        typed or already in the run's language."""
        view = self.running.slack.calls_to("views.open")[-1].args["view"]
        self.say(
            "    "
            + self.t(N_("{who} fills in “{shown}” and submits"), who=self._who(user), shown=shown)
        )
        mark = len(self.running.slack.calls)
        reply = await self.running.driver.view_submission(user=user, view=view, values=values)
        await self.running.settle()
        self._show_calls(mark)
        return reply

    async def later(self, delta: timedelta, why: str) -> None:
        """Move the clock on and let Parley's background jobs run; `why` is N_-marked English,
        said in the run's language."""
        self.running.clock.advance(delta)
        local = self.running.clock.now().astimezone(self.running.parley.config.calendar.zone)
        self.say(self.t(N_("⏱  {why}: {when}"), why=self.t(why), when=self.language.moment(local)))
        mark = len(self.running.slack.calls)
        await self.running.parley.tick()
        await self.running.settle()
        self._show_calls(mark)

    def check(self, passed: bool, description: str, **params: object) -> None:
        """Keep a verdict; `description` is N_-marked English (filled with `params`), kept and
        said in the run's language."""
        said = self.t(description, **params)
        self.checks.append((said, passed))
        if passed:
            self.say(self.t(N_("  ✔ {check}"), check=said))
        else:
            self.say(self.t(N_("  ✘ FAILED: {check}"), check=said))

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
