"""`/complaint`, its form, the "Log as complaint" shortcut, the Yes / No buttons and the
clocks' job: parse, call the complaints workflow, render the answer."""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import outgoing, render_complaints
from bot.commands.blocks import Blocks, md, mention, notice, section
from bot.commands.deps import Deps
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import find_mentions, plain_text, split_with
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.survey_cases import case_asking
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import complaints as rules
from bot.domain.complaints import Complaint
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput
from bot.domain.parties import Audience, Party, PartyKind, Person, is_external
from bot.workflows import complaints, complaints_clocks
from bot.workflows.disputes import parse_number as parse_dispute_number
from bot.workflows.parties import known_parties

log = logging.getLogger(__name__)

SHORTCUT = "log_as_complaint"


class OpenForm(BaseModel):
    """What the open form carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(pattern=r"^[CG][A-Z0-9]{2,30}$")


FORM = Form(
    name="the complaint form",
    metadata=OpenForm,
    main_block=render_complaints.TEXT_BLOCK,
    stale=N_("This form is out of date. Close it and use /complaint open again."),
    blocks={
        "text": render_complaints.TEXT_BLOCK,
        "party": render_complaints.PARTY_BLOCK,
        "people": render_complaints.PEOPLE_BLOCK,
    },
    people_block=render_complaints.PEOPLE_BLOCK,
)


def register(app: AsyncApp) -> None:
    app.command("/complaint")(slash_command(COMPLAINT))
    app.view(render_complaints.OPEN_MODAL)(submitted(FORM, form_submitted))
    app.shortcut(SHORTCUT)(pressed("log as complaint", log_from_message))
    app.action(render_complaints.YES_BUTTON)(pressed("the complaint's Yes", answer_pressed))
    app.action(render_complaints.NO_BUTTON)(pressed("the complaint's No", answer_pressed))


# --- where ---------------------------------------------------------------------------------


async def _check_channel(deps: Deps, channel_id: str) -> None:
    """Refuse, before anything is stored, a conversation where the card could not be posted."""
    channel = await deps.directory.channel(channel_id)
    if channel is None or channel.is_im:
        raise InvalidInput("complaint.cannot_post")
    if channel.is_private and not channel.is_member:
        raise InvalidInput("complaint.not_in_private")


async def _channel_teams(deps: Deps, channel_id: str, workspace_id: str) -> frozenset[str] | None:
    """The other organisations of a shared channel; None for an internal one."""
    audience = await deps.directory.audience(channel_id, workspace_id)
    return None if audience.internal else audience.team_ids


async def _answer(call: Invocation, text: str, blocks: Blocks, parties: list[Party]) -> None:
    """Through the door: in a shared channel only that channel's own party may be named."""
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=parties),
    )


# --- subcommands ----------------------------------------------------------------------------


