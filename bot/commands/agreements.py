"""`/agreement`, its form, the card's Acknowledge button and the expiry job: parse, call the
agreements workflow, render the answer."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing, render_agreement_form, render_agreements
from bot.commands.blocks import MESSAGE_BLOCK_LIMIT, Blocks, notice, section
from bot.commands.deps import Deps
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import find_mentions, names_text, plain_text, split_with
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import agreement_terms
from bot.domain.agreements import Agreement
from bot.domain.disputes import Dispute
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.parties import Audience, Party, Person, is_external, name_for_team
from bot.domain.visibility import visible_parties
from bot.workflows import agreements
from bot.workflows.parties import known_parties

log = logging.getLogger(__name__)


TeamId = Annotated[str, StringConstraints(pattern=r"^T[A-Z0-9]{2,30}$")]


class AgreementForm(BaseModel):
    """What the form carries in private_metadata; anything else is refused.

    `channel` is where the command ran (the card's fallback), `number`/`version` the
    agreement and version an edit started from, `teams` the organisations the form offered
    that are not parties on record yet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,30}$")
    number: int | None = Field(default=None, ge=1, le=999_999_999)
    version: int | None = Field(default=None, ge=1, le=999_999_999)
    teams: tuple[TeamId, ...] = Field(default=(), max_length=5)

    @model_validator(mode="after")
    def _an_edit_names_both(self) -> AgreementForm:
        if (self.number is None) != (self.version is None):
            raise ValueError("an edit needs both the number and the version")
        return self


# Every field is its own block; a refusal of the whole form is shown on "what".
FORM = Form(
    name="the agreement form",
    metadata=AgreementForm,
    main_block="what",
    stale=N_("This form is out of date. Close it and use /agreement again."),
    blocks={
        key: key
        for key in (
            *agreement_terms.FIELDS,
            render_agreement_form.PARTY_BLOCK,
            render_agreement_form.PEOPLE_BLOCK,
            render_agreement_form.CHANNEL_BLOCK,
            render_agreement_form.DATE_BLOCK,
        )
    },
    people_block=render_agreement_form.PEOPLE_BLOCK,
    limit=300,
)


def register(app: AsyncApp) -> None:
    app.command("/agreement")(slash_command(AGREEMENT))
    app.action(render_agreements.ACKNOWLEDGE_BUTTON)(
        pressed("the agreement card's Acknowledge", acknowledge_pressed)
    )
    app.view(render_agreement_form.MODAL)(submitted(FORM, form_submitted))


# --- subcommands ----------------------------------------------------------------------------


async def _check_channel(deps: Deps, channel_id: str) -> None:
    """Refuse, before a form opens, a conversation where the card could not be posted."""
    channel = await deps.directory.channel(channel_id)
    if channel is None or channel.is_im:
        raise InvalidInput("agreement.cannot_post")
    if channel.is_private and not channel.is_member:
        raise InvalidInput("agreement.not_in_private")


