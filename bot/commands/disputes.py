"""`/dispute`: parse, call the disputes workflow, render the answer."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import dispute_meetings, dossiers, outgoing, render_dispute_forms, render_disputes
from bot.commands.agreements import agreement_links
from bot.commands.blocks import Blocks, Mrkdwn, channel_link, md, mention, notice
from bot.commands.common import answer
from bot.commands.deps import Deps
from bot.commands.parsing import find_mentions, plain_text, split_with
from bot.commands.readers import channel_language
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.survey_cases import case_asking
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.disputes import Dispute
from bot.domain.errors import InvalidInput
from bot.domain.ladder import Action
from bot.domain.marks import Words
from bot.domain.parties import Audience, Person
from bot.workflows import complaints, disputes
from bot.workflows.contracts import terms_of_parties
from bot.workflows.dispute_meetings import meetings_of

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.command("/dispute")(slash_command(DISPUTE))


async def _people(call: Invocation, mentions_text: str) -> list[Person]:
    mentions = find_mentions(mentions_text)
    people = [await call.deps.directory.person(u) for u in mentions.user_ids]
    people += [await call.deps.directory.person_named(h, call.channel_id) for h in mentions.handles]
    return people


async def check_channel(deps: Deps, channel_id: str) -> None:
    """Refuse, before anything is stored, a conversation where the card could not be posted."""
    channel = await deps.directory.channel(channel_id)
    if channel is None or channel.is_im:
        raise InvalidInput("dispute.cannot_post")
    if channel.is_private and not channel.is_member:
        raise InvalidInput("dispute.not_in_private")


async def open_(call: Invocation) -> None:
    if not call.args.strip():
        await check_channel(call.deps, call.channel_id)
        await call.ack()
        try:
            await open_form(
                call.deps,
                call.client,
                trigger_id=call.trigger_id,
                channel_id=call.channel_id,
                language=call.language,
            )
        except SlackApiError as exc:
            await call.respond(
                text=call.language._(
                    "I couldn't open the form ({error}). "
                    "Write it in one line instead: `/dispute open <title> with @user`."
                ).format(error=exc.response.get("error")),
                response_type="ephemeral",
            )
        return
    title, with_text = split_with(call.args)
    await check_channel(call.deps, call.channel_id)
    owner = await call.deps.directory.person(call.user_id)
    people = await _people(call, with_text)
    await disputes.open_dispute(
        call.deps.store,
        workspace_id=call.workspace_id,
        channel_id=call.channel_id,
        owner=owner,
        title=plain_text(title),
        people=people,
        config=call.deps.config,
        calendar=call.deps.calendar,
        now=call.deps.clock.now(),
    )
    # On record, with its card owed: the outbox posts it right after this answer.
    await call.ack()


async def open_form(
    deps: Deps,
    client: AsyncWebClient,
    *,
    trigger_id: str,
    channel_id: str,
    language: Language,
    title: str = "",
    people: Sequence[str] = (),
    source: str | None = None,
) -> None:
    """The modal that opens a dispute: `/dispute open` with no text, or the message shortcut."""
    await check_channel(deps, channel_id)
    form = OpenForm(channel=channel_id)
    view = render_dispute_forms.open_modal(
        form.model_dump_json(), language=language, title=title, people=people, source=source
    )
    await client.views_open(trigger_id=trigger_id, view=view)


class OpenForm(BaseModel):
    """What the open modal carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,30}$")


async def list_(call: Invocation) -> None:
    scope = disputes.parse_scope(call.args)
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    now = call.deps.clock.now()
    page = await disputes.list_disputes(
        call.deps.store,
        workspace_id=call.workspace_id,
        scope=scope,
        user_id=call.user_id,
        audience=audience,
        now=now,
    )
    clocks = {
        d.id: disputes.stage_clock(d, now=now, calendar=call.deps.calendar) for d in page.disputes
    }
    text, blocks = render_disputes.dispute_list(
        page,
        scope=scope,
        clocks=clocks,
        tz=call.deps.config.calendar.zone,
        audience=audience,
        language=call.language,
    )
    await _answer(call, text, blocks, outgoing.About(disputes=page.disputes))


