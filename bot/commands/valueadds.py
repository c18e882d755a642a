"""`/valueadd`, its form and the "Answer the four checks" button: parse, call the value-adds
workflow, render the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing, render_valueadds
from bot.commands.deps import Deps
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import names_text, plain_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import agreement_terms
from bot.domain import valueadds as rules
from bot.domain.errors import InvalidInput
from bot.domain.parties import Party
from bot.domain.valueadds import CHECKS, Checks, ValueAdd
from bot.workflows import valueadds as workflow


class ValueAddForm(BaseModel):
    """What the form carries in private_metadata; anything else is refused. `number` is
    the value-add whose checks are answered, None for a new one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int | None = Field(default=None, ge=1, le=999_999_999)


FORM = Form(
    name="the value-add form",
    metadata=ValueAddForm,
    main_block=render_valueadds.WHAT_BLOCK,
    stale=N_("This form is out of date. Close it and use /valueadd again."),
    blocks={
        "party": render_valueadds.PARTY_BLOCK,
        "what": render_valueadds.WHAT_BLOCK,
        "when": render_valueadds.WHEN_BLOCK,
        "cost": render_valueadds.COST_BLOCK,
        "hours": render_valueadds.HOURS_BLOCK,
        **{key: key for key in CHECKS},
    },
    limit=300,
)


def register(app: AsyncApp) -> None:
    app.command("/valueadd")(slash_command(VALUEADD))
    app.action(render_valueadds.CHECKS_BUTTON)(pressed("answer the four checks", checks_pressed))
    app.view(render_valueadds.MODAL)(submitted(FORM, form_submitted))


def _today(deps: Deps) -> date:
    return agreement_terms.today_in(deps.clock.now(), deps.config.calendar.zone)


async def _answer(call: Invocation, text: str, blocks: list[dict[str, Any]]) -> None:
    """Value-adds are internal: never shown in a shared channel (the door refuses there)."""
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )


async def _not_shared(call: Invocation) -> None:
    """Value-adds are internal records: refused up front in a shared channel (nothing
    recorded), rather than recorded with an answer the door would not let through."""
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    if not audience.internal:
        raise InvalidInput("valueadd.shared_channel")


async def log(call: Invocation) -> None:
    """`/valueadd log <customer> <what> [cost <amount>] [hours <n>]`; no text: the form."""
    deps = call.deps
    await _not_shared(call)
    actor = await deps.directory.person(call.user_id)
    if not call.args.strip():
        customers = await _customers(deps, call.workspace_id)
        await call.ack()  # the form opens after the ack: nothing before it waits on Slack
        try:
            await _open_form(call.client, call.trigger_id, call.language, customers, _today(deps))
        except SlackApiError as exc:
            await call.respond(text=_couldnt_open(call.language, exc), response_type="ephemeral")
        return
    rest, cost, hours = rules.split_amounts(call.args)
    every = await workflow.known(deps.store, workspace_id=call.workspace_id)
    party, what = rules.party_at_start(rest, every, read=names_text)
    entry = workflow.Entry(
        what=plain_text(what) if what else "",
        done_on=_today(deps),
        cost=plain_text(cost) if cost is not None else "",
        hours=plain_text(hours) if hours is not None else "",
    )
    logged = await workflow.log_valueadd(
        deps.store,
        workspace_id=call.workspace_id,
        actor=actor,
        party=party,
        entry=entry,
        today=_today(deps),
        now=deps.clock.now(),
    )
    await _answer(call, *render_valueadds.logged(logged, language=call.language))


async def list_(call: Invocation) -> None:
    await _not_shared(call)
    actor = await call.deps.directory.person(call.user_id)
    page = await workflow.list_valueadds(
        call.deps.store,
        workspace_id=call.workspace_id,
        actor=actor,
        party_name=names_text(call.args),
    )
    await _answer(call, *render_valueadds.valueadd_list(page, language=call.language))


SUBCOMMANDS: dict[str, Subcommand] = {"log": log, "list": list_}


async def _customers(deps: Deps, workspace_id: str) -> list[Party]:
    """The customers the form offers; none on record is refused before it opens."""
    customers = await workflow.customers(deps.store, workspace_id=workspace_id)
    if not customers:
        raise InvalidInput("valueadd.no_customers")
    return customers