async def new(call: Invocation) -> None:
    deps = call.deps
    what, with_text = split_with(call.args)
    mentions = find_mentions(with_text)
    people = [await deps.directory.person(u) for u in mentions.user_ids]
    people += [await deps.directory.person_named(h, call.channel_id) for h in mentions.handles]
    bots = [p for p in people if p.is_bot]
    if bots:
        raise InvalidInput("agreement.mentioned_bot", name=bots[0].name)
    teams = {p.team_id: p for p in people if is_external(p, call.workspace_id)}
    if people and not teams:
        raise InvalidInput("agreement.mentioned_insider", name=people[0].name)
    if len(teams) > 1:
        raise InvalidInput("agreement.one_organisation")
    await _check_channel(deps, call.channel_id)
    known = [
        p for p in await known_parties(deps.store, workspace_id=call.workspace_id) if p.slack_team
    ]
    options = [(f"p:{p.id}", p.name) for p in sorted(known, key=lambda p: p.name.casefold())]
    selected: str | None = None
    offered: list[str] = []
    for team_id, person in teams.items():
        party = next((p for p in known if p.slack_team == team_id), None)
        if party is not None:
            selected = f"p:{party.id}"
        else:
            selected = f"t:{team_id}"
            offered.append(team_id)
            shown = name_for_team(person.team_name, team_id, [name for _, name in options])
            options.insert(0, (selected, shown))
    if not options:
        raise InvalidInput("agreement.no_other_team")
    if selected is not None and len(options) > render_agreement_form.OPTIONS_LIMIT:
        chosen = [o for o in options if o[0] == selected]
        options = chosen + [o for o in options if o[0] != selected]
    form = AgreementForm(channel=call.channel_id, teams=tuple(offered))
    await call.ack()
    modal = render_agreement_form.modal(
        form.model_dump_json(),
        language=call.language,
        parties=options,
        selected=selected,
        people=list(dict.fromkeys(p.user_id for p in teams.values())),
        what=plain_text(what),
    )
    await _open(call, modal)


async def _open(call: Invocation, modal: dict[str, Any]) -> None:
    try:
        await call.client.views_open(trigger_id=call.trigger_id, view=modal)
    except SlackApiError as exc:
        await call.respond(
            text=call.language._("I couldn't open the form ({error}). Try again.").format(
                error=exc.response.get("error")
            ),
            response_type="ephemeral",
        )


async def edit(call: Invocation) -> None:
    words = call.args.split()
    if not words:
        raise InvalidInput("agreement.which_edit")
    number = agreement_terms.parse_number(words[0])
    actor = await call.deps.directory.person(call.user_id)
    agreement = await agreements.check_editable(
        call.deps.store, workspace_id=call.workspace_id, number=number, actor=actor
    )
    form = AgreementForm(channel=call.channel_id, number=number, version=agreement.version)
    await call.ack()
    await _open(
        call,
        render_agreement_form.modal(
            form.model_dump_json(), language=call.language, agreement=agreement
        ),
    )


async def list_(call: Invocation) -> None:
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    page = await agreements.list_agreements(
        call.deps.store,
        workspace_id=call.workspace_id,
        audience=audience,
        party_name=names_text(call.args),
    )
    text, blocks = render_agreements.agreement_list(
        page, today=_today(call.deps), internal=audience.internal, language=call.language
    )
    await _answer(call, text, blocks, [a.party for a in page.agreements])


async def show(call: Invocation) -> None:
    number, version = agreement_terms.parse_reference(call.args)
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    record = await agreements.agreement_record(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        version=version,
        audience=audience,
    )
    text, blocks = render_agreements.agreement_record(
        record,
        today=_today(call.deps),
        tz=call.deps.config.calendar.zone,
        language=call.language,
    )
    await _answer(call, text, blocks, [record.agreement.party])


async def revoke(call: Invocation) -> None:
    parts = call.args.split(None, 1)
    if not parts:
        raise InvalidInput("agreement.which_revoke")
    number = agreement_terms.parse_number(parts[0])
    actor = await call.deps.directory.person(call.user_id)
    agreement = await agreements.revoke(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        reason=plain_text(parts[1] if len(parts) > 1 else ""),
        now=call.deps.clock.now(),
    )
    await _answer(
        call,
        *notice(
            call.language._(
                "{ref} is revoked. Its card says so; it stays on the record and in the export."
            ).format(ref=agreement.ref)
        ),
        [agreement.party],
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "new": new,
    "list": list_,
    "show": show,
    "edit": edit,
    "revoke": revoke,
}


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


def _today(deps: Deps) -> date:
    return agreement_terms.today_in(deps.clock.now(), deps.config.calendar.zone)


# --- the form -------------------------------------------------------------------------------


