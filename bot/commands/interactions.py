"""The flow every button, shortcut and form shares, as `router.py` is the slash commands':
ack, who may, one workflow, and a refusal answered in the reader's words.

Who may: the identity gate (`bot/commands/identity.py`) has placed the person before any of
this runs and refused outsiders every interaction but `OUTSIDER_ACTIONS`, whose workflows
check their party. A button is acked at once and answers a refusal ephemerally, leaving the
message as it is; a form is acked last, with its refusals shown on the fields they concern so
nothing typed is lost, or closed when the workflow accepted it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.blocks import truncate
from bot.commands.common import Ack, form_value, tell, workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.identity import SLACK_TROUBLE, SlackTrouble
from bot.commands.readers import caller_language
from bot.commands.words import say, say_plain
from bot.commands.words.language import Language
from bot.domain.errors import DomainError, FieldErrors
from bot.domain.parties import Person

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Press:
    """One press of a button or a shortcut: who pressed it, where, on what."""

    deps: Deps
    client: AsyncWebClient
    respond: AsyncRespond
    body: dict[str, Any]
    workspace_id: str
    user_id: str
    value: str  # the button's value ("" for a shortcut)
    trigger_id: str
    language: Language  # the presser's: what their answers are in

    async def actor(self) -> Person:
        return await self.deps.directory.person(self.user_id)


def pressed(name: str, run: Callable[[Press], Awaitable[None]]) -> Listener:
    """The Bolt listener for a button or shortcut named `name` (for logs) that runs `run`."""

    async def listener(
        ack: Ack,
        body: dict[str, Any],
        context: AsyncBoltContext,
        deps: Deps,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        actions = body.get("actions") or [{}]
        press = Press(
            deps=deps,
            client=client,
            respond=respond,
            body=body,
            workspace_id=workspace_of(context),
            user_id=str((body.get("user") or {}).get("id") or ""),
            value=str(actions[0].get("value") or ""),
            trigger_id=str(body.get("trigger_id") or ""),
            language=await caller_language(deps, context),
        )
        try:
            await run(press)
        except DomainError as exc:
            await tell(respond, say(exc, press.language))
        except (SlackApiError, SlackTrouble, UnknownUser) as exc:
            log.warning("%s: Slack failed us (%s)", name, _why(exc))
            await tell(respond, press.language._(SLACK_TROUBLE))

    return listener


@dataclass(frozen=True)
class Submission(Generic[M]):
    """One submitted form: its metadata as the form's model, and its fields."""

    deps: Deps
    client: AsyncWebClient
    body: dict[str, Any]
    view: dict[str, Any]
    form: M
    workspace_id: str
    user_id: str
    language: Language  # the submitter's: what the form's errors are in

    def value(self, block: str, action: str, key: str = "value") -> Any:
        return form_value(self.view, block, action, key)

    async def actor(self) -> Person:
        return await self.deps.directory.person(self.user_id)


@dataclass(frozen=True)
class Form(Generic[M]):
    """A form: the model its private_metadata must parse as, where each refusal is shown
    (by the `field` of the domain's error), and what a stale form says."""

    name: str
    metadata: type[M]
    main_block: str  # where a refusal of the whole request is shown
    stale: str  # an N_-marked msgid: N_("This form is out of date. Close it and use /dispute.")
    blocks: Mapping[str, str] = field(default_factory=dict)  # a field → its block
    people_block: str | None = None  # where "I can't find @x" is shown
    limit: int = 150  # Slack shows this much of a field's error

    def block_of(self, field_name: str | None) -> str:
        return self.blocks.get(field_name or "", self.main_block)


def submitted(spec: Form[M], run: Callable[[Submission[M]], Awaitable[None]]) -> Listener:
    """The Bolt listener for the form `spec`: parse its metadata, run `run`, then close the
    form or show each refusal on its field."""

    async def listener(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
        deps: Deps,
        client: AsyncWebClient,
    ) -> None:
        try:
            form = spec.metadata.model_validate_json(view.get("private_metadata") or "")
        except ValidationError:
            stale = (await caller_language(deps, context))._(spec.stale)
            await ack(response_action="errors", errors={spec.main_block: stale})
            return
        submission = Submission(
            deps=deps,
            client=client,
            body=body,
            view=view,
            form=form,
            workspace_id=workspace_of(context),
            user_id=str((body.get("user") or {}).get("id") or ""),
            language=await caller_language(deps, context),
        )
        errors: dict[str, str] = {}
        try:
            await run(submission)
        except FieldErrors as exc:
            for name, problem in exc.problems.items():
                errors.setdefault(
                    spec.block_of(name), _shown(problem, submission.language, spec.limit)
                )
        except DomainError as exc:
            errors[spec.block_of(exc.field)] = _shown(exc, submission.language, spec.limit)
        except UnknownUser as exc:
            unknown = submission.language._("I can't find {ref} in Slack.").format(ref=exc.ref)
            errors[spec.people_block or spec.main_block] = unknown
        except (SlackApiError, SlackTrouble) as exc:
            log.warning("%s: Slack failed us (%s)", spec.name, _why(exc))
            errors[spec.main_block] = submission.language._(SLACK_TROUBLE)
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack()  # what the change owes Slack was owed with it (the outbox sends it)

    return listener


def _shown(error: DomainError, language: Language, limit: int) -> str:
    return truncate(say_plain(error, language), limit)


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return type(exc).__name__