async def open_(call: Invocation) -> None:
    deps = call.deps
    await _check_channel(deps, call.channel_id)
    if not call.args.strip():
        await call.ack()
        await _open_form(deps, call, channel_id=call.channel_id, language=call.language)
        return
    what, with_text = split_with(call.args)
    owner = await deps.directory.person(call.user_id)
    mentions = find_mentions(with_text)
    people = [await deps.directory.person(u) for u in mentions.user_ids]
    people += [await deps.directory.person_named(h, call.channel_id) for h in mentions.handles]
    complaint = await complaints.open_complaint(
        deps.store,
        workspace_id=call.workspace_id,
        channel_id=call.channel_id,
        owner=owner,
        text=plain_text(what),
        people=people,
        channel_teams=await _channel_teams(deps, call.channel_id, call.workspace_id),
        config=deps.config,
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    # On record, with its card owed: the outbox posts it right after this answer.
    await _answer(
        call,
        *notice(render_complaints.opened_note(complaint, call.language)),
        [complaint.party],
    )


async def _form_parties(
    deps: Deps, workspace_id: str, channel_id: str
) -> tuple[list[tuple[str, str]], str | None]:
    """The customers the form offers (in a shared channel, only that channel's) and the one
    picked already (a shared channel's own)."""
    teams = await _channel_teams(deps, channel_id, workspace_id)
    customers = [
        p
        for p in await known_parties(deps.store, workspace_id=workspace_id)
        if p.kind is PartyKind.CUSTOMER
        and (teams is None or (p.slack_team is not None and p.slack_team in teams))
    ]
    options = [(f"p:{p.id}", p.name) for p in sorted(customers, key=lambda p: p.name.casefold())]
    selected = options[0][0] if teams is not None and options else None
    return options, selected


async def _open_form(
    deps: Deps,
    call: Invocation | Press,
    *,
    channel_id: str,
    language: Language,
    complainant: str | None = None,
    what: str = "",
    source: str | None = None,
) -> None:
    options, selected = await _form_parties(deps, call.workspace_id, channel_id)
    view = render_complaints.open_modal(
        OpenForm(channel=channel_id).model_dump_json(),
        language=language,
        parties=options,
        selected=selected,
        complainant=complainant,
        what=what,
        source=source,
    )
    try:
        await call.client.views_open(trigger_id=call.trigger_id, view=view)
    except SlackApiError as exc:
        await call.respond(
            text=language._(
                "I couldn't open the form ({error}). "
                "Write it in one line instead: `/complaint open <what> with @user`."
            ).format(error=exc.response.get("error")),
            response_type="ephemeral",
        )


async def list_(call: Invocation) -> None:
    scope = complaints.parse_scope(call.args)
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    now = call.deps.clock.now()
    page = await complaints.list_complaints(
        call.deps.store,
        workspace_id=call.workspace_id,
        scope=scope,
        user_id=call.user_id,
        audience=audience,
        now=now,
    )
    text, blocks = render_complaints.complaint_list(
        page, scope=scope, now=now, language=call.language
    )
    await _answer(call, text, blocks, [c.party for c in page.complaints])


async def show(call: Invocation) -> None:
    if not call.args:
        raise InvalidInput("complaint.which_show")
    number = rules.parse_number(call.args.split()[0])
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    complaint, events = await complaints.complaint_record(
        call.deps.store, workspace_id=call.workspace_id, number=number, audience=audience
    )
    text, blocks = render_complaints.complaint_record(
        complaint,
        events,
        now=call.deps.clock.now(),
        tz=call.deps.config.calendar.zone,
        internal=audience.internal,
        language=call.language,
    )
    await _answer(call, text, blocks, [complaint.party])


def _id_and_text(call: Invocation, code: str) -> tuple[int, str]:
    parts = call.args.split(None, 1)
    if not parts:
        raise InvalidInput(code)
    return rules.parse_number(parts[0]), parts[1] if len(parts) > 1 else ""


async def _visible(call: Invocation, number: int) -> Audience:
    """From a shared channel, only that channel's party's complaint may be acted on."""
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    await complaints.get_complaint(
        call.deps.store, workspace_id=call.workspace_id, number=number, audience=audience
    )
    return audience


async def resolve(call: Invocation) -> None:
    number, text = _id_and_text(call, "complaint.which_resolve")
    await _visible(call, number)
    complaint = await complaints.resolve(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=await call.deps.directory.person(call.user_id),
        text=plain_text(text),
        config=call.deps.config,
        calendar=call.deps.calendar,
        now=call.deps.clock.now(),
    )
    said = md(
        call.language._("{ref} is resolved; {party} is asked in its thread to confirm."),
        ref=complaint.ref,
        party=complaint.party.name,
    )
    await _answer(call, *notice(said), [complaint.party])


async def escalate(call: Invocation) -> None:
    number, text = _id_and_text(call, "complaint.which_escalate")
    await _visible(call, number)
    complaint = await complaints.escalate(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=await call.deps.directory.person(call.user_id),
        text=plain_text(text),
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    if call.deps.config.channels.complaints:
        said = call.language._("{ref} is escalated; the complaints channel is told.")
    else:
        said = call.language._("{ref} is escalated and on the record.")
    await _answer(call, *notice(said.format(ref=complaint.ref)), [complaint.party])


async def link(call: Invocation) -> None:
    words = call.args.split()
    if len(words) != 2:
        raise InvalidInput("complaint.which_link")
    number = rules.parse_number(words[0])
    dispute_number = parse_dispute_number(words[1])
    audience = await _visible(call, number)
    if not audience.internal:
        raise InvalidInput("complaint.link_here")
    complaint = await complaints.link(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        dispute_number=dispute_number,
        actor=await call.deps.directory.person(call.user_id),
        now=call.deps.clock.now(),
    )
    said = call.language._("{ref} is linked to D-{number}; both records show it.").format(
        ref=complaint.ref, number=dispute_number
    )
    await _answer(call, *notice(said), [complaint.party])


SUBCOMMANDS: dict[str, Subcommand] = {
    "open": open_,
    "list": list_,
    "show": show,
    "resolve": resolve,
    "escalate": escalate,
    "link": link,
}


# --- the form and the shortcut --------------------------------------------------------------


async def form_submitted(form: Submission[OpenForm]) -> None:
    """Open the complaint from the form; each refusal is shown on its field."""
    deps = form.deps
    text = str(form.value(render_complaints.TEXT_BLOCK, "value") or "")
    picked = form.value(render_complaints.PEOPLE_BLOCK, "person", "selected_user")
    people = [await deps.directory.person(str(picked))] if picked else []
    chosen = form.value(render_complaints.PARTY_BLOCK, "party", "selected_option")
    value = str((chosen if isinstance(chosen, dict) else {}).get("value") or "")
    party_id = None
    if value:
        raw = value.removeprefix("p:")
        if not (value.startswith("p:") and raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise InvalidInput("complaint.no_party", field="party")
        party_id = int(raw)
    await _check_channel(deps, form.form.channel)
    await complaints.open_complaint(
        deps.store,
        workspace_id=form.workspace_id,
        channel_id=form.form.channel,
        owner=await form.actor(),
        text=text,
        people=people,
        channel_teams=await _channel_teams(deps, form.form.channel, form.workspace_id),
        config=deps.config,
        calendar=deps.calendar,
        now=deps.clock.now(),
        party_id=party_id,
    )


async def log_from_message(press: Press) -> None:
    """ "Log as complaint": the form, filled in from the message, its author the complainant
    when they are of another organisation (their party by Slack's record)."""
    message = press.body.get("message") or {}
    channel_id = str((press.body.get("channel") or {}).get("id") or "")
    await _check_channel(press.deps, channel_id)
    author = str(message.get("user") or "")
    complainant = None
    if author:
        person: Person = await press.deps.directory.person(author)
        if is_external(person, press.workspace_id):
            complainant = person.user_id
    await _open_form(
        press.deps,
        press,
        channel_id=channel_id,
        language=press.language,
        complainant=complainant,
        what=plain_text(str(message.get("text") or "")).strip()[:2000],
        source=md(press.language._("From {author}'s message"), author=mention(author))
        if author
        else None,
    )


# --- the confirmation -----------------------------------------------------------------------


async def answer_pressed(press: Press) -> None:
    """Yes / No under "Is this resolved for you?": only the complaint's party, once."""
    ref, _, round_ = press.value.partition(":r")
    number = rules.parse_number(ref)
    if not (round_.isascii() and round_.isdigit() and 0 < len(round_) < 10):
        raise InvalidInput("complaint.stale_button")
    actions = press.body.get("actions") or [{}]
    resolved = actions[0].get("action_id") == render_complaints.YES_BUTTON
    complaint: Complaint = await complaints.answer(
        press.deps.store,
        workspace_id=press.workspace_id,
        number=number,
        round_=int(round_),
        resolved=resolved,
        actor=await press.actor(),
        now=press.deps.clock.now(),
        calendar=press.deps.calendar,
        asking=case_asking(press.deps),
    )
    message = render_complaints.answered_note(complaint, resolved, press.language)
    await press.respond(
        text=message, blocks=[section(message)], response_type="ephemeral", replace_original=False
    )


# --- elsewhere ------------------------------------------------------------------------------


async def watch_complaints(deps: Deps) -> int:
    """The ticker's look at every complaint's clocks; how many were told or closed."""
    ran = await complaints_clocks.watch(
        deps.store,
        now=deps.clock.now(),
        config=deps.config,
        calendar=deps.calendar,
        asking=case_asking(deps),
    )
    for item in ran:
        if item.clock is None:
            log.info("%s closed after its party's silence", item.complaint.ref)
        else:
            log.info("%s: its %s clock ran out", item.complaint.ref, item.clock.value)
    return len(ran)


async def dispute_complaints(deps: Deps, dispute: Dispute, audience: Audience) -> list[str]:
    """The refs of the complaints a dispute caused, as that audience may see them."""
    return await complaints.of_dispute(deps.store, dispute_id=dispute.id, audience=audience)


COMPLAINT = SlashCommand(
    name="/complaint",
    subcommands=SUBCOMMANDS,
    usage=render_complaints.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /complaint. "
        "To answer about your complaint, reply in its thread or use its buttons."
    ),
    mention_example=N_("`/complaint open The report is late again with @their-rep`"),
)