async def form_submitted(form: Submission[AgreementForm]) -> None:
    """Draft A-n or save its next version; every refusal is shown on its field."""
    actor = await form.actor()
    picked = form.value(render_agreement_form.PEOPLE_BLOCK, "people", "selected_users")
    people = [
        await form.deps.directory.person(str(u))
        for u in (picked if isinstance(picked, list) else [])[:50]
    ]
    draft = _read_draft(form, people)
    if form.form.number is None or form.form.version is None:
        await _draft_new(form, actor, draft)
        return
    try:
        await agreements.edit_agreement(
            form.deps.store,
            workspace_id=form.workspace_id,
            number=form.form.number,
            seen_version=form.form.version,
            actor=actor,
            draft=draft,
            now=form.deps.clock.now(),
            tz=form.deps.config.calendar.zone,
        )
    except agreement_terms.InvalidTerms as exc:
        raise _on_edit_form(exc) from None
    # the card's edit and the new version's line are owed with the change


def _on_edit_form(exc: agreement_terms.InvalidTerms) -> agreement_terms.InvalidTerms:
    """The edit form has no party block: a party problem is shown on "what"."""
    problems: dict[str, DomainError] = {}
    for key, problem in exc.problems.items():
        problems.setdefault("what" if key == render_agreement_form.PARTY_BLOCK else key, problem)
    return agreement_terms.InvalidTerms(problems)


def _read_draft(form: Submission[AgreementForm], people: list[Person]) -> agreement_terms.Draft:
    """The form's state as the domain's Draft (whatever shape a forged state has)."""
    text = {key: str(form.value(key, "value") or "") for key in agreement_terms.FIELDS}
    channel = form.value(render_agreement_form.CHANNEL_BLOCK, "channel", "selected_conversation")
    return agreement_terms.Draft(
        what=text["what"],
        why=text["why"],
        who=text["who"],
        when=text["when"],
        where=text["where"],
        how=text["how"],
        authorization=text["authorization"],
        who_people=people,
        where_channel=str(channel) if channel else None,
        valid_until=str(
            form.value(render_agreement_form.DATE_BLOCK, "date", "selected_date") or ""
        ),
    )


async def _draft_new(
    form: Submission[AgreementForm], actor: Person, draft: agreement_terms.Draft
) -> Agreement:
    """A-n from the new-agreement form: the party picked, the card's channel, the terms."""
    deps, workspace_id = form.deps, form.workspace_id
    chosen = form.value(render_agreement_form.PARTY_BLOCK, "party", "selected_option")
    pick = agreement_terms.pick_party(
        str((chosen if isinstance(chosen, dict) else {}).get("value") or ""),
        parties=await known_parties(deps.store, workspace_id=workspace_id),
        offered_teams=form.form.teams,
        workspace_id=workspace_id,
    )
    if pick.party is None and pick.team_id is not None:
        team_name = await deps.directory.team_name(pick.team_id)
        pick = dataclasses.replace(pick, team_name=team_name)
    channel_id = await _card_channel(
        deps, form.client, pick=pick, fallback=form.form.channel, workspace_id=workspace_id
    )
    return await agreements.draft_agreement(
        deps.store,
        workspace_id=workspace_id,
        owner=actor,
        pick=pick,
        draft=draft,
        channel_id=channel_id,
        config=deps.config,
        now=deps.clock.now(),
        tz=deps.config.calendar.zone,
    )


CHANNEL_SEARCH_SECONDS = 1.5


