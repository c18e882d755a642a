"""The demo's scenes at the edges: mistakes, outsiders, export, an outage, hostile input
and protocol edges.
"""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from urllib.parse import urlencode

import aiohttp

from bot.commands.digests import DIGEST
from bot.commands.disputes import DISPUTE
from bot.commands.fallback import STALE_CARD
from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.domain.names import name_key
from bot.store import disputes_timeline as timeline_repo
from bot.store import parties as parties_repo
from bot.workflows.export import export_document, to_json


async def scene_mistakes(s: Session) -> None:
    before = await s.dispute(3)
    help_reply = await s.command("U0ALICE", "C0DESK", "/dispute", "")
    s.check("/dispute open" in reply_text(help_reply), N_("no text gets the usage"))
    wrong = await s.command("U0ALICE", "C0DESK", "/dispute", "frobnicate D-1")
    s.check(
        s.t("`{sub}` is not a {command} subcommand.", sub="frobnicate", command="/dispute")
        in reply_text(wrong),
        N_("an unknown subcommand is named"),
    )
    missing = await s.command("U0ALICE", "C0DESK", "/dispute", "show D-99")
    s.check(
        s.t("There is no dispute D-{number}. `/dispute list all` lists them.", number=99)
        in reply_text(missing),
        N_("a wrong id is refused"),
    )
    ghost = await s.command("U0ALICE", "C0DESK", "/dispute", "open Outage with @nobody")
    s.check(
        "@nobody" in reply_text(ghost)
        and s.says(
            reply_text(ghost),
            "I can't find {ref} in Slack. Mention people with @ and pick them from Slack's "
            "list, e.g. {example}.",
        ),
        N_("an unknown person is refused"),
    )
    outsider = await s.command("U0RAJ", "C0ACME", "/dispute", "open We dispute your invoice")
    s.check(
        s.says(reply_text(outsider), DISPUTE.outsiders),
        N_("a supplier's rep cannot open a dispute"),
    )
    s.check(before is None and await s.dispute(3) is None, N_("none of it changed the data"))


async def scene_outsiders(s: Session) -> None:
    running = s.running
    dm = running.slack.workspace.open_dm("U0RAJ").id
    s.say(s.t(N_("(Raj, Acme's rep, tries Parley from a DM, where no payload says whose he is)")))
    mark = len(running.slack.calls)
    answers = [
        reply_text(await s.command("U0RAJ", dm, "/dispute", text))
        for text in ("list all", "show D-2")
    ]
    answers.append(reply_text(await s.command("U0RAJ", dm, "/digest", "now")))
    s.check(
        all(s.says(a, DISPUTE.outsiders) or s.says(a, DIGEST.outsiders) for a in answers),
        N_("Slack's record of Raj (users.info) places him as Acme's, wherever he asks from"),
    )
    sent = answers + [json.dumps(c.args) for c in running.slack.calls[mark:]]
    s.check(
        not any(word in text for text in sent for word in ("Globex", "greta", "D-2")),
        N_("the refusals tell him nothing of Globex or of our record"),
    )
    await s.command("U0ALICE", "C0ACME", "/dispute", "open Invoice credit note with <@U0RAJ|raj>")
    dispute = None
    for number in range(1, 10):
        found = await s.dispute(number)
        if found is not None and found.title == "Invoice credit note":
            dispute = found
    assert running.parley.deps is not None
    running.parley.deps.directory.forget_person("U0RAJ")  # as after a restart
    s.say(
        s.t(N_("(Slack rate-limits users.info three times; Raj replies in the dispute's thread)"))
    )
    running.slack.rate_limit("users.info", times=3, retry_after=1)
    if dispute is not None and dispute.root_ts:
        stored, reply = await running.driver.message(
            "U0RAJ", "C0ACME", "Checking the invoice now", thread_ts=dispute.root_ts
        )
        s.say(
            s.t(
                N_("{where}  {who} (in the thread) › {text}"),
                where="#acme-shared",
                who="@raj",
                text=stored.text,
            )
        )
        s.check(
            reply.status == 200, N_("the event is acknowledged at once, before users.info answers")
        )
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
        N_("the reply is on the record, placed as Acme's once Slack answered"),
    )


async def scene_export(s: Session) -> None:
    document = await export_document(s.running.store)
    s.say("$ parley export --format json   " + s.t(N_("(first dispute)")))
    first = {"disputes": document["disputes"][:1]}
    s.say(textwrap.indent(to_json(first).rstrip(), "    "))
    kinds = [e["kind"] for e in document["disputes"][0]["timeline"]] if document["disputes"] else []
    s.check(
        len(document["disputes"]) == 2
        and kinds == ["opened", "party_added", "escalated", "note", "escalated", "resolved"],
        N_("the export holds both disputes and D-1's whole timeline"),
    )