async def _open_form(
    client: AsyncWebClient,
    trigger_id: str,
    language: Language,
    customers: list[Party],
    today: date,
    valueadd: ValueAdd | None = None,
) -> None:
    form = ValueAddForm(number=valueadd.number if valueadd is not None else None)
    view = render_valueadds.modal(
        form.model_dump_json(),
        language=language,
        customers=customers,
        today=today,
        valueadd=valueadd,
    )
    await client.views_open(trigger_id=trigger_id, view=view)


async def checks_pressed(press: Press) -> None:
    """ "Answer the four checks": the form for V-n, pre-filled."""
    try:
        number = rules.parse_number(press.value)
    except InvalidInput:
        raise InvalidInput("valueadd.stale_button") from None
    actor = await press.actor()
    valueadd = await workflow.get_valueadd(
        press.deps.store, workspace_id=press.workspace_id, number=number, actor=actor
    )
    customers = await _customers(press.deps, press.workspace_id)
    try:
        await _open_form(
            press.client,
            press.trigger_id,
            press.language,
            customers,
            _today(press.deps),
            valueadd,
        )
    except SlackApiError as exc:
        await press.respond(
            text=_couldnt_open(press.language, exc),
            response_type="ephemeral",
            replace_original=False,
        )


def _couldnt_open(language: Language, exc: SlackApiError) -> str:
    return language._("I couldn't open the form ({error}). Try again.").format(
        error=exc.response.get("error")
    )


def _party(form: Submission[ValueAddForm], customers: list[Party], every: list[Party]) -> Party:
    chosen = form.value(
        render_valueadds.PARTY_BLOCK, render_valueadds.PARTY_INPUT, "selected_option"
    )
    value = str((chosen if isinstance(chosen, dict) else {}).get("value") or "")
    if value.startswith("p:"):
        party = next((p for p in customers if f"p:{p.id}" == value), None)
        if party is not None:
            return party
    typed = form.value(render_valueadds.PARTY_BLOCK, render_valueadds.NAME_INPUT)
    if isinstance(typed, str) and typed.strip():
        return rules.party_named(typed, every)
    raise InvalidInput("valueadd.party_unchosen", field="party")


def _day(form: Submission[ValueAddForm]) -> date:
    picked = form.value(render_valueadds.WHEN_BLOCK, render_valueadds.DATE_INPUT, "selected_date")
    try:
        return date.fromisoformat(str(picked or ""))
    except ValueError:
        raise InvalidInput("valueadd.when_bad", field="when") from None


def _checks(form: Submission[ValueAddForm]) -> Checks:
    answers: dict[str, bool | None] = {}
    for key in CHECKS:
        chosen = form.value(key, render_valueadds.ANSWER_INPUT, "selected_option")
        value = (chosen if isinstance(chosen, dict) else {}).get("value")
        answers[key] = {"yes": True, "no": False}.get(str(value))
    return Checks(**answers)


async def form_submitted(form: Submission[ValueAddForm]) -> None:
    """Log V-n, or save V-n with its checks answered; each refusal is shown on its field."""
    deps = form.deps
    actor = await form.actor()
    every = await workflow.known(deps.store, workspace_id=form.workspace_id)
    customers = await workflow.customers(deps.store, workspace_id=form.workspace_id)
    party = _party(form, customers, every)
    entry = workflow.Entry(
        what=str(form.value(render_valueadds.WHAT_BLOCK, render_valueadds.TEXT_INPUT) or ""),
        done_on=_day(form),
        cost=str(form.value(render_valueadds.COST_BLOCK, render_valueadds.TEXT_INPUT) or ""),
        hours=str(form.value(render_valueadds.HOURS_BLOCK, render_valueadds.TEXT_INPUT) or ""),
        checks=_checks(form),
    )
    if form.form.number is None:
        await workflow.log_valueadd(
            deps.store,
            workspace_id=form.workspace_id,
            actor=actor,
            party=party,
            entry=entry,
            today=_today(deps),
            now=deps.clock.now(),
            from_form=True,
        )
        return
    await workflow.answer_checks(
        deps.store,
        workspace_id=form.workspace_id,
        number=form.form.number,
        actor=actor,
        party=party,
        entry=entry,
        today=_today(deps),
        now=deps.clock.now(),
    )


VALUEADD = SlashCommand(
    name="/valueadd",
    subcommands=SUBCOMMANDS,
    usage=render_valueadds.usage,
    outsiders=N_("Only members of the workspace that runs Parley can use /valueadd."),
    mention_example=None,
)
