"""/praise and "Record as praise" end to end: P-n recorded with who praised, whom, what and
the party; posted in the internal praise channel only; each praised person thanked by DM in
their own language; the list; and every refusal leaving the data as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import ParleyConfig, parse_config
from bot.domain.praise import Praise
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import Channel, User
from bot.store import praise as praise_repo
from bot.workflows.export import ExportKind, export_document, to_csv
from tests import saying
from tests.conftest import COMPANY_CONFIG, START, snapshot

PRAISE_CHANNEL = "C0PRAISE"
CONFIG = (
    COMPANY_CONFIG.replace(
        'legal = "C0LEGAL"\n', f'legal = "C0LEGAL"\npraise = "{PRAISE_CHANNEL}"\n'
    )
    + """
[parties."Initech"]
kind = "customer"
slack_team = "T0INITECH"
"""
)


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(CONFIG, Path("tests/company.toml"))


@pytest.fixture(autouse=True)
def channels(slack: SlackStandIn) -> None:
    """Northwind's internal praise channel, and a channel shared with Initech (a customer)."""
    ws = slack.workspace
    ws.add_channel(Channel(PRAISE_CHANNEL, "praise", members=["U0ALICE", "U0PARLEY"]))
    ws.add_channel(
        Channel(
            "C0INITECH",
            "initech-shared",
            members=["U0ALICE", "U0IVAN", "U0PARLEY"],
            is_ext_shared=True,
            shared_team_ids=["T0PARLEY", "T0INITECH"],
        )
    )


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/praise", text, user=user, channel=channel, raw=True)


async def p(app: Running, number: int = 1) -> Praise:
    async with app.store.read() as conn:
        found = await praise_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


def posts(app: Running, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if c.ok and (channel is None or c.args["channel"] == channel)
    ]


def dms(app: Running) -> list[dict[str, Any]]:
    return [a for a in posts(app) if str(a["channel"]).startswith("D")]


async def test_praise_is_recorded_posted_in_the_praise_channel_and_thanked_by_dm(
    app: Running,
) -> None:
    answer = await run(app, "<@U0BOB|bob> fixed the VPN within an hour")
    assert "P-1 is recorded" in answer and "<#C0PRAISE>" in answer
    p1 = await p(app)
    assert (p1.praiser_id, p1.praiser_internal, p1.party, p1.praised) == (
        "U0ALICE",
        True,
        None,
        ("U0BOB",),
    )
    assert p1.text == "fixed the VPN within an hour" and p1.at == app.clock.now()
    (post,) = posts(app, PRAISE_CHANNEL)
    assert "*P-1* · <@U0BOB>, praised by <@U0ALICE>" in post["text"]
    assert "fixed the VPN within an hour" in json.dumps(post["blocks"])
    assert p1.posted_channel == PRAISE_CHANNEL and p1.posted_ts is not None
    (thanks,) = dms(app)
    assert app.slack.workspace.channels[thanks["channel"]].im_user == "U0BOB"
    assert "You were praised by <@U0ALICE>: fixed the VPN within an hour" in thanks["text"]


async def test_praise_from_an_outside_person_names_their_party_and_is_shown_as_text(
    app: Running,
) -> None:
    typed = "sorted the outage &lt;!channel&gt; <!here> <https://x.example|label>"
    answer = await run(app, f"<@U0BOB|bob>, <@U0CAROL|carol> {typed} from <@U0IVAN|ivan>")
    assert "P-1 is recorded" in answer
    p1 = await p(app)
    assert (p1.praiser_id, p1.praiser_internal, p1.praised) == (
        "U0IVAN",
        False,
        ("U0BOB", "U0CAROL"),
    )
    assert p1.party is not None and p1.party.name == "Initech"
    assert p1.text == "sorted the outage <!channel> @here label (https://x.example)"
    (post,) = posts(app, PRAISE_CHANNEL)
    content = json.dumps(post["blocks"]) + post["text"]
    assert "<!channel>" not in content and "<https://x.example|label>" not in content
    assert "&lt;!channel&gt; @here label (https://x.example)" in content
    assert "praised by <@U0IVAN> (Initech)" in post["text"]
    assert {a["channel"] for a in dms(app)} == {
        c.id for c in app.slack.workspace.channels.values() if c.im_user in ("U0BOB", "U0CAROL")
    }
    assert not posts(app, "C0INITECH")  # never in a shared channel


