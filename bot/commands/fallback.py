"""What no other listener took: commands this version does not serve yet, and the buttons,
forms and shortcuts of messages and modals older than this version (stale cards).

Bolt answers 404 to a request no listener takes: Slack then shows the person an error and
logs a failure. Each is acknowledged here instead; a stale card's button tells the person
who pressed it, and only them, that the card is out of date.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.commands.blocks import error
from bot.commands.common import Ack, answer, tell
from bot.commands.deps import Deps
from bot.commands.readers import caller_language
from bot.commands.words.base import N_

log = logging.getLogger(__name__)

ANYTHING = re.compile(r".*", re.DOTALL)
STALE_CARD = N_(
    "This card is out of date: that button no longer does anything, and nothing was changed. "
    "`/dispute help` shows what you can do now."
)
STALE_FORM = N_("This form is out of date, and nothing was changed. Close it and start again.")


def register(app: AsyncApp) -> None:
    """Registered last, so these only see what nothing else took."""
    app.command(re.compile(r"^/.*"))(unserved_command)
    app.block_action(ANYTHING)(stale_button)
    app.block_suggestion(ANYTHING)(no_options)
    app.view_submission(ANYTHING)(stale_form)
    app.view_closed(ANYTHING)(form_closed)
    app.shortcut(ANYTHING)(stale_shortcut)


async def unserved_command(
    ack: Ack, command: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    language = await caller_language(deps, context)
    name = str(command["command"])[:40]  # the edge lets no command in without its name
    unserved = language._(
        "`{command}` is not available in this version of Parley yet. `/dispute help` shows what is."
    ).format(command=name)
    await answer(ack, *error(unserved))


async def stale_button(
    ack: Ack,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    deps: Deps,
) -> None:
    await ack()
    log.info("a button no version of Parley serves was pressed (%s)", action["action_id"][:80])
    await tell(respond, (await caller_language(deps, context))._(STALE_CARD))


async def no_options(ack: Ack) -> None:
    await ack(options=[])


async def stale_form(ack: Ack, view: dict[str, Any], context: AsyncBoltContext, deps: Deps) -> None:
    """Keep the person's modal open with a word on what happened, rather than closing it as
    if it had worked."""
    log.info("a form no version of Parley serves was submitted (%s)", view["callback_id"][:80])
    language = await caller_language(deps, context)
    await ack(
        response_action="update",
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "Parley"},
            "close": {"type": "plain_text", "text": language._("Close")},
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": language._(STALE_FORM)}}
            ],
        },
    )


async def form_closed(ack: Ack) -> None:
    await ack()  # Parley asks to hear of no closed modal; an old one may still say so


async def stale_shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
    await ack()
    log.info("a shortcut no version of Parley serves was run (%s)", shortcut["callback_id"][:80])
