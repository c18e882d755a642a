"""`parley serve`'s logs as a log pipeline reads them: JSON a line, no token, nobody's words."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

import pytest

from bot import __version__
from bot.logs import JsonFormatter, redact
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from tests.ops.test_serve import SECRET, serve_process

TOKEN_LOOKING = "xoxb-9999-8888-LEAKEDtokenValue"
WORDS = ("Marmalade", "quarterly", "ceasefire", "pineapple", "Zanzibar")


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_json_logs_carry_fields_and_never_a_token_or_anybody_s_words(
    slack: SlackStandIn, tmp_path: Path, level: str
) -> None:
    db = f"sqlite:///{tmp_path}/logs.db"
    settings = {"PARLEY_LOG_FORMAT": "json", "PARLEY_LOG_LEVEL": level}
    async with serve_process(slack, tmp_path, db, **settings) as (process, port):
        assert process.stderr is not None
        # Read while it runs: a DEBUG run says more than the pipe and the stream buffer hold,
        # and a server blocked writing its log answers nothing.
        logged = asyncio.create_task(process.stderr.read())
        url = f"http://127.0.0.1:{port}/slack/events"
        async with SlackDriver(url, SECRET, slack) as driver:
            opened = await driver.command(
                "/dispute",
                f"open Marmalade invoice {TOKEN_LOOKING} with <@U0RAJ|raj>",
                user="U0ALICE",
                channel="C0DESK",
            )
            assert opened.status == 200
            await asyncio.sleep(1.0)  # the card is posted by the outbox
            card = slack.calls_to("chat.postMessage")[0].response
            _, reply = await driver.message(
                "U0BOB", "C0DESK", "quarterly ceasefire, says pineapple", thread_ts=card["ts"]
            )
            assert reply.status == 200
            noted = await driver.command(
                "/dispute", "note D-1 Zanzibar pricing", user="U0ALICE", channel="C0DESK"
            )
            assert noted.status == 200
            await asyncio.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        stderr = await asyncio.wait_for(logged, timeout=30)
        await asyncio.wait_for(process.wait(), timeout=30)
    assert process.returncode == 0
    text = stderr.decode()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert TOKEN_LOOKING not in text and "LEAKEDtoken" not in text
    assert slack.bot_token not in text and SECRET not in text
    for word in WORDS:
        assert word not in text, word
    started = [line for line in lines if "starting" in line["message"]]
    assert started and started[0]["version"] == __version__
    assert (started[0]["mode"], started[0]["database"]) == ("http", "sqlite")
    requests = [line for line in lines if line["logger"] == "bot.requests"]
    assert len(requests) == 3, requests
    first = requests[0]
    assert first["request"] == "command:/dispute open"
    assert (first["workspace"], first["user"], first["status"]) == ("T0PARLEY", "U0ALICE", 200)
    assert isinstance(first["latency_ms"], float) and first["retry"] == "0"
    assert requests[1]["request"] == "event:message"


def test_tokens_are_blanked_in_any_record_and_fields_become_keys() -> None:
    record = logging.LogRecord(
        "bot.x", logging.WARNING, __file__, 1, "saw %s", ("xoxb-1-2-abc",), None
    )
    record.fields = {"status": 200, "who": "xapp-1-A0-zzz", "message": "not mine"}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "saw xoxb-[redacted]"
    assert line["status"] == 200 and line["who"] == "xapp-[redacted]"
    assert redact("Bearer xoxp-123-abc and xoxe.xoxp-1-zz") == (
        "Bearer xoxp-[redacted] and xoxe.xoxp-[redacted]"
    )