async def test_an_insiders_praise_in_a_customers_shared_channel_is_that_customers(
    app: Running,
) -> None:
    await run(app, "<@U0BOB|bob> great handover", channel="C0INITECH")
    p1 = await p(app)
    assert p1.party is not None and p1.party.name == "Initech" and p1.praiser_internal
    await run(app, "<@U0BOB|bob> great handover", channel="C0ACME")  # a supplier's channel
    assert (await p(app, 2)).party is None
    assert not posts(app, "C0INITECH") and not posts(app, "C0ACME")
    assert len(posts(app, PRAISE_CHANNEL)) == 2
    # another customer's praise relayed in a supplier's channel: recorded, and said so there
    answer = await run(app, "<@U0BOB|bob> great from <@U0IVAN|ivan>", channel="C0ACME")
    assert "P-3 is recorded" in answer and "Initech" not in answer
    assert (await p(app, 3)).party is not None


async def test_the_thanks_is_in_the_praised_persons_language(app: Running) -> None:
    app.slack.workspace.users["U0BOB"].locale = "zh-CN"
    await run(app, "<@U0BOB|bob> 一小时内修好了 VPN from <@U0IVAN|ivan>")
    (thanks,) = dms(app)
    assert "你受到了 <@U0IVAN>（Initech）的表扬：一小时内修好了 VPN" in thanks["text"]
    (post,) = posts(app, PRAISE_CHANNEL)
    assert "praised by <@U0IVAN> (Initech)" in post["text"]  # the channel's language