async def show(call: Invocation) -> None:
    if not call.args:
        raise InvalidInput("dispute.which_show")
    number = disputes.parse_number(call.args.split()[0])
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    dispute, events = await disputes.dispute_record(
        call.deps.store, workspace_id=call.workspace_id, number=number, audience=audience
    )
    clock = disputes.stage_clock(dispute, now=call.deps.clock.now(), calendar=call.deps.calendar)
    meetings = await meetings_of(call.deps.store, dispute=dispute, audience=audience)
    text, blocks = render_disputes.dispute_record(
        dispute,
        events,
        clock=clock,
        tz=call.deps.config.calendar.zone,
        audience=audience,
        language=call.language,
        meetings=meetings,
        complaints=await complaints.of_dispute(
            call.deps.store, dispute_id=dispute.id, audience=audience
        ),
        contracts=terms_of_parties(call.deps.config, dispute.parties),
    )
    blocks = await agreement_links(call.deps, dispute, audience, blocks, language=call.language)
    await _answer(call, text, blocks, outgoing.About(disputes=[dispute]))


async def _answer(call: Invocation, text: str, blocks: Blocks, about: outgoing.About) -> None:
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=about,
    )


def _id_and_text(call: Invocation, example: str) -> tuple[int, str]:
    parts = call.args.split(None, 1)
    if not parts:
        raise InvalidInput("dispute.which", example=example)
    return disputes.parse_number(parts[0]), parts[1] if len(parts) > 1 else ""


def _ladder_action(action: Action) -> Subcommand:
    async def run(call: Invocation) -> None:
        number, text = _id_and_text(call, disputes.WHAT_TO_WRITE[action])
        actor = await call.deps.directory.person(call.user_id)
        change = await disputes.act(
            call.deps.store,
            workspace_id=call.workspace_id,
            number=number,
            action=action,
            actor=actor,
            text=plain_text(text),
            config=call.deps.config,
            calendar=call.deps.calendar,
            now=call.deps.clock.now(),
            asking=case_asking(call.deps),
        )
        assert change.kind is not None  # a ladder move always puts its one event on the record
        summary = render_disputes.change_summary(change.dispute, change.kind, call.language)
        await answer(call.ack, *notice(summary))

    return run


async def note(call: Invocation) -> None:
    number, text = _id_and_text(call, Words(N_("`/dispute note D-3 Legal reviewed clause 7`")))
    actor = await call.deps.directory.person(call.user_id)
    change = await disputes.add_note(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        text=plain_text(text),
        now=call.deps.clock.now(),
    )
    await answer(
        call.ack,
        *notice(
            call.language._(
                "Internal note added to {ref}. It is exported, "
                "and never shown to a party or in a shared channel."
            ).format(ref=change.dispute.ref)
        ),
    )


async def add(call: Invocation) -> None:
    number, text = _id_and_text(call, Words(N_("`/dispute add D-3 @their-rep #their-channel`")))
    actor = await call.deps.directory.person(call.user_id)
    mentions = find_mentions(text)
    channels = list(mentions.channel_ids)
    for name in mentions.channel_names:
        found = await call.deps.directory.channel_named(name)
        if found is None:
            raise InvalidInput("dispute.channel_unseen", name=name)
        channels.append(found)
    people = await _people(call, text)
    if not people and not channels:
        raise InvalidInput("dispute.whom_or_channel")
    for channel_id in channels:
        await disputes.check_link(
            call.deps.store,
            workspace_id=call.workspace_id,
            number=number,
            actor=actor,
            channel_id=channel_id,
        )
    said: list[str] = []
    dispute: Dispute | None = None
    if people:
        change = await disputes.add_people(
            call.deps.store,
            workspace_id=call.workspace_id,
            number=number,
            actor=actor,
            people=people,
            config=call.deps.config,
            now=call.deps.clock.now(),
        )
        dispute = change.dispute
        said.append(
            md(
                call.language._("Added {people}."),
                people=Mrkdwn(" ").join(map(mention, change.text.split())),
            )
        )
    if not channels:
        assert dispute is not None
        await answer(
            call.ack,
            *notice(md("{}: {}", dispute.ref, Mrkdwn(" ").join(said))),
        )
        return
    await call.ack()
    for channel_id in channels:
        said.append(await _link(call, number, channel_id, actor))
    current = await disputes.get_dispute(
        call.deps.store, workspace_id=call.workspace_id, number=number, audience=Audience()
    )
    await call.respond(
        text=md("{}: {}", current.ref, Mrkdwn(" ").join(said)),
        response_type="ephemeral",
        replace_original=False,
    )


