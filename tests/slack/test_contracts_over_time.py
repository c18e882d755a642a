"""Contracts over time with the fake clock: the owner's renewal DM at 90, 30 and 7 days before
the end, once each across ticks and restarts, in the owner's language; and a party's first
reply marked late on the record (and in the export) against its contract's response time,
counted in wall time for 24x7 and in office hours of working days for 5x8."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import ParleyConfig, parse_config
from bot.domain.disputes import TimelineEvent
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows.export import export_document
from tests.conftest import START
from tests.slack.contracts_setup import contracts_config


def config_of(**kwargs: Any) -> ParleyConfig:
    return parse_config(contracts_config(**kwargs), Path("tests/company.toml"))


def dms_to(app: Running, user: str) -> list[dict[str, Any]]:
    channels = app.slack.workspace.channels
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if c.ok
        and str(c.args["channel"]).startswith("D")
        and channels[c.args["channel"]].im_user == user
    ]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


def shanghai(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h - 8, minute, tzinfo=UTC)


async def test_renewal_dms_at_90_30_and_7_days_once_each_across_restarts(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    config = config_of()  # Acme's contract ends Wed 31 Mar 2027; Carol owns it
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as first:
        await first.parley.tick()
        await first.settle()
        assert dms_to(first, "U0CAROL") == []  # 128 days left
        await tick_at(first, shanghai(2026, 12, 30, 10))  # 91 days left
        assert dms_to(first, "U0CAROL") == []
        await tick_at(first, shanghai(2026, 12, 31, 10))  # 90 days left
        await tick_at(first, shanghai(2026, 12, 31, 11))
        (told,) = dms_to(first, "U0CAROL")
        assert told["text"] == (
            ":spiral_calendar_pad: The support contract `ACME-2026-07` with *Acme Networks* ends "
            "in 90 days, on Wed 31 Mar 2027. Renew or renegotiate it in time."
        )
    # Down for a week in January: nothing new is owed, nothing is said again.
    async with running_parley(
        database_url=sqlite_url, config=config, start=shanghai(2027, 1, 8, 10), slack=slack
    ) as second:
        await second.parley.tick()
        await second.settle()
        assert len(dms_to(second, "U0CAROL")) == 1
        await tick_at(second, shanghai(2027, 3, 1, 10))  # 30 days left
        assert len(dms_to(second, "U0CAROL")) == 2
        assert "ends in 30 days" in dms_to(second, "U0CAROL")[-1]["text"]
    # Chinese for Carol from now on; the 7-day DM falls due while Parley is down.
    slack.workspace.users["U0CAROL"].locale = "zh-CN"
    async with running_parley(
        database_url=sqlite_url, config=config, start=shanghai(2027, 3, 26, 10), slack=slack
    ) as third:
        await third.parley.tick()
        await third.parley.tick()
        await third.settle()
        told = dms_to(third, "U0CAROL")
        assert len(told) == 3
        assert told[-1]["text"].startswith(
            ":spiral_calendar_pad: 与 *Acme Networks* 的支持合同 `ACME-2026-07` 将在 7 天后"
        )
        await tick_at(third, shanghai(2027, 3, 31, 16))
        await tick_at(third, shanghai(2027, 4, 2, 10))  # ended: nothing more
        assert len(dms_to(third, "U0CAROL")) == 3
        assert dms_to(third, "U0BOB") == []  # DBCo's contract ends in 2028


async def open_d1(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def events(app: Running) -> list[TimelineEvent]:
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        return await timeline_repo.events(conn, dispute_id=d1.id)


def late(found: list[TimelineEvent]) -> list[tuple[str | None, str | None]]:
    return [(e.party, e.text) for e in found if e.kind == "first_reply_late"]


async def reply_at(app: Running, root: str, when: datetime, text: str = "On it") -> None:
    app.clock.set(when)
    await app.driver.message("U0RAJ", "C0ACME", text, thread_ts=root)
    await app.settle()


async def test_24x7_a_first_reply_after_two_hours_is_marked_late(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=START, slack=slack
    ) as app:
        root = await open_d1(app)  # Mon 23 Nov, 10:00 Shanghai
        await reply_at(app, root, START + timedelta(hours=2, minutes=1))
        await reply_at(app, root, START + timedelta(hours=5), "A second reply")
        found = await events(app)
        assert late(found) == [("Acme Networks", "ACME-2026-07 · 2 h · 24x7")]
        kinds = [e.kind for e in found]
        assert kinds.index("first_reply_late") == kinds.index("reply") + 1
        document = await export_document(app.store)
        exported = [
            e for e in document["disputes"][0]["timeline"] if e["kind"] == "first_reply_late"
        ]
        assert len(exported) == 1
        assert exported[0]["party"] == "Acme Networks"
        assert exported[0]["text"] == "ACME-2026-07 · 2 h · 24x7"


async def test_24x7_a_first_reply_within_two_hours_is_not(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=START, slack=slack
    ) as app:
        root = await open_d1(app)
        await reply_at(app, root, START + timedelta(hours=2))
        assert late(await events(app)) == []


async def test_5x8_counts_office_hours_across_a_weekend(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    friday = shanghai(2026, 11, 27, 16)  # 1 office hour left on Friday; 1 more on Monday
    async with running_parley(
        database_url=sqlite_url, config=config_of(acme_hours="5x8"), start=friday, slack=slack
    ) as app:
        root = await open_d1(app)
        # Monday 09:59: 66 hours of wall time, but within 2 office hours.
        await reply_at(app, root, shanghai(2026, 11, 30, 9, 59))
        assert late(await events(app)) == []


async def test_5x8_late_after_a_holiday_and_a_weekend(slack: SlackStandIn, sqlite_url: str) -> None:
    # Thu 31 Dec 16:00; Fri 1 Jan 2027 is New Year's Day in China, then the weekend: the
    # second office hour is Mon 4 Jan 09:00-10:00.
    thursday = shanghai(2026, 12, 31, 16)
    config = config_of(acme_hours="5x8", acme_ends=date(2028, 1, 1))
    async with running_parley(
        database_url=sqlite_url, config=config, start=thursday, slack=slack
    ) as app:
        root = await open_d1(app)
        await reply_at(app, root, shanghai(2027, 1, 4, 10, 1))
        assert late(await events(app)) == [("Acme Networks", "ACME-2026-07 · 2 h · 5x8")]


async def test_a_party_without_a_contract_is_never_late(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=START, slack=slack
    ) as app:
        await app.driver.command(
            "/dispute",
            "open Audit findings with <@U0GRETA|greta>",
            user="U0ALICE",
            channel="C0GLOBEX",
        )
        await app.settle()
        root = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
        app.clock.set(START + timedelta(days=3))
        await app.driver.message("U0GRETA", "C0GLOBEX", "Seen", thread_ts=root)
        await app.settle()
        found = await events(app)
        assert [e.kind for e in found if e.kind == "reply"] == ["reply"]
        assert late(found) == []
        assert json.dumps([e.kind for e in found]).count("first_reply_late") == 0


async def test_export_kind_contracts(slack: SlackStandIn, sqlite_url: str) -> None:
    from bot.workflows.export import ExportKind, write_export

    config = config_of()
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as app:
        root = await open_d1(app)
        await reply_at(app, root, START + timedelta(hours=3))
        document = await export_document(app.store, config)
        acme, dbco = document["contracts"]
        assert acme["reference"] == "ACME-2026-07"
        assert acme["support_hours"] == "24x7" and acme["valid_until"] == "2027-03-31"
        assert acme["underpins"] == ["ERP for Contoso"]
        assert acme["short_terms"] == []
        assert acme["late_first_replies"] == [
            {"dispute": "D-1", "at": "2026-11-23T05:00:00Z", "text": "ACME-2026-07 · 2 h · 24x7"}
        ]
        assert dbco["short_terms"][0] == {
            "service": "ERP for Contoso",
            "term": "response_hours",
            "contract": 4.0,
            "sla": 4.0,
            "needed": 3.2,
        }
        assert dbco["late_first_replies"] == []
        written: list[str] = []
        await write_export(
            app.store, written.append, fmt="csv", kind=ExportKind.CONTRACTS, config=config
        )
        header, first, second = "".join(written).strip().splitlines()
        assert header == (
            "party,reference,owner,response_hours,resolution_hours,availability,support_hours,"
            "valid_until,underpins,short_terms,late_first_replies"
        )
        assert first == (
            "Acme Networks,ACME-2026-07,U0CAROL,2.0,12.0,99.9,24x7,2027-03-31,ERP for Contoso,,D-1"
        )
        assert second.startswith("DBCo Database Services,DBCO-DRAFT-1,U0BOB,4.0,24.0,99.5,5x8,")
        assert "ERP for Contoso: response_hours 4.0/4.0 (needed 3.2)" in second
        streamed: list[str] = []
        await write_export(app.store, streamed.append, fmt="json", kind=None, config=config)
        assert json.loads("".join(streamed)) == document


async def test_card_and_show_name_the_suppliers_contract_terms(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    terms = (
        ":page_facing_up: Acme Networks: contract `ACME-2026-07`, response 2 h, "
        "resolution 12 h (24x7)"
    )
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=START, slack=slack
    ) as app:
        root = await open_d1(app)
        card = app.slack.calls_to("chat.postMessage")[-1].args
        assert card["channel"] == "C0ACME"  # Acme's own channel sees Acme's own terms
        assert terms in json.dumps(card["blocks"], ensure_ascii=False)
        await reply_at(app, root, START + timedelta(hours=3))
        reply = await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK")
        assert isinstance(reply.json, dict)
        shown = json.dumps(reply.json["blocks"], ensure_ascii=False)
        assert terms in shown
        assert "replied first later than their contract's response time" in shown
        # Globex's channel, on a dispute with both: Acme's contract is not Globex's business.
        await app.driver.command(
            "/dispute",
            "open Audit of the outage with <@U0RAJ|raj> <@U0GRETA|greta>",
            user="U0ALICE",
            channel="C0GLOBEX",
        )
        await app.settle()
        globex = app.slack.calls_to("chat.postMessage")[-1].args
        assert globex["channel"] == "C0GLOBEX"
        assert "ACME-2026-07" not in json.dumps(globex["blocks"], ensure_ascii=False)
        app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
        app.parley.deps.directory.forget_person("U0ALICE")  # type: ignore[union-attr]
        reply = await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK")
        assert isinstance(reply.json, dict)
        assert (
            ":page_facing_up: Acme Networks：合同 `ACME-2026-07`，响应 2 小时，解决 12 小时（7×24 小时）"
            in json.dumps(reply.json["blocks"], ensure_ascii=False)
        )


async def test_the_internal_digest_lists_contracts_ending_within_30_days(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    config = config_of(acme_ends=date(2026, 12, 20))  # 27 days after START
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as app:

        async def digest(channel: str) -> str:
            reply = await app.driver.command("/digest", "now", user="U0ALICE", channel=channel)
            assert reply.status == 200
            await app.settle()
            posted = [
                c.args
                for c in app.slack.calls_to("chat.postMessage")
                if c.ok and c.args["channel"] == channel
            ]
            return json.dumps(posted[-1]["blocks"], ensure_ascii=False) if posted else ""

        internal = await digest("C0DESK")
        assert "*Support contracts ending within 30 days* (1)" in internal
        assert "ACME-2026-07" in internal and "valid until" in internal
        ending = internal.split("*Support contracts ending within 30 days*")[1]
        ending = ending.split("Contracts short of the SLA")[0]
        assert "DBCO-DRAFT-1" not in ending  # ends in 2028 (it is listed as short, below)
        shared = await digest("C0ACME")
        assert "ACME-2026-07" not in shared  # contracts are internal lines


async def test_the_owner_sees_the_short_contract_on_their_home_and_in_the_digest(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=START, slack=slack
    ) as app:

        async def home(user: str) -> str:
            before = len(app.slack.calls_to("views.publish"))
            reply = await app.driver.home_opened(user)
            assert reply.status == 200
            await app.settle()
            (call,) = app.slack.calls_to("views.publish")[before:]
            return json.dumps(call.args["view"]["blocks"], ensure_ascii=False)

        bobs = await home("U0BOB")  # Bob owns DBCo's draft
        assert "*Your contracts short of the SLA they underpin* (1)" in bobs
        assert "*DBCO-DRAFT-1* ERP for Contoso" in bobs
        assert "DBCO-DRAFT-1" not in await home("U0CAROL")  # Carol owns Acme's, which is fine
        app.slack.workspace.users["U0BOB"].locale = "zh-CN"
        app.parley.deps.directory.forget_person("U0BOB")  # type: ignore[union-attr]
        assert "*你负责的、不达所支撑 SLA 的合同* (1)" in await home("U0BOB")
        reply = await app.driver.command("/digest", "now", user="U0ALICE", channel="C0DESK")
        assert reply.status == 200
        await app.settle()
        (posted,) = [
            c.args
            for c in app.slack.calls_to("chat.postMessage")
            if c.ok and c.args["channel"] == "C0DESK"
        ]
        internal = json.dumps(posted["blocks"], ensure_ascii=False)
        assert "*Contracts short of the SLA they underpin* (1)" in internal
        assert "`/contract check`" in internal or "DBCO-DRAFT-1" in internal


async def test_a_renewed_contract_is_told_again_for_its_new_end(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config_of(), start=shanghai(2026, 12, 31, 10), slack=slack
    ) as first:
        await first.parley.tick()
        await first.settle()
        assert len(dms_to(first, "U0CAROL")) == 1  # 90 days before 31 Mar 2027
    renewed = config_of(acme_ends=date(2027, 6, 29))
    async with running_parley(
        database_url=sqlite_url, config=renewed, start=shanghai(2027, 3, 31, 10), slack=slack
    ) as second:
        await second.parley.tick()
        await second.settle()
        told = dms_to(second, "U0CAROL")
        assert len(told) == 2  # 90 days before the new end, 29 Jun 2027
        assert "ends in 90 days, on Tue 29 Jun 2027" in told[-1]["text"]
