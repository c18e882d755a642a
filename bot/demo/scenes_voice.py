"""The demo's scenes of the customer's voice: praise for an engineer, and a value-added
service logged with one of its four checks answered "no"."""

from __future__ import annotations

import json
from typing import Any

from bot.commands.words.language import Languages
from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.sandbox.workspace import Channel, Team, User
from bot.store import praise as praise_repo
from bot.store import valueadds as valueadds_repo

PRAISE_CHANNEL = "C0PRAISE"
CONTOSO_SHARED = "C0CONTOSO"
CONTOSO = "T0CONTOSO"
CLAIRE = "U0CLAIRE"


def _customer(s: Session) -> None:
    """Contoso Retail, a customer, joins by Slack Connect: Claire speaks for it in a shared
    channel; and the internal #praise channel."""
    ws = s.running.slack.workspace
    if ws.team(CONTOSO) is None:
        ws.add_team(Team(CONTOSO, "Contoso Retail", "contoso"))
        claire = User(CLAIRE, CONTOSO, "claire", "Claire Dubois", tz="Europe/Paris")
        claire.display_name = "claire"
        ws.add_user(claire)
    if ws.channel(PRAISE_CHANNEL) is None:
        ws.add_channel(Channel(PRAISE_CHANNEL, "praise", members=["U0ALICE", "U0BOB", "U0PARLEY"]))
    if ws.channel(CONTOSO_SHARED) is None:
        ws.add_channel(
            Channel(
                CONTOSO_SHARED,
                "contoso-shared",
                members=["U0ALICE", CLAIRE, "U0PARLEY"],
                is_ext_shared=True,
                shared_team_ids=["T0PARLEY", CONTOSO],
                purpose="Northwind <> Contoso Retail",
            )
        )


async def scene_praise(s: Session) -> None:
    _customer(s)
    slack = s.running.slack
    deps = s.running.parley.deps
    assert deps is not None
    # Bob reads Slack in Chinese: his thanks comes in his own language, whatever the run's.
    bob = slack.workspace.users["U0BOB"]
    before, bob.locale = bob.locale, "zh-CN"
    deps.directory.forget_person("U0BOB")
    words = "Thanks to <@U0BOB> for bringing our tills back before the shops opened!"
    message, _ = await s.running.driver.message(CLAIRE, CONTOSO_SHARED, words)
    s.say(f"#contoso-shared  @claire › {words.replace('<@U0BOB>', '@bob')}")
    await s.shortcut("U0ALICE", CONTOSO_SHARED, message.ts, "record_praise", N_("Record as praise"))
    form = slack.calls_to("views.open")[-1].args["view"]
    blocks = {b.get("block_id"): b for b in form["blocks"]}
    s.check(
        blocks["praised"]["element"].get("initial_users") == ["U0BOB"]
        and blocks["praiser"]["element"].get("initial_user") == CLAIRE,
        N_("the form names Bob as praised and Claire of Contoso as who praised him"),
    )
    text = str(blocks["text"]["element"].get("initial_value") or "")
    values: dict[str, dict[str, Any]] = {
        "praised": {"people": ["U0BOB"]},
        "praiser": {"person": CLAIRE},
        "text": {"value": text},
    }
    mark = len(slack.calls)
    await s.submit("U0ALICE", values, text)
    async with s.running.store.read() as conn:
        p1 = await praise_repo.get(conn, workspace_id="T0PARLEY", number=1)
    s.check(
        p1 is not None and p1.party is not None and p1.party.name == "Contoso Retail",
        N_("P-1 is recorded: Bob, praised by Claire, from the customer Contoso Retail"),
    )
    posted = [c.args for c in slack.calls[mark:] if c.method == "chat.postMessage" and c.ok]
    s.check(
        any(a["channel"] == PRAISE_CHANNEL and "P-1" in a["text"] for a in posted)
        and not any(a["channel"] == CONTOSO_SHARED and "P-1" in a["text"] for a in posted),
        N_("it is posted in #praise, and never in Contoso's shared channel"),
    )
    chinese = Languages()["zh-CN"]
    thanks = [
        a
        for a in posted
        if str(a["channel"]).startswith("D")
        and slack.workspace.channels[a["channel"]].im_user == "U0BOB"
    ]
    expected = chinese._(":sparkles: You were praised by {praiser} ({party}): {text}")
    s.check(
        len(thanks) == 1 and expected.split("{praiser}")[0] in thanks[0]["text"],
        N_("Bob is thanked by DM with Claire's words, in Chinese, his Slack language"),
    )
    bob.locale = before
    deps.directory.forget_person("U0BOB")
    listed = await s.command("U0ALICE", "C0DESK", "/praise", "list <@U0BOB|bob>")
    s.check("P-1" in reply_text(listed), N_("/praise list shows Bob's praise"))


async def scene_valueadd(s: Session) -> None:
    _customer(s)
    slack = s.running.slack
    reply = await s.command(
        "U0ALICE",
        "C0DESK",
        "/valueadd",
        "log Contoso Retail Offline mode for the till app cost 2,400 hours 16",
    )
    answer = reply.json if isinstance(reply.json, dict) else {}
    s.check(
        s.t("{ref} is logged.", ref="V-1") in reply_text(reply),
        N_("V-1 is logged for Contoso Retail, its four checks still to answer"),
    )
    ts = slack.show_answer("C0DESK", "U0ALICE", answer) if answer else ""
    await s.press("U0ALICE", "C0DESK", ts, "valueadd_checks", N_("Answer the four checks"))
    values = {
        "party": {
            "party": _option(slack.calls_to("views.open")[-1].args["view"], "Contoso Retail")
        },
        "what": {"value": "Offline mode for the till app"},
        "when": {"date": _today(s)},
        "cost": {"value": "2400"},
        "hours": {"value": "16"},
        "keeps_agreed_services": {"answer": "yes"},
        "fits_real_need": {"answer": "yes"},
        "cost_within_accepted": {"answer": "no"},
        "can_build_on": {"answer": "yes"},
    }
    await s.submit("U0ALICE", values, s.t(N_("yes, yes, no (it cost more than accepted), yes")))
    async with s.running.store.read() as conn:
        v1 = await valueadds_repo.get(conn, workspace_id="T0PARLEY", number=1)
    s.check(
        v1 is not None and v1.checks.answered and v1.checks.cost_within_accepted is False,
        N_("the four checks are on record, the cost's with a no"),
    )
    dm = [c.args for c in slack.calls_to("chat.postMessage") if c.ok][-1]
    s.check(
        s.t(":x: *no*: {check}", check=s.t("cost within what was accepted"))
        in json.dumps(dm.get("blocks"), ensure_ascii=False),
        N_("the no is shown on the record Alice gets by DM"),
    )
    listed = await s.command("U0ALICE", "C0DESK", "/valueadd", "list")
    s.check(
        s.says_n(reply_text(listed), "{n} no", "{n} noes", 1),
        N_("/valueadd list shows V-1 with its one no"),
    )


def _today(s: Session) -> str:
    zone = s.running.parley.config.calendar.zone
    return s.running.clock.now().astimezone(zone).date().isoformat()


def _option(view: dict[str, object], name: str) -> str:
    for block in view.get("blocks") or []:  # type: ignore[attr-defined]
        if block.get("block_id") == "party":
            for option in block["element"]["options"]:
                if option["text"]["text"] == name:
                    return str(option["value"])
    return ""
