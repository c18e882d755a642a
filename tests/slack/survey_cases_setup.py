"""What the case survey tests share: the complaint tests' customers (Globex with a second
person, Gus), helpers to close a complaint, press a rating and read the surveys' rows."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.sandbox.harness import Running
from bot.sandbox.workspace import GLOBEX, User
from bot.store.schema_surveys import survey_cases, survey_invitations, survey_responses, surveys
from tests.slack.complaints_setup import opened, run

GUS = "U0GUS"


def add_gus(app: Running) -> None:
    """A second person of Globex in its shared channel."""
    ws = app.slack.workspace
    ws.add_user(User(GUS, GLOBEX, "gus", "Gus Holm", tz="Europe/Stockholm", display_name="gus"))
    ws.channels["C0GLOBEX"].members.append(GUS)


def thread_posts(app: Running, channel: str, root: str) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] == channel and c.args.get("thread_ts") == root
    ]


def survey_posts(app: Running) -> list[dict[str, Any]]:
    """Every post that carries a case survey's rating buttons, wherever it went."""
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if "survey_case_rate_1" in json.dumps(c.args.get("blocks"))
    ]


def ts_of(app: Running, args: dict[str, Any]) -> str:
    call = next(c for c in app.slack.calls_to("chat.postMessage") if c.args is args)
    return str(call.response["ts"])


async def rows(app: Running, table: sa.Table) -> list[Any]:
    async with app.store.read() as conn:
        return list((await conn.execute(sa.select(table))).all())


async def surveys_of(app: Running) -> list[Any]:
    return await rows(app, surveys)


async def decisions(app: Running) -> list[Any]:
    return await rows(app, survey_cases)


async def invitations(app: Running) -> list[Any]:
    return await rows(app, survey_invitations)


async def responses(app: Running) -> list[Any]:
    return await rows(app, survey_responses)


async def closed_by_yes(
    app: Running,
    number: int = 1,
    text: str = "open The monthly report is late again with <@U0GRETA|greta>",
) -> str:
    """C-`number`, Globex's, opened in its shared channel, resolved and confirmed by Greta;
    the card's ts (its thread)."""
    root = await opened(app, text, channel="C0GLOBEX")
    await run(app, f"resolve C-{number} Report resent with the fix")
    question = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == root and "complaint_resolved_yes" in json.dumps(c.args)
    ][-1]
    await app.driver.block_action(
        user="U0GRETA",
        channel="C0GLOBEX",
        message_ts=str(question.response["ts"]),
        action_id="complaint_resolved_yes",
    )
    await app.settle()
    return root


async def press(
    app: Running,
    user: str,
    ts: str,
    rating: int,
    value: str | None = None,
    channel: str = "C0GLOBEX",
) -> str:
    """Press a rating on the survey at `ts`; what Parley answered that person (ephemerally)."""
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user,
        channel=channel,
        message_ts=ts,
        action_id=f"survey_case_rate_{rating}",
        value=value,
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("response_url")
    assert len(calls) == answered + 1
    return json.dumps(calls[-1].args, ensure_ascii=False)