async def _card_channel(
    deps: Deps,
    client: AsyncWebClient,
    *,
    pick: agreement_terms.PartyPick,
    fallback: str,
    workspace_id: str,
) -> str:
    """The party's own shared channel (shared with that party alone) among those Parley is
    in; else where the command ran, unless another organisation can read that one."""
    team = pick.slack_team
    if team:
        try:
            # A form is answered within Slack's 3 s: a slow search falls back like a failed one.
            found = await asyncio.wait_for(
                shared_channel_of(deps, client, team=team, workspace_id=workspace_id),
                timeout=CHANNEL_SEARCH_SECONDS,
            )
        except SlackApiError as exc:
            log.warning("listing Parley's channels failed: %s", exc.response.get("error"))
            found = None
        except TimeoutError:
            log.warning("listing Parley's channels took over %.1f s", CHANNEL_SEARCH_SECONDS)
            found = None
        if found is not None:
            return found
    audience = await deps.directory.audience(fallback, workspace_id)
    if not audience.internal and audience.team_ids != frozenset({team}):
        if pick.name is None:
            unshared = InvalidInput("agreement.no_shared_channel_unnamed", field="party")
        else:
            unshared = InvalidInput("agreement.no_shared_channel", field="party", name=pick.name)
        raise agreement_terms.InvalidTerms({"party": unshared})
    return fallback


async def shared_channel_of(
    deps: Deps, client: AsyncWebClient, *, team: str, workspace_id: str
) -> str | None:
    """A channel Parley is in that is shared with that Slack team and no other organisation."""
    cursor: str | None = None
    while True:
        page = await client.users_conversations(
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=200,
            cursor=cursor,
        )
        channels: list[dict[str, Any]] = page.get("channels", [])
        for found in channels:
            if not (found.get("is_ext_shared") or found.get("is_shared")):
                continue
            channel = await deps.directory.channel(str(found["id"]))
            if channel is not None and channel.team_ids - {workspace_id} == {team}:
                return channel.id
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None


async def acknowledge_pressed(press: Press) -> None:
    """Acknowledge: only a person of the agreement's party, for the version the card shows."""
    ref, _, version = press.value.partition(":v")
    number = agreement_terms.parse_number(ref)
    if not (version.isascii() and version.isdigit() and 0 < len(version) < 10):
        raise InvalidInput("agreement.stale_button")
    actor = await press.actor()
    agreement = await agreements.acknowledge(
        press.deps.store,
        workspace_id=press.workspace_id,
        number=number,
        version=int(version),
        actor=actor,
        now=press.deps.clock.now(),
        tz=press.deps.config.calendar.zone,
    )
    message = press.language._(
        "Thank you: you acknowledged version {version} of {ref}. The card shows it."
    ).format(version=agreement.version, ref=agreement.ref)
    await press.respond(
        text=message,
        blocks=[section(message)],
        response_type="ephemeral",
        replace_original=False,
    )


# --- elsewhere ------------------------------------------------------------------------------


async def expire_agreements(deps: Deps, parley: Person) -> None:
    """On the day after an agreement's last valid day: marked expired, its card's edit and
    its owner's DM owed, once per agreement and version."""
    now = deps.clock.now()
    for agreement in await agreements.expire_due(deps.store, now=now, tz=deps.config.calendar.zone):
        log.info(
            "%s v%d expired; %s tells its owner", agreement.ref, agreement.version, parley.name
        )


async def agreement_links(
    deps: Deps, dispute: Dispute, audience: Audience, blocks: Blocks, *, language: Language
) -> Blocks:
    """`/dispute show` with a last section linking the agreements in force with the dispute's
    parties (in a shared channel, only that channel's own parties')."""
    found = await agreements.in_force(
        deps.store,
        workspace_id=dispute.workspace_id,
        parties=visible_parties(dispute.parties, audience),
        now=deps.clock.now(),
        tz=deps.config.calendar.zone,
    )
    links = render_agreements.dispute_links(found, language=language)
    if not links:
        return blocks
    return [*blocks[: MESSAGE_BLOCK_LIMIT - len(links)], *links]


AGREEMENT = SlashCommand(
    name="/agreement",
    subcommands=SUBCOMMANDS,
    usage=render_agreements.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /agreement. "
        "To accept an agreement addressed to your organisation, press Acknowledge on its card."
    ),
    mention_example=N_("`/agreement new with @their-rep`"),
)