async def _link(call: Invocation, number: int, channel_id: str, actor: Person) -> str:
    """Post a linked root in the channel (joining it if public) and record it; what happened."""
    deps = call.deps
    channel = await deps.directory.channel(channel_id)
    if channel is None or (channel.is_private and not channel.is_member):
        return md(
            call.language._(
                "I can't post in {channel}: invite me there with `/invite @Parley`, "
                "then link it again."
            ),
            channel=channel_link(channel_id),
        )
    if not channel.is_member:
        try:
            await call.client.conversations_join(channel=channel_id)
        except SlackApiError as exc:
            return md(
                call.language._("I couldn't join {channel} ({error})."),
                channel=channel_link(channel_id),
                error=exc.response.get("error"),
            )
        deps.directory.forget_channel(channel_id)
    dispute = await disputes.check_link(
        deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        channel_id=channel_id,
    )
    audience = await deps.directory.audience(channel_id, call.workspace_id)
    clock = disputes.stage_clock(dispute, now=deps.clock.now(), calendar=deps.calendar)
    # A post in that channel: in the channel's language, whoever linked it.
    language = await channel_language(deps, channel_id, call.workspace_id)
    text, blocks = render_disputes.dispute_card(
        dispute,
        clock=clock,
        tz=deps.config.calendar.zone,
        audience=audience,
        language=language,
        linked=True,
        contracts=terms_of_parties(deps.config, dispute.parties),
    )
    try:
        ts = await outgoing.post(
            deps,
            call.client,
            channel=channel_id,
            workspace_id=call.workspace_id,
            text=text,
            blocks=blocks,
            about=outgoing.About(disputes=[dispute]),
        )
    except SlackApiError as exc:
        return md(
            call.language._("I couldn't post in {channel} ({error})."),
            channel=channel_link(channel_id),
            error=exc.response.get("error"),
        )
    if ts is None:
        return md(
            call.language._("{channel} is shared with none of {ref}'s parties: not linked."),
            channel=channel_link(channel_id),
            ref=dispute.ref,
        )
    await disputes.link_thread(
        deps.store,
        dispute=dispute,
        channel_id=channel_id,
        channel_name=channel.name,
        ts=ts,
        actor=actor,
        now=deps.clock.now(),
    )
    return md(
        call.language._("Linked a thread in {channel}: replies there go on the record."),
        channel=channel_link(channel_id),
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "open": open_,
    "list": list_,
    "show": show,
    "escalate": _ladder_action(Action.ESCALATE),
    "resolve": _ladder_action(Action.RESOLVE),
    "withdraw": _ladder_action(Action.WITHDRAW),
    "reopen": _ladder_action(Action.REOPEN),
    "note": note,
    "add": add,
    "meet": dispute_meetings.meet,
    "dossier": dossiers.dossier,
}

DISPUTE = SlashCommand(
    name="/dispute",
    subcommands=SUBCOMMANDS,
    usage=render_disputes.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /dispute. "
        "To answer a dispute, reply in its thread."
    ),
    mention_example=N_("`/dispute open Late report with @their-rep`"),
)
