"""Isolation: nothing about one party reaches another party's shared channel, by any path.

A busy session touches every path that posts (cards, linked roots, thread lines, lists, show,
party answers, overdue notices, errors, help); then every byte sent to each shared channel
is searched for what belongs to others.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.config import parse_config
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from tests.conftest import COMPANY_CONFIG, START

FORBIDDEN = {
    "C0ACME": [
        "Globex",
        "greta",
        "GLOBEX-REPLY",
        "GLOBEX-ONLY-TITLE",
        "SECRET-NOTE",
        "INTERNAL-REASON",
        "INTERNAL-CHATTER",
    ],
    "C0GLOBEX": [
        "Acme",
        "raj",
        "ACME-REPLY",
        "ACME-ONLY-TITLE",
        "SECRET-NOTE",
        "INTERNAL-REASON",
        "INTERNAL-CHATTER",
    ],
}


def linked_ts(app: Running, channel: str) -> str:
    return str(
        [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel][
            -1
        ].response["ts"]
    )


async def busy_session(app: Running) -> dict[str, list[Reply]]:
    d = app.driver
    answers: dict[str, list[Reply]] = {"C0ACME": [], "C0GLOBEX": []}
    await d.command(
        "/dispute",
        "open Joint outage with <@U0RAJ|raj> <@U0GRETA|greta>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    home = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    await d.command(
        "/dispute",
        "add D-1 <#C0ACME|acme-shared> <#C0GLOBEX|globex-shared>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    await d.message("U0RAJ", "C0ACME", "ACME-REPLY from raj", thread_ts=linked_ts(app, "C0ACME"))
    await d.message(
        "U0GRETA", "C0GLOBEX", "GLOBEX-REPLY from greta", thread_ts=linked_ts(app, "C0GLOBEX")
    )
    await d.message("U0BOB", "C0DESK", "INTERNAL-CHATTER about both", thread_ts=home)
    await d.command(
        "/dispute", "note D-1 SECRET-NOTE on both suppliers", user="U0ALICE", channel="C0DESK"
    )
    await d.command(
        "/dispute", "escalate D-1 INTERNAL-REASON for escalating", user="U0ALICE", channel="C0DESK"
    )
    await d.command(
        "/dispute", "open ACME-ONLY-TITLE with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await d.command(
        "/dispute", "open GLOBEX-ONLY-TITLE with <@U0GRETA|greta>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    app.clock.advance(timedelta(days=10))
    await app.parley.tick()
    await app.settle()
    for channel in ("C0ACME", "C0GLOBEX"):
        for text in (
            "list",
            "list all",
            "list overdue",
            "list mine",
            "show D-1",
            "show D-2",
            "show D-3",
            "show D-99",
            "help",
            "frobnicate",
        ):
            answers[channel].append(
                await d.command("/dispute", text, user="U0ALICE", channel=channel)
            )
        own = "Acme Networks" if channel == "C0ACME" else "Globex Audit"
        # (typing another party's name here would only echo what the person typed)
        for text in ("list", f"show {own}", "show Initech", "frobnicate"):
            answers[channel].append(
                await d.command("/party", text, user="U0ALICE", channel=channel)
            )
        answers[channel].append(
            await d.command(
                "/dispute",
                "escalate D-1 external try",
                user="U0RAJ" if channel == "C0ACME" else "U0GRETA",
                channel=channel,
            )
        )
    await app.settle()
    return answers


def sent_to(app: Running, channel: str, answers: list[Reply]) -> list[str]:
    out = []
    for call in app.slack.calls:
        target = call.args.get("channel") or call.args.get("_channel")
        if target == channel and call.method in (
            "chat.postMessage",
            "chat.update",
            "chat.postEphemeral",
            "response_url",
        ):
            out.append(json.dumps(call.args, ensure_ascii=False))
    out += [reply.text for reply in answers]
    return out


async def test_nothing_leaks_into_a_shared_channel(app: Running) -> None:
    answers = await busy_session(app)
    for channel, words in FORBIDDEN.items():
        texts = sent_to(app, channel, answers[channel])
        assert len(texts) > 15, f"too little reached {channel} to prove anything"
        for text in texts:
            decoded = json.loads(text) if text.startswith("{") else text
            flat = json.dumps(decoded, ensure_ascii=False)
            for word in words:
                assert word.lower() not in flat.lower(), (
                    f"{word!r} leaked into {channel}: {flat[:400]}"
                )
    # and each shared channel did get its own party's business
    acme = " ".join(sent_to(app, "C0ACME", answers["C0ACME"]))
    assert "ACME-REPLY" in json.dumps(acme, ensure_ascii=False) and "ACME-ONLY-TITLE" in acme


async def test_the_door_refuses_internal_notices_for_a_shared_channel(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    """A config that names a shared channel as the dispute-process channel leaks nothing."""
    config = parse_config(
        COMPANY_CONFIG.replace('dispute_process = "C0PROCESS"', 'dispute_process = "C0ACME"'),
        Path("bad.toml"),
    )
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as app:
        await app.driver.command(
            "/dispute",
            "open Joint with <@U0RAJ|raj> <@U0GRETA|greta>",
            user="U0ALICE",
            channel="C0DESK",
        )
        await app.driver.command("/dispute", "escalate D-1 one", user="U0ALICE", channel="C0DESK")
        await app.driver.command("/dispute", "escalate D-1 two", user="U0ALICE", channel="C0DESK")
        await app.settle()
        assert [
            c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ACME"
        ] == []
        async with app.store.read() as conn:
            from bot.store import disputes as repo

            d1 = await repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None and d1.stage.value == "company_process"  # the change itself stands


def test_the_check_itself() -> None:
    from bot.commands.outgoing import About, Leak, check
    from bot.domain.disputes import Dispute
    from bot.domain.ladder import Stage, Status
    from bot.domain.parties import Audience, Party, PartyKind

    acme = Party(id=1, name="Acme Networks", kind=PartyKind.SUPPLIER, slack_team="T0ACME")
    globex = Party(id=2, name="Globex Audit", kind=PartyKind.THIRD_PARTY, slack_team="T0GLOBEX")
    now = START
    both = Dispute(
        id=1,
        workspace_id="T0PARLEY",
        number=1,
        title="t",
        status=Status.OPEN,
        stage=Stage.COORDINATION,
        channel_id="C0DESK",
        root_ts=None,
        owner_id="U0ALICE",
        opened_at=now,
        stage_started_at=now,
        stage_due_at=None,
        parties=(acme, globex),
    )
    only_globex = both.model_copy(update={"parties": (globex,)})
    shared = Audience.shared(frozenset({"T0ACME"}), "C0ACME")
    check(Audience(), "anything Globex", [], About(disputes=[both], internal=True))
    check(shared, "Acme Networks only", [], About(disputes=[both]))
    for text, about in (
        ("x", About(internal=True)),
        ("x", About(disputes=[only_globex])),
        ("Parties: Acme Networks, globex audit", About(disputes=[both])),
        ("x", About(parties=[globex])),
    ):
        try:
            check(shared, text, [], about)
        except Leak:
            continue
        raise AssertionError(f"not refused: {text} {about}")


async def test_answers_are_checked_at_the_door_too(app: Running) -> None:
    # A Globex dispute whose title names Acme: in Globex's channel the list must not say it.
    await app.driver.command(
        "/dispute",
        "open Globex finding about Acme Networks with <@U0GRETA|greta>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.driver.command(
        "/dispute", "open Acme matter with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    listed = await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0GLOBEX")
    assert "Acme" not in listed.text and "can't show that in this channel" in listed.text
    # An echo of what the person typed is no leak.
    echoed = await app.driver.command(
        "/party", "show Acme Networks", user="U0ALICE", channel="C0GLOBEX"
    )
    assert "Acme Networks" in str(echoed.json) and "in this channel" in str(echoed.json)
