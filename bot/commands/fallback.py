"""Answers for slash commands the manifest declares but this version does not serve yet."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.commands import render
from bot.commands.common import Ack, answer


def register(app: AsyncApp) -> None:
    app.command(re.compile(r"^/.*"))(unserved_command)


async def unserved_command(ack: Ack, command: dict[str, Any]) -> None:
    name = str(command.get("command", "this command"))[:40]
    await answer(
        ack,
        *render.error(
            f"`{name}` is not available in this version of Parley yet. "
            "`/dispute help` shows what is."
        ),
    )