async def test_without_a_praise_channel_it_is_recorded_and_says_it_was_not_posted(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    bare = parse_config(COMPANY_CONFIG, Path("tests/company.toml"))
    async with running_parley(
        database_url=sqlite_url, config=bare, start=START, slack=slack
    ) as app:
        answer = await run(app, "<@U0BOB|bob> fixed the VPN")
        assert "P-1 is recorded, but not posted: no praise channel is set" in answer
        assert (await p(app)).text == "fixed the VPN"
        assert [a["channel"] for a in posts(app)] == [a["channel"] for a in dms(app)]
        assert len(dms(app)) == 1


async def test_a_praise_channel_that_is_shared_is_never_posted_in(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    shared = parse_config(
        COMPANY_CONFIG.replace('legal = "C0LEGAL"\n', 'legal = "C0LEGAL"\npraise = "C0ACME"\n'),
        Path("tests/company.toml"),
    )
    async with running_parley(
        database_url=sqlite_url, config=shared, start=START, slack=slack
    ) as app:
        await run(app, "<@U0BOB|bob> fixed the VPN")
        assert not posts(app, "C0ACME")
        assert (await p(app)).posted_ts is None


BAD = [
    ("fixed the VPN", "Who is praised? Mention them first"),
    ("<@U0BOB|bob>", "What did they do?"),
    ("<@U0BOB|bob> \u200b\u202e\u2066", "What did they do?"),
    ("<@U0BOB|bob> " + "x" * 5000, "The praise is 5,000 characters long; keep it to 3,000."),
    ("<@U0PARLEY|parley> thanks", "is a bot: praise people"),
    ("<@U0RAJ|raj> quick fix", "is of another organisation"),
    ("<@U0ALICE|alice> I was great", "cannot praise themselves"),
    ("<@U0BOB|bob> great from <@U0BOB|bob>", "cannot praise themselves"),
    ("<@U0NOBODY|ghost> great", "I can't find"),
    ("@nobody great", "I can't find"),
    ("<@U0BOB|bob> great from @nobody", "I can't find"),
    (" ".join(f"<@U0X{i}|x>" for i in range(25)) + " great", "I can't find"),
]


@pytest.mark.parametrize(("text", "words"), BAD)
async def test_bad_input_is_refused_clearly_and_changes_nothing(
    app: Running, text: str, words: str
) -> None:
    before = await snapshot(app.store)
    answer = await run(app, text)
    assert words in answer
    assert await snapshot(app.store) == before
    assert posts(app) == []


async def test_too_many_people_are_refused(app: Running) -> None:
    for i in range(21):
        app.slack.workspace.add_user(
            User(f"U0P{i:02d}", "T0PARLEY", f"p{i}", f"Person {i}", tz="Asia/Shanghai")
        )
    before = await snapshot(app.store)
    answer = await run(app, " ".join(f"<@U0P{i:02d}|p{i}>" for i in range(21)) + " great")
    assert "That is 21 people; praise at most 20 at a time" in answer
    assert await snapshot(app.store) == before


@pytest.mark.parametrize("channel", ["C0ACME", "DM"])
@pytest.mark.parametrize("text", ["<@U0BOB|bob> great", "list", ""])
async def test_an_outsider_can_use_neither_praise_nor_its_list(
    app: Running, channel: str, text: str
) -> None:
    if channel == "DM":
        channel = app.slack.workspace.open_dm("U0RAJ").id
    before = await snapshot(app.store)
    answer = await run(app, text, user="U0RAJ", channel=channel)
    if text:
        assert "Only members of the workspace that runs Parley can use /praise" in answer
    else:
        assert "How to use /praise" in answer
    assert await snapshot(app.store) == before
    assert posts(app) == []


async def test_the_list_is_newest_first_by_person_and_by_party(app: Running) -> None:
    await run(app, "<@U0BOB|bob> first")
    await run(app, "<@U0CAROL|carol> second from <@U0IVAN|ivan>")
    await run(app, "<@U0BOB|bob> third &lt;!channel&gt;")
    everything = await run(app, "list")
    assert "Praise (3)" in everything
    assert everything.index("P-3") < everything.index("P-2") < everything.index("P-1")
    assert "&lt;!channel&gt;" in everything and "<!channel>" not in everything
    bobs = await run(app, "list <@U0BOB|bob>")
    assert "P-3" in bobs and "P-1" in bobs and "P-2" not in bobs
    initech = await run(app, "list initech")
    assert "Praise from Initech (1)" in initech and "P-2" in initech
    assert "I don't know a party called Nowhere" in await run(app, "list Nowhere")
    carols = await run(app, "list <@U0CAROL|carol>")
    assert "Praise of <@U0CAROL> (1)" in carols and "P-2" in carols
    assert "No praise of <@U0PARLEY> yet." in await run(app, "list <@U0PARLEY|parley>")
    refused = await run(app, "list", channel="C0INITECH")  # praise is internal
    assert "P-1" not in refused and "Ask me in an internal channel" in refused


async def test_usage_for_help_and_nothing(app: Running) -> None:
    for text in ("", "help"):
        assert "/praise @person" in await run(app, text)


# --- the message shortcut -------------------------------------------------------------------


async def test_record_as_praise_opens_the_form_from_the_message_and_records_it(
    app: Running,
) -> None:
    message, _ = await app.driver.message(
        "U0IVAN", "C0INITECH", "Huge thanks to <@U0BOB> for the quick fix <!channel>"
    )
    reply = await app.driver.message_shortcut(
        callback_id="record_praise", user="U0ALICE", channel="C0INITECH", message_ts=message.ts
    )
    assert reply.status == 200
    await app.settle()
    view = app.slack.calls_to("views.open")[-1].args["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["praised"]["element"]["initial_users"] == ["U0BOB"]
    assert blocks["praiser"]["element"]["initial_user"] == "U0IVAN"
    text = blocks["text"]["element"]["initial_value"]
    assert text.startswith("Huge thanks to")
    values = {
        "praised": {"people": ["U0BOB"]},
        "praiser": {"person": "U0IVAN"},
        "text": {"value": text},
    }
    done = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert done.status == 200 and done.text in ("", "null", "{}"), done.text
    await app.settle()
    p1 = await p(app)
    assert p1.source.value == "message" and p1.praiser_id == "U0IVAN"
    assert p1.party is not None and p1.party.name == "Initech"
    (post,) = posts(app, PRAISE_CHANNEL)
    assert "<!channel>" not in json.dumps(post["blocks"])


async def test_the_form_shows_each_refusal_on_its_field_and_records_nothing(
    app: Running,
) -> None:
    message, _ = await app.driver.message("U0CAROL", "C0DESK", "nice work")
    await app.driver.message_shortcut(
        callback_id="record_praise", user="U0ALICE", channel="C0DESK", message_ts=message.ts
    )
    await app.settle()
    view = app.slack.calls_to("views.open")[-1].args["view"]
    assert (
        "initial_user"
        not in next(b for b in view["blocks"] if b.get("block_id") == "praiser")["element"]
    )  # an insider's message: the praise is whoever records it
    before = await snapshot(app.store)
    for values, block, words in (
        ({"praised": {"people": []}, "text": {"value": "ok"}}, "praised", "Who is praised?"),
        ({"praised": {"people": ["U0RAJ"]}, "text": {"value": "ok"}}, "praised", "organisation"),
        ({"praised": {"people": ["U0BOB"]}, "text": {"value": " "}}, "text", "What did they do?"),
    ):
        reply = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
        assert reply.json["response_action"] == "errors", reply.text
        assert words in reply.json["errors"][block]
    assert await snapshot(app.store) == before


async def test_an_outsider_cannot_run_the_shortcut(app: Running) -> None:
    message, _ = await app.driver.message("U0RAJ", "C0ACME", "thanks <@U0ALICE>")
    opened = len(app.slack.calls_to("views.open"))
    await app.driver.message_shortcut(
        callback_id="record_praise", user="U0RAJ", channel="C0ACME", message_ts=message.ts
    )
    await app.settle()
    assert len(app.slack.calls_to("views.open")) == opened


async def test_the_export_has_praise_in_json_and_csv(app: Running) -> None:
    await run(app, "<@U0BOB|bob> <@U0CAROL|carol> fixed it from <@U0IVAN|ivan>")
    document = await export_document(app.store)
    (row,) = document["praise"]
    assert row == {
        "id": "P-1",
        "at": "2026-11-23T02:00:00Z",
        "party": "Initech",
        "praiser": "U0IVAN",
        "praiser_internal": False,
        "praised": ["U0BOB", "U0CAROL"],
        "text": "fixed it",
        "recorded_by": "U0ALICE",
        "channel": "C0DESK",
        "source": "command",
    }
    table = to_csv(document, ExportKind.PRAISE).splitlines()
    assert table[0].startswith("id,at,party,praiser")
    assert table[1].startswith("P-1,2026-11-23T02:00:00Z,Initech,U0IVAN,False,U0BOB; U0CAROL")


async def test_a_chinese_reader_is_answered_in_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    answer = await run(app, "<@U0BOB|bob> 一小时内修好了 VPN")
    assert "P-1 已记录。它将发布到 <#C0PRAISE>，并通过私信感谢 <@U0BOB>。" in answer
    assert "表扬谁？请先提及他们" in await run(app, "修好了 VPN")
    (post,) = posts(app, PRAISE_CHANNEL)
    assert "praised by <@U0ALICE>" in post["text"]  # the channel's language, not Alice's


async def test_the_list_is_bounded_with_the_total(app: Running) -> None:
    for i in range(27):
        await app.driver.command(
            "/praise", f"<@U0BOB|bob> help #{i}", user="U0ALICE", channel="C0DESK"
        )
    await app.settle()
    listed = await run(app, "list")
    assert "Praise (27)" in listed and "and 2 more, older" in listed
    assert "*P-27*" in listed and "*P-3*" in listed and "*P-2*" not in listed
