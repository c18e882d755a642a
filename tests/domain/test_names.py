"""Party names compared as people read them, and found in any text, Chinese included.

The key function and the finder on their own; then over HTTP: Chinese messages refused at the
door of another party's shared channel, lookalike renames refused with nothing changed, the
agreement form never offering two names that read alike, lookups in any spelling; and the
migration that gives existing parties their key, on both engines.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError

from bot.commands.outgoing import About, Leak, check, check_names
from bot.config import ConfigError, ParleyConfig, load_config, parse_config
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput
from bot.domain.ladder import Stage, Status
from bot.domain.names import look_alike, lookalike_of, name_key, names_in
from bot.domain.parties import Audience, Party, PartyKind, Person
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import Team, User
from bot.store import Store, normalise_database_url
from bot.store import parties as parties_repo
from bot.store.db import MIGRATIONS
from bot.workflows import party_admin
from tests.conftest import COMPANY_CONFIG, START
from tests.conftest import snapshot as snapshot_of
from tests.saying import words

CYRILLIC_A = "\u0410"  # А
GREEK_ALPHA = "\u0391"  # Α

# --- the key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Acme Networks",
        "acme networks",
        "ACME NETWORKS",
        "  Acme \t Networks ",
        f"{CYRILLIC_A}cme Networks",  # the rename
        "\u0430cme Networks",  # Cyrillic а, small
        f"{GREEK_ALPHA}cme Networks",
        "\uff21\uff43\uff4d\uff45 Networks",  # full-width Ａｃｍｅ
        "\uff21\uff23\uff2d\uff25\u3000\uff2e\uff45\uff54\uff57\uff4f\uff52\uff4b\uff53",
        "Acme Netw\u043erks",  # Cyrillic о
        "Acme Network\u0455",  # Cyrillic ѕ
    ],
)
def test_lookalike_spellings_share_the_key(spelling: str) -> None:
    assert name_key(spelling) == name_key("Acme Networks")
    assert look_alike(spelling, "Acme Networks")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme Networks", "Acne Networks"),
        ("Acme Networks", "Acme Network"),
        ("Acme Networks", "AcmeNetworks"),
        ("Globex", "Globe"),
        ("华为", "华为云"),
        ("华为", "中兴"),
        ("Nestlé", "Nestle"),  # a different letter, not a lookalike of one
        ("Вера", "Вега"),
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)
    assert not look_alike(one, other)


def test_capitals_that_only_look_alike_as_capitals() -> None:
    # Cyrillic В, Н, Т look like B, H, T; their small letters в, н, т do not look like b, h, t.
    assert look_alike("\u0412\u0415\u0422\u0410 Corp", "Beta Corp")
    assert look_alike("\u041dilton", "Hilton")
    assert look_alike("\u0410\u0421\u041c\u0415 Networks", "Acme Networks")  # АСМЕ
    assert look_alike("\u0392eta", "beta")  # Greek Β
    assert lookalike_of("\u0412eta", ["Alpha", "Beta"]) == "Beta"
    assert lookalike_of("Gamma", ["Alpha", "Beta"]) is None


def test_chinese_names_keep_their_characters() -> None:
    assert name_key("华为") == "华为"
    assert name_key(" 华为 ") == name_key("华为")
    assert name_key("华为技术有限公司") == "华为技术有限公司"


def test_invisible_characters_do_not_make_a_new_name() -> None:
    assert name_key("Acme\u200b Networks") == name_key("Acme Networks")
    assert name_key("Glo\u00adbex") == name_key("Globex")


# --- finding a name in text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        ("D-3 与华为的争议已超期", "华为", True),
        ("与Globex的争议", "Globex", True),
        ("与GLOBEX的争议", "Globex", True),
        ("与Ｇｌｏｂｅｘ的争议", "Globex", True),  # full width
        ("华为技术的争议", "华为", True),
        ("D-3 与中兴的争议已超期", "华为", False),
        ("Acmeville is a town", "Acme", False),
        ("the Acme card", "Acme", True),
        ("*Acme Networks*: late", "Acme Networks", True),
        ("_Acme Networks_", "Acme Networks", True),
        ("Parties: \u0410cme Networks", "Acme Networks", True),  # a lookalike in the text
        ("\u0412\u0415\u0422\u0410 Corp said", "Beta Corp", True),
        ("Acme\nNetworks", "Acme Networks", True),
        ("Glo\u200bbex replied", "Globex", True),
        ("AT&amp;T and us", "AT&T", True),
        ("&lt;Acme&gt;", "Acme", True),
        ("Acme2 rack", "Acme", False),
        ("Globexes", "Globex", False),
        ("Initech", "", False),
    ],
)
def test_a_name_is_found_as_people_read_it(text: str, name: str, found: bool) -> None:
    assert names_in(text, name) is found


ACME = Party(id=1, name="Acme Networks", kind=PartyKind.SUPPLIER, slack_team="T0ACME")
HUAWEI = Party(id=2, name="华为", kind=PartyKind.SUPPLIER, slack_team="T0GLOBEX")
GLOBEX = Party(id=3, name="Globex", kind=PartyKind.THIRD_PARTY, slack_team="T0INITECH")
ACME_SHARED = Audience.shared(frozenset({"T0ACME"}), "C0ACME")


@pytest.mark.parametrize("text", ["D-3 与华为的争议已超期", "与Globex的争议"])
def test_the_backstop_refuses_chinese_text_naming_another_party(text: str) -> None:
    known = [ACME, HUAWEI, GLOBEX]
    with pytest.raises(Leak):
        check_names(ACME_SHARED, text, [], known)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{text}*"}}]
    with pytest.raises(Leak):
        check_names(ACME_SHARED, "", blocks, known)
    # The person typed it: an answer may echo what was asked.
    check_names(ACME_SHARED, text, [], known, typed=f"open {text}")
    # Internal channels may name anybody; Acme's own name is Acme's.
    check_names(Audience(), text, [], known)
    check_names(ACME_SHARED, "D-3 与Acme Networks的争议已超期", [], known)


def test_the_dispute_check_finds_a_foreign_party_in_chinese() -> None:
    both = Dispute(
        id=1,
        workspace_id="T0PARLEY",
        number=3,
        title="t",
        status=Status.OPEN,
        stage=Stage.COORDINATION,
        channel_id="C0DESK",
        root_ts=None,
        owner_id="U0ALICE",
        opened_at=START,
        stage_started_at=START,
        stage_due_at=None,
        parties=(ACME, HUAWEI),
    )
    check(ACME_SHARED, "D-3 与Acme Networks的争议已超期", [], About(disputes=[both]))
    with pytest.raises(Leak):
        check(ACME_SHARED, "D-3 与华为的争议已超期", [], About(disputes=[both]))


# --- over HTTP ------------------------------------------------------------------------------

CHINESE_CONFIG = (
    COMPANY_CONFIG.replace('[parties."Globex Audit"]', '[parties."华为"]')
    + '\n[parties."Globex"]\nkind = "third_party"\nslack_team = "T0INITECH"\n'
)


@pytest.fixture
async def chinese_app(slack: SlackStandIn, sqlite_url: str) -> AsyncIterator[Running]:
    """Acme Networks (T0ACME), 华为 (T0GLOBEX) and Globex (T0INITECH) in the config."""
    config = parse_config(CHINESE_CONFIG, Path("tests/chinese.toml"))
    assert list(config.parties) == ["Acme Networks", "华为", "Globex"]
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as running:
        yield running
    assert slack.violations == [], slack.violations


def to_channel(app: Running, channel: str) -> str:
    return "\n".join(
        json.dumps(c.args, ensure_ascii=False)
        for c in app.slack.calls
        if (c.args.get("channel") or c.args.get("_channel")) == channel
        and c.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
    )


async def test_chinese_text_naming_another_party_is_refused_at_the_door(
    chinese_app: Running,
) -> None:
    app, d = chinese_app, chinese_app.driver
    for title in ("Acme patching", "Acme invoices", "与华为的争议已超期"):
        await d.command(
            "/dispute", f"open {title} with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
        )
    await app.settle()
    # Typed in Acme's own channel: the card would name 与Globex; only the echo may.
    await d.command(
        "/dispute", "open 与Globex的争议 with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    listed = await d.command("/dispute", "list", user="U0ALICE", channel="C0ACME")
    shown = await d.command("/dispute", "show D-3", user="U0ALICE", channel="C0ACME")
    for reply in (listed, shown):
        assert "can't show that in this channel" in reply_text(reply.json)
        assert "华为" not in reply_text(reply.json)
    sent = to_channel(app, "C0ACME")
    assert "华为" not in sent and "Globex" not in sent
    # Acme's own business does reach it, and internally everything is said.
    own = await d.command("/dispute", "show D-1", user="U0ALICE", channel="C0ACME")
    assert "Acme patching" in reply_text(own.json)
    internal = await d.command("/dispute", "show D-3", user="U0ALICE", channel="C0DESK")
    assert "D-3 · 与华为的争议已超期" in reply_text(internal.json)
    d4 = await d.command("/dispute", "show D-4", user="U0ALICE", channel="C0DESK")
    assert "与Globex的争议" in reply_text(d4.json)


LOOKALIKES = [
    f"{CYRILLIC_A}cme Networks",
    f"{GREEK_ALPHA}CME NETWORKS",
    "\uff21\uff43\uff4d\uff45 Networks",
    "acme netw\u043erks",
]


def reply_text(body: dict[str, object]) -> str:
    return (str(body["text"]) + json.dumps(body.get("blocks", []), ensure_ascii=False)).replace(
        "*", ""
    )


@pytest.mark.parametrize("new", LOOKALIKES)
async def test_a_lookalike_rename_is_refused_and_changes_nothing(app: Running, new: str) -> None:
    d = app.driver
    await d.command(
        "/dispute", "open Printer fleet with <@U0IVAN|ivan>", user="U0ALICE", channel="C0DESK"
    )
    await d.command("/party", "list", user="U0ALICE", channel="C0DESK")
    await app.settle()
    before = await snapshot_of(app.store)
    calls = len(app.slack.calls)
    reply = await d.command("/party", f"rename Initech to {new}", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert reply.json["response_type"] == "ephemeral"
    said = reply_text(reply.json)
    assert ":warning:" in said and "is already the name of another party" in said
    assert "(it reads as “Acme Networks”)" in said and "Cyrillic" in said
    assert await snapshot_of(app.store) == before
    assert len(app.slack.calls) == calls
    # Where not every party may be named, the refusal does not say which one it reads as.
    initech_shared = Audience.shared(frozenset({"T0INITECH"}), "C0INITECH")
    with pytest.raises(InvalidInput) as refused:
        await party_admin.rename_party(
            app.store,
            workspace_id="T0PARLEY",
            request=party_admin.parse_rename(f"Initech to {new}"),
            actor=Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice"),
            audience=initech_shared,
            config=parse_config(COMPANY_CONFIG, Path("tests/company.toml")),
            now=START,
        )
    assert "is already the name of another party." in words(refused.value)
    assert "reads as" not in words(refused.value) and "Acme" not in words(refused.value)
    assert await snapshot_of(app.store) == before


async def test_renames_to_a_lookalike_of_itself_or_of_a_config_party_are_refused(
    app: Running,
) -> None:
    d = app.driver
    await d.command(
        "/dispute", "open Printer fleet with <@U0IVAN|ivan>", user="U0ALICE", channel="C0DESK"
    )
    await d.command("/party", "list", user="U0ALICE", channel="C0DESK")
    await app.settle()
    before = await snapshot_of(app.store)
    itself = await d.command(
        "/party", "rename Initech to \u0406nitech", user="U0ALICE", channel="C0DESK"
    )
    assert "reads the same as Initech" in reply_text(itself.json)
    assert await snapshot_of(app.store) == before
    # A case-only rename is still a rename.
    cased = await d.command("/party", "rename Initech to INITECH", user="U0ALICE", channel="C0DESK")
    assert "Renamed Initech to INITECH" in reply_text(cased.json)


async def test_lookups_find_a_party_in_any_spelling(app: Running) -> None:
    d = app.driver
    for spelling in ("\uff21\uff23\uff2d\uff25 networks", f"{CYRILLIC_A}cme Networks"):
        reply = await d.command("/party", f"show {spelling}", user="U0ALICE", channel="C0DESK")
        said = reply_text(reply.json)
        assert "Acme Networks" in said and "There is no party" not in said, said
        listed = await d.command("/agreement", f"list {spelling}", user="U0ALICE", channel="C0DESK")
        assert "There is no party" not in reply_text(listed.json)


async def test_the_agreement_form_never_offers_two_names_that_read_alike(app: Running) -> None:
    """A Slack team named `Аcme Networks` (Cyrillic А) is offered, and recorded, with its team."""
    ws = app.slack.workspace
    ws.add_team(Team("T0EVIL", f"{CYRILLIC_A}cme Networks", "evil"))
    ws.add_user(User("U0EVE", "T0EVIL", "eve", "Eve Mallory", display_name="eve"))
    await app.driver.command(
        "/dispute", "open Warm-up with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()

    def offered() -> list[str]:
        view = app.slack.calls_to("views.open")[-1].args["view"]
        party = next(b for b in view["blocks"] if b["block_id"] == "party")
        return [o["text"]["text"] for o in party["element"]["options"]]

    await app.driver.command(
        "/agreement", "new with <@U0EVE|eve>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    names = offered()
    assert f"{CYRILLIC_A}cme Networks (T0EVIL)" in names and "Acme Networks" in names
    assert len({name_key(n) for n in names}) == len(names)

    await app.driver.command(
        "/dispute", "open Phishing with <@U0EVE|eve>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    async with app.store.read() as conn:
        known = await parties_repo.in_workspace(conn, workspace_id="T0PARLEY")
    assert sorted(p.name for p in known if p.slack_team in ("T0ACME", "T0EVIL")) == [
        "Acme Networks",
        f"{CYRILLIC_A}cme Networks (T0EVIL)",
    ]
    await app.driver.command(
        "/agreement", "new with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    names = offered()
    assert len({name_key(n) for n in names}) == len(names) >= 2


# --- the migration --------------------------------------------------------------------------


def _migrate(url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = normalise_database_url(url)
    command.upgrade(cfg, revision)


async def test_the_migration_keys_existing_parties_and_keeps_lookalikes_apart(
    empty_database_url: str,
) -> None:
    await asyncio.to_thread(_migrate, empty_database_url, "0012")
    store = Store.open(empty_database_url)
    try:
        async with store.write() as conn:
            for workspace, name, team in (
                ("T0PARLEY", "Acme Networks", "T0ACME"),
                ("T0PARLEY", "华为", "T0HUAWEI"),
                ("T0PARLEY", f"{CYRILLIC_A}cme Networks", "T0EVIL"),
                ("T0OTHER", f"{CYRILLIC_A}cme Networks", "T0EVIL"),
            ):
                await conn.execute(
                    sa.text(
                        "INSERT INTO parties (workspace_id, name, kind, slack_team, created_at) "
                        "VALUES (:w, :n, 'supplier', :t, :c)"
                    ),
                    {"w": workspace, "n": name, "t": team, "c": START.replace(tzinfo=None)},
                )
        await store.upgrade()
        async with store.read() as conn:
            rows = (
                await conn.execute(
                    sa.text("SELECT id, workspace_id, name, name_key FROM parties ORDER BY id")
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, "T0PARLEY", "Acme Networks", "acrne networks"),
            (2, "T0PARLEY", "华为", "华为"),
            (3, "T0PARLEY", f"{CYRILLIC_A}cme Networks (#3)", "acrne networks (#3)"),
            (4, "T0OTHER", f"{CYRILLIC_A}cme Networks", "acrne networks"),
        ]
        async with store.read() as conn:
            found = await parties_repo.by_name(
                conn, workspace_id="T0PARLEY", name="ＡＣＭＥ networks"
            )
        assert found is not None and found.id == 1
        # The store itself refuses a second party that reads the same.
        with pytest.raises(IntegrityError):
            async with store.write() as conn:
                await parties_repo.insert(
                    conn,
                    workspace_id="T0PARLEY",
                    name=f"{GREEK_ALPHA}cme Networks",
                    kind=PartyKind.SUPPLIER,
                    slack_team="T0GREEK",
                    now=START,
                )
    finally:
        await store.close()


def test_config_parties_read_alike_is_a_config_error(tmp_path: Path) -> None:
    text = COMPANY_CONFIG + f'\n[parties."{CYRILLIC_A}cme Networks"]\nkind = "customer"\n'
    line = text.splitlines().index(f'[parties."{CYRILLIC_A}cme Networks"]') + 1
    path = tmp_path / "parley.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert f'"{CYRILLIC_A}cme Networks" is the same name as "Acme Networks"' in str(caught.value)
    assert isinstance(parse_config(COMPANY_CONFIG, Path("ok.toml")), ParleyConfig)


async def test_a_discovered_lookalike_gives_way_to_the_config_party(store: Store) -> None:
    """A team seen first as `ВЕТА Corp` (Cyrillic capitals) and a config party `Beta Corp`:
    the config's party is the agreement, the other keeps its records under a name with its
    team."""
    from bot.workflows.party_admin import sync_configured_parties

    async with store.write() as conn:
        for name, team in (
            ("\u0412\u0415\u0422\u0410 Corp", "T0EVIL"),  # ВЕТА, Cyrillic capitals
            (f"{CYRILLIC_A}cme Networks", "T0EVIL2"),
            ("GLOBEX", "T0GLOBEX"),  # the same spelling in capitals: that is the party
        ):
            await parties_repo.insert(
                conn,
                workspace_id="T0PARLEY",
                name=name,
                kind=PartyKind.SUPPLIER,
                slack_team=team,
                now=START,
            )
    config = parse_config(
        '[parties."Beta Corp"]\nkind = "customer"\n[parties."Acme Networks"]\n'
        'kind = "supplier"\n[parties.Globex]\nkind = "third_party"\n',
        Path("beta.toml"),
    )
    await sync_configured_parties(store, workspace_id="T0PARLEY", config=config, now=START)
    async with store.read() as conn:
        known = await parties_repo.in_workspace(conn, workspace_id="T0PARLEY")
    assert sorted((p.name, p.slack_team) for p in known) == [
        ("Acme Networks", None),
        ("Beta Corp", None),
        ("Globex", "T0GLOBEX"),
        (f"{CYRILLIC_A}cme Networks (T0EVIL2)", "T0EVIL2"),
        ("\u0412\u0415\u0422\u0410 Corp (T0EVIL)", "T0EVIL"),
    ]


async def test_a_key_may_be_much_longer_than_its_name(store: Store) -> None:
    """NFKC turns one ligature into 18 letters: the key column has no length to overflow."""
    name = "\ufdfa" * 100
    assert len(name_key(name)) > 1000
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id="T0PARLEY",
            name=name,
            kind=PartyKind.SUPPLIER,
            slack_team="T0LONG",
            now=START,
        )
    async with store.read() as conn:
        found = await parties_repo.by_name(conn, workspace_id="T0PARLEY", name=name)
    assert found is not None and found.id == party.id