async def scene_outage(s: Session) -> None:
    slack = s.running.slack
    s.say(s.t(N_("(Slack's API starts failing: the next post answers {status})"), status=503))
    slack.fail_next(1, status=503, method="chat.postMessage")
    reply = await s.command("U0ALICE", "C0DESK", "/dispute", "open Printer fleet lease renewal")
    d3 = await s.dispute(3)
    s.check(reply.status == 200 and d3 is not None, N_("the dispute is on record all the same"))
    s.check(d3 is not None and d3.root_ts is None, N_("its card could not be posted yet"))
    health = await s.health()
    s.say(f"$ curl /healthz  →  {json.dumps(health)}")
    s.check(
        health["outbox"]["undelivered"] == 1, N_("/healthz shows the card waiting in the outbox")
    )
    await s.later(timedelta(seconds=5), N_("Slack is back, and the outbox tries again"))
    d3 = await s.dispute(3)
    cards = [
        m for m in slack.messages("C0DESK") if m.is_bot and not m.thread_ts and "D-3" in m.text
    ]
    s.check(
        d3 is not None and len(cards) == 1 and d3.root_ts == cards[0].ts,
        N_("the card went out once, and its thread is D-3's"),
    )
    health = await s.health()
    s.check(health["outbox"]["undelivered"] == 0, N_("nothing is left owed"))
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
    s.say("$ curl /metrics   " + s.t(N_("(what Prometheus scrapes; the outage's lines)")))
    s.say(textwrap.indent("\n".join(shown), "    "))
    failed_posts = [
        line for line in shown if 'method="chat.postMessage"' in line and 'error="none"' not in line
    ]
    s.check(
        response.status == 200 and bool(failed_posts) and "parley_outbox_undelivered 0.0" in shown,
        N_("/metrics counted the failed post, and the outbox is empty again"),
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
        N_("the card pings nobody and disguises no link"),
    )
    s.check(
        "the Acme portal (https://evil.example)" in posted,
        N_("the link is shown as text, with its real address"),
    )
    s.check("for <@U0RAJ>" in card.args["text"], N_("Raj, picked from the list, stays a mention"))


async def scene_lookalike_names(s: Session) -> None:
    async def names() -> list[str]:
        async with s.running.store.read() as conn:
            return sorted(
                p.name for p in await parties_repo.in_workspace(conn, workspace_id="T0PARLEY")
            )

    await s.command("U0ALICE", "C0DESK", "/dispute", "open Toner invoices with <@U0IVAN|ivan>")
    before = await names()
    s.check("Initech" in before, N_("Ivan's Slack team makes Initech a party"))
    s.say("    " + s.t(N_("(the new name below starts with a Cyrillic А, U+0410, not a Latin A)")))
    refused = await s.command("U0ALICE", "C0DESK", "/party", "rename Initech to \u0410cme Networks")
    s.check(
        s.says(
            reply_text(refused),
            "“{new}” is already the name of another party (it reads as “{taken}”). Names are "
            "compared as people read them: case, width and letters that look alike (such as a "
            "Cyrillic А for a Latin A) are set aside. Choose another name.",
        )
        or s.says(
            reply_text(refused),
            "“{new}” is already the name of another party. Names are compared as people read "
            "them: case, width and letters that look alike (such as a Cyrillic А for a Latin A) "
            "are set aside. Choose another name.",
        ),
        N_("a name that only looks different is refused"),
    )
    s.check(await names() == before, N_("no party was renamed"))
    found = await s.command("U0ALICE", "C0DESK", "/party", "show ＡＣＭＥ networks")
    s.check(
        "There is no party" not in reply_text(found) and "Acme Networks" in reply_text(found),
        N_("Acme Networks is found however its name is typed"),
    )
    s.check(
        len({name_key(n) for n in before}) == len(before),
        N_("no two parties read alike"),
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
    s.say(
        "    "
        + s.t(N_("Parley answers {status} and notes it on {ref}"), status=first.status, ref="D-3")
    )
    s.say(s.t(N_("(someone who captured that signed request sends it again, byte for byte)")))
    replay = await running.driver.raw(body, headers)
    await running.settle()
    s.say(
        "    "
        + s.t(N_("Parley answers {status}: that signature was used before"), status=replay.status)
    )
    document = await export_document(running.store)
    d3 = next((d for d in document["disputes"] if d["id"] == "D-3"), None)
    notes = [e for e in (d3 or {}).get("timeline", []) if e["kind"] == "note"]
    s.check(first.status == 200 and replay.status == 401, N_("the replayed command is refused"))
    s.check(len(notes) == 1, N_("D-3 holds the note once"))
    before = await s.dispute(3)
    assert before is not None and before.root_ts is not None
    s.say(s.t(N_("(a card from an older version still shows a button this version has no more)")))
    mark = len(slack.calls)
    await s.press("U0ALICE", "C0DESK", before.root_ts, "dispute_reopen", N_("Reopen"))
    answers = [c for c in slack.calls[mark:] if c.method == "response_url"]
    s.check(
        [a.args.get("text") for a in answers] == [s.t(STALE_CARD)]
        and answers[0].args.get("response_type") == "ephemeral",
        N_("the stale button tells only Alice that the card is out of date"),
    )
    s.check(await s.dispute(3) == before, N_("and changes nothing"))
