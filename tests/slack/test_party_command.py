"""`/party` over HTTP, and the party_admin workflow on a real SQLite file.

Config parties (Acme Networks, Globex Audit) are on record before anybody of theirs is seen;
discovered ones (Initech, from team.info) can be renamed and re-kinded; config ones cannot.
Every refusal is an ephemeral error that leaves the database exactly as it was.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.domain.calendar import calendar_for
from bot.domain.errors import InvalidInput
from bot.domain.parties import Audience, PartyKind, Person
from bot.sandbox.blocktext import render_blocks
from bot.sandbox.harness import Running
from bot.store import Store
from bot.store import parties as parties_repo
from bot.workflows import disputes, party_admin
from bot.workflows.party_admin import Origin
from tests import saying
from tests.conftest import COMPANY_CONFIG, START
from tests.conftest import snapshot as snapshot_of
from tests.saying import raises_saying

ALICE = "U0ALICE"
RAJ = "U0RAJ"  # Acme Networks, in the shared channel C0ACME
DESK = "C0DESK"


def shown(body: dict[str, Any]) -> str:
    # Read as a person does: without mrkdwn's bold and code marks.
    text = str(body["text"]) + "\n" + render_blocks(body.get("blocks", []))
    return text.replace("*", "").replace("`", "")


async def party(app: Running, text: str, user: str = ALICE, channel: str = DESK) -> str:
    return shown(await saying.asked(app, "/party", text, user=user, channel=channel))


async def dispute(app: Running, text: str, channel: str = DESK) -> str:
    body = await saying.asked(app, "/dispute", text, user=ALICE, channel=channel)
    return shown(body) if body else ""


async def with_initech(app: Running) -> None:
    """D-1 with Ivan, whose team (Initech) the config does not know: a discovered supplier."""
    await dispute(app, "open Printer fleet invoices with <@U0IVAN|ivan>")


def slack_posts(app: Running) -> int:
    return len(app.slack.calls_to("chat.postMessage")) + len(app.slack.calls_to("chat.update"))


# --- usage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "How to use /party"), ("help", "How to use /party"), ("frobnicate x", "not a /party")],
)
async def test_help_empty_and_unknown_answer_usage(app: Running, text: str, expected: str) -> None:
    before = await snapshot_of(app.store)
    said = await party(app, text)
    assert expected in said and "/party rename <old> to <new>" in said
    assert await snapshot_of(app.store) == before


# --- list and show ---------------------------------------------------------------------------


async def test_list_shows_config_parties_and_discovered_ones(app: Running) -> None:
    said = await party(app, "list")
    assert "Acme Networks · supplier · T0ACME · config — no open disputes" in said
    assert "Globex Audit · third party · T0GLOBEX · config — no open disputes" in said

    await with_initech(app)
    await dispute(app, "open Audit scope with <@U0IVAN|ivan> <@U0GRETA|greta>")
    await dispute(app, "open Closed soon with <@U0GRETA|greta>")
    await dispute(app, "withdraw D-3 Raised in error")
    said = await party(app, "list")
    lines = [line for line in said.splitlines() if line.startswith("•")]
    assert lines == [
        "• Acme Networks · supplier · T0ACME · config — no open disputes",
        "• Globex Audit · third party · T0GLOBEX · config — 1 open dispute",
        "• Initech · supplier · T0INITECH — 2 open disputes",
    ]
    # The config's sync is idempotent: listing again writes nothing.
    before = await snapshot_of(app.store)
    await party(app, "list")
    assert await snapshot_of(app.store) == before


async def test_show_tells_kind_team_source_and_newest_open_disputes(app: Running) -> None:
    said = await party(app, "show acme networks")
    assert "Kind: supplier" in said and "Slack team: T0ACME" in said
    assert "From: Parley's config file" in said and "No open disputes." in said

    for n in range(1, 12):
        await dispute(app, f"open Invoice batch {n} with <@U0IVAN|ivan>")
    await dispute(app, "resolve D-11 Paid")
    await dispute(app, "open Unrelated outage with <@U0RAJ|raj>")
    said = await party(app, "show  INITECH ")
    assert "From: discovered from its Slack team" in said and "Slack team: T0INITECH" in said
    assert "Open disputes (newest 10 of 10)" not in said
    listed = [line for line in said.splitlines() if line.startswith("• D-")]
    assert listed == [f"• D-{n} Invoice batch {n}" for n in range(10, 0, -1)]
    assert "Unrelated" not in said

    await dispute(app, "open Invoice batch 13 with <@U0IVAN|ivan>")
    said = await party(app, "show Initech")
    assert "Open disputes (newest 10 of 11)" in said
    listed = [line for line in said.splitlines() if line.startswith("• D-")]
    assert listed[0] == "• D-13 Invoice batch 13" and "• D-1 Invoice batch 1" not in listed


# --- changes ---------------------------------------------------------------------------------


async def test_rename_and_rekind_a_discovered_party_everywhere(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.workflows.party_admin")
    await with_initech(app)
    cards_before = len(app.slack.calls_to("chat.update"))
    said = await party(app, "rename initech to Initech Networks Ltd")
    assert "Renamed Initech to Initech Networks Ltd." in said
    said = await party(app, "set initech networks ltd kind third_party")
    assert "Initech Networks Ltd is now a third party (was a supplier)." in said
    # No party timeline: each change is on the log, with who made it.
    assert "party 'Initech' renamed to 'Initech Networks Ltd' by U0ALICE" in caplog.text
    assert "party 'Initech Networks Ltd' re-kinded from supplier to third_party" in caplog.text
    # A case-only rename is a change too.
    assert "Renamed" in await party(app, "rename initech networks ltd to INITECH Networks Ltd")

    assert "INITECH Networks Ltd (third party)" in await dispute(app, "show D-1")
    card = app.slack.calls_to("chat.update")[-1]
    assert len(app.slack.calls_to("chat.update")) == cards_before + 3
    assert "INITECH Networks Ltd (third party)" in str(card.args["blocks"])

    from bot.workflows.export import export_document

    (d1,) = (await export_document(app.store))["disputes"]
    assert d1["parties"] == ["INITECH Networks Ltd"]
    assert [e["party"] for e in d1["timeline"] if e["kind"] == "party_added"] == [
        "INITECH Networks Ltd"
    ]
    said = await party(app, "list")
    assert "• INITECH Networks Ltd · third party · T0INITECH — 1 open dispute" in said


async def test_names_may_contain_to_and_kind(app: Running) -> None:
    await with_initech(app)
    assert "Renamed Initech to Back to Basics." in await party(
        app, "rename Initech to Back to Basics"
    )
    assert "Renamed Back to Basics to Humankind." in await party(
        app, "rename back to basics to Humankind"
    )
    assert "Humankind is now a customer" in await party(app, "set Humankind kind Customer")
    assert "Humankind is now a third party" in await party(app, "set humankind kind third party")


async def test_config_parties_are_changed_in_the_config_file(app: Running) -> None:
    await party(app, "list")
    before = await snapshot_of(app.store)
    for text in (
        "set Acme Networks kind customer",
        "set acme networks kind supplier",
        "rename ACME NETWORKS to Acme",
        "rename Globex Audit to Globex",
    ):
        said = await party(app, text)
        assert "is defined in Parley's config file; change it there" in said, text
    assert await snapshot_of(app.store) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show", "Which party?"),
        ("show Nobody Corp", "There is no party “Nobody Corp”"),
        ("set", "Which party?"),
        ("set Initech", "Only the kind can be set"),
        ("set Initech name Foo", "Only the kind can be set"),
        ("set Initech kind", "Which kind?"),
        ("set Initech kind martian", "“martian” is not a kind of party"),
        ("set Nobody kind customer", "There is no party “Nobody”"),
        ("set Initech kind supplier", "Initech is already a supplier"),
        ("rename", "Which party?"),
        ("rename Initech", "Rename to what?"),
        ("rename Initech to", "The new name is empty"),
        ("rename Nobody to Somebody", "There is no party “Nobody”"),
        ("rename Initech to Initech", "already called that"),
        ("rename Initech to acme NETWORKS", "“acme NETWORKS” is already the name of another"),
        ("rename Initech to " + "x" * 5000, "5,000 characters long; keep it to 80"),
        ("rename Initech to \u200b\u200b", "The new name is empty"),
        ("rename Initech to \u202e\u2066", "The new name is empty"),
        ("rename Initech to Evil\u202eCorp", "invisible or direction-changing"),
        ("rename Initech to Acme\u200b Networks", "invisible or direction-changing"),
    ],
)
async def test_bad_input_is_explained_and_changes_nothing(
    app: Running, text: str, expected: str
) -> None:
    await with_initech(app)
    await party(app, "list")
    before = await snapshot_of(app.store)
    posts = slack_posts(app)
    said = await party(app, text)
    assert expected in said and ":warning:" in said
    assert await snapshot_of(app.store) == before
    assert slack_posts(app) == posts


async def test_a_refusal_on_a_fresh_database_writes_nothing_either(app: Running) -> None:
    """The config's sync runs in the request's transaction: a refusal rolls it back."""
    before = await snapshot_of(app.store)
    assert "There is no party" in await party(app, "show Nobody")
    assert "is defined in Parley's config file" in await party(app, "rename Acme Networks to X")
    assert await snapshot_of(app.store) == before


async def test_mrkdwn_in_names_is_escaped(app: Running) -> None:
    await with_initech(app)
    reply = await app.driver.command(
        "/party", "rename Initech to AT&amp;T &lt;!channel&gt;", user=ALICE, channel=DESK
    )
    await app.settle()
    assert "AT&amp;T &lt;!channel&gt;" in reply.json["text"]
    said = await party(app, "show at&amp;t &lt;!channel&gt;")
    assert "T0INITECH" in said


@pytest.mark.parametrize(
    "text",
    ["list", "show Acme Networks", "set Initech kind customer", "rename Initech to Ours", "set"],
)
async def test_external_users_are_refused_on_every_subcommand(app: Running, text: str) -> None:
    await with_initech(app)
    before = await snapshot_of(app.store)
    said = await party(app, text, user=RAJ, channel="C0ACME")
    assert "Only members of the workspace that runs Parley can use /party" in said
    assert await snapshot_of(app.store) == before


# --- isolation -------------------------------------------------------------------------------


async def test_a_shared_channel_sees_only_its_own_parties(app: Running) -> None:
    await with_initech(app)
    await dispute(app, "open Link flaps with <@U0RAJ|raj> <@U0GRETA|greta>")
    said = await party(app, "list", channel="C0ACME")
    assert "Parties in this channel (1)" in said
    assert "Acme Networks" in said and "Globex" not in said and "Initech" not in said
    assert "D-2 Link flaps" in await party(app, "show Acme Networks", channel="C0ACME")
    before = await snapshot_of(app.store)
    for text in ("show Globex Audit", "show Initech", "rename Initech to Ours"):
        said = await party(app, text, channel="C0ACME")
        assert "in this channel" in said and "T0GLOBEX" not in said, text
    assert await snapshot_of(app.store) == before
    assert "Initech" in await party(app, "list")  # internal channel: everything


# --- the workflow, directly ----------------------------------------------------------------


def config_of(extra: str = "") -> ParleyConfig:
    return parse_config(COMPANY_CONFIG + extra, Path("tests/company.toml"))


WS = "T0PARLEY"
ALICE_P = Person(user_id="U0ALICE", team_id=WS, name="alice")


async def test_sync_is_idempotent_and_the_config_wins(store: Store) -> None:
    async with store.write() as conn:
        # Discovered before the config named them: one holds a config name with another team,
        # one is a team the config now names (in another case) without giving its team id.
        await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Acme Networks",
            kind=PartyKind.SUPPLIER,
            slack_team="T0FAKE",
            now=START,
        )
        await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="initech",
            kind=PartyKind.SUPPLIER,
            slack_team="T0INITECH",
            now=START,
        )
    config = config_of('\n[parties."Initech"]\nkind = "customer"\n')
    synced = await party_admin.sync_configured_parties(
        store, workspace_id=WS, config=config, now=START
    )
    assert sorted((p.name, p.kind.value, p.slack_team) for p in synced) == [
        ("Acme Networks", "supplier", "T0ACME"),
        ("Globex Audit", "third_party", "T0GLOBEX"),
        ("Initech", "customer", "T0INITECH"),
    ]
    async with store.read() as conn:
        everyone = await parties_repo.in_workspace(conn, workspace_id=WS)
    assert {p.name for p in everyone} == {
        "Acme Networks",
        "Acme Networks (T0FAKE)",
        "Globex Audit",
        "Initech",
    }
    assert {p.name: party_admin.origin_of(p, config) for p in everyone} == {
        "Acme Networks": Origin.CONFIG,
        "Acme Networks (T0FAKE)": Origin.DISCOVERED,
        "Globex Audit": Origin.CONFIG,
        "Initech": Origin.CONFIG,
    }
    before = await snapshot_of(store)
    again = await party_admin.sync_configured_parties(
        store, workspace_id=WS, config=config, now=START
    )
    assert again == synced and await snapshot_of(store) == before


async def test_list_is_one_query_however_many_parties(store: Store) -> None:
    config = config_of()
    calendar = calendar_for(config.calendar.holidays, config.calendar.timezone)

    async def open_with(team: str) -> None:
        guest = Person(user_id=f"U{team}", team_id=team, name=team, team_name=f"Team {team}")
        await disputes.open_dispute(
            store,
            workspace_id=WS,
            channel_id="C0DESK",
            owner=ALICE_P,
            title="Late",
            people=[guest],
            config=config,
            calendar=calendar,
            now=START,
        )

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async def listed() -> tuple[int, list[party_admin.PartyEntry]]:
        statements.clear()
        sa.event.listen(store.engine.sync_engine, "before_cursor_execute", count)
        try:
            entries = await party_admin.list_parties(
                store,
                workspace_id=WS,
                actor=ALICE_P,
                audience=Audience(),
                config=config,
                now=START,
            )
        finally:
            sa.event.remove(store.engine.sync_engine, "before_cursor_execute", count)
        return len(statements), entries

    await open_with("T0ACME")
    await party_admin.sync_configured_parties(store, workspace_id=WS, config=config, now=START)
    few, entries = await listed()
    for n in range(6):
        await open_with(f"T0X{n}")
        await open_with(f"T0X{n}")
    many, entries = await listed()
    assert few == many
    counts = {e.party.name: e.open_disputes for e in entries}
    assert counts == {
        "Acme Networks": 1,
        "Globex Audit": 0,
        **{f"Team T0X{n}": 2 for n in range(6)},
    }


def test_parsing_names_kinds_and_new_names() -> None:
    assert party_admin.parse_set("Be kind   kind third-party") == party_admin.SetKind(
        name="Be kind", kind=PartyKind.THIRD_PARTY
    )
    assert party_admin.parse_rename("Back to Basics to BtB").readings == (
        ("Back", "Basics to BtB"),
        ("Back to Basics", "BtB"),
    )
    assert party_admin.clean_name("  Initech\tLtd ") == "Initech Ltd"
    with raises_saying(InvalidInput, "keep it to 80"):
        party_admin.clean_name("x" * 81)
    with raises_saying(InvalidInput, "invisible"):
        party_admin.clean_name("Ini\u200dtech")
