"""What Parley says, in the words a person reads: domain errors, and the answer a person gets
to a slash command (for tests that check what they are told)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from bot.commands.outgoing import STILL_WORKING
from bot.commands.words import say_plain
from bot.commands.words.language import Languages
from bot.domain.errors import DomainError
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from bot.sandbox.workspace import ALICE, DESK

LANGUAGES = Languages()
ENGLISH = LANGUAGES["en"]
CHINESE = LANGUAGES["zh-CN"]


def words(error: BaseException) -> str:
    """What `error` (a DomainError) says in English, as plain text."""
    assert isinstance(error, DomainError), error
    return say_plain(error, ENGLISH)


@contextmanager
def raises_saying(
    kind: type[DomainError], pattern: str
) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """`pytest.raises(kind, match=pattern)`, matched against what the error says."""
    with pytest.raises(kind) as caught:
        yield caught
    said = words(caught.value)
    assert re.search(pattern, said), f"{pattern!r} not in {said!r}"


# --- what a person is answered ---------------------------------------------------------------

ON_IT = {language._(STILL_WORKING) for language in (ENGLISH, CHINESE)}


def answer_body(reply: Reply, app: Running | None = None, *, before: int = 0) -> dict[str, Any]:
    """The ephemeral answer the person reads: the ack's, or, when Parley acked first with its
    "I'm on it" (a slow moment on a loaded machine), the one it sent later through the
    response_url (`before`: how many response_url calls there were before the command)."""
    body = reply.json
    if body is None and not reply.text:
        return {}  # acknowledged with nothing to say (what it does is owed to Slack)
    assert isinstance(body, dict), reply.text
    assert body.get("response_type") == "ephemeral", body
    if body.get("text") not in ON_IT:
        return body
    assert app is not None, "Parley acked first and answers later: pass the app to read it"
    late = app.slack.calls_to("response_url")[before:]
    assert late, "Parley acked first but answered nothing through the response_url"
    return dict(late[-1].args)


def texts_of(body: Mapping[str, Any]) -> list[str]:
    """Every text of an answer a person reads, in order: its text, then its blocks'
    (sections, context, buttons)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


def words_of(body: Mapping[str, Any]) -> str:
    """An answer's texts, a line each."""
    return "\n".join(texts_of(body))


def said(reply: Reply, app: Running | None = None, *, before: int = 0, raw: bool = False) -> str:
    """What the person was answered: its words, or (`raw`) the whole answer as JSON."""
    body = answer_body(reply, app, before=before)
    return json.dumps(body, ensure_ascii=False) if raw else words_of(body)


async def asked(
    app: Running, command: str, text: str, *, user: str = ALICE, channel: str = DESK
) -> dict[str, Any]:
    """Run a slash command as `user` in `channel`; the answer they read (`answer_body`)."""
    before = len(app.slack.calls_to("response_url"))
    reply = await app.driver.command(command, text, user=user, channel=channel)
    assert reply.status == 200, reply.text
    await app.settle()
    await _late_answer(app, reply, before)
    return answer_body(reply, app, before=before)


async def _late_answer(app: Running, reply: Reply, before: int, within: float = 30.0) -> None:
    """When Parley acked first ("I'm on it"), wait for its answer through the response_url:
    on a loaded machine the handler can still be at work after `settle`'s first look."""
    body = reply.json
    if not isinstance(body, dict) or body.get("text") not in ON_IT:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not app.slack.calls_to("response_url")[before:] and loop.time() < deadline:
        await asyncio.sleep(0.05)
        await app.settle()


async def answer(
    app: Running,
    command: str,
    text: str,
    *,
    user: str = ALICE,
    channel: str = DESK,
    raw: bool = False,
) -> str:
    """Run a slash command; what Parley answered the person: its words, or (`raw`) the whole
    answer as JSON."""
    body = await asked(app, command, text, user=user, channel=channel)
    return json.dumps(body, ensure_ascii=False) if raw else words_of(body)
