"""What the periodic survey tests share: the complaint tests' parties (Globex Audit, a
customer with its shared channel and Greta; Initech, with its own channel and Ivan), and
helpers to run `/survey`, press Answer, submit the questionnaire and read the rows."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.sandbox.harness import Running
from bot.store.schema_surveys import survey_responses, survey_schedules, surveys
from tests import saying

QUESTIONS = ("Quality of service", "Responsiveness", "Attitude", "Communication", "Overall")


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/survey", text, user=user, channel=channel)


async def sent(app: Running, text: str = "send Globex Audit") -> str:
    """Send a survey; the ts of its post (delivered)."""
    answer = await run(app, text)
    assert "is posted in" in answer, answer
    await app.settle()
    return str(posts(app)[-1]["_ts"])


def posts(app: Running) -> list[dict[str, Any]]:
    """Every post of a periodic survey (its Answer button, first posted), with its ts."""
    found = []
    for c in app.slack.calls_to("chat.postMessage"):
        if (
            "survey_answer" in json.dumps(c.args.get("blocks"))
            and c.args.get("blocks", [{}])[0].get("type") == "header"
        ):
            found.append({**c.args, "_ts": c.response["ts"]})
    return found


def reminders(app: Running) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if str(c.args.get("text", "")).startswith("Reminder: Q-")
    ]


def updates(app: Running, ts: str) -> list[dict[str, Any]]:
    return [c.args for c in app.slack.calls_to("chat.update") if c.args.get("ts") == ts]


async def press_answer(
    app: Running, user: str, ts: str, channel: str = "C0GLOBEX", value: str | None = None
) -> Any:
    """Press Answer on the post at `ts`: the form opened (a dict), or what the presser was
    told ephemerally (a str)."""
    opened = len(app.slack.calls_to("views.open"))
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user, channel=channel, message_ts=ts, action_id="survey_answer", value=value
    )
    assert reply.status == 200
    await app.settle()
    views = app.slack.calls_to("views.open")
    if len(views) > opened:
        return dict(views[-1].response["view"])
    calls = app.slack.calls_to("response_url")
    assert len(calls) == answered + 1
    return json.dumps(calls[-1].args, ensure_ascii=False)


def choice(value: str) -> dict[str, Any]:
    """A select's state as Slack sends it, with any value (a forged one too)."""
    return {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


async def submit(
    app: Running,
    user: str,
    view: dict[str, Any],
    ratings: tuple[str, ...] = ("4", "5", "3", "4", "5"),
    comment: str = "",
) -> Any:
    values: dict[str, dict[str, Any]] = {
        f"q{i}": {"rating": choice(r)} for i, r in enumerate(ratings)
    }
    values["comment"] = {"comment_text": comment}
    reply = await app.driver.view_submission(user=user, view=view, values=values)
    await app.settle()
    return reply


async def rows(app: Running, table: sa.Table) -> list[Any]:
    async with app.store.read() as conn:
        return list((await conn.execute(sa.select(table).order_by(*table.primary_key))).all())


async def surveys_of(app: Running) -> list[Any]:
    return await rows(app, surveys)


async def responses(app: Running) -> list[Any]:
    return await rows(app, survey_responses)


async def schedules(app: Running) -> list[Any]:
    return await rows(app, survey_schedules)
