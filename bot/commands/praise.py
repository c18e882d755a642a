"""`/praise`, its list and the message shortcut "Record as praise": parse, call the praise
workflow, render the answer."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import outgoing, render_praise
from bot.commands.blocks import md, mention
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import find_mentions, names_text, plain_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.domain.parties import Person, is_external
from bot.domain.praise import PRAISED_LIMIT, PraiseSource
from bot.domain.text import as_plain
from bot.workflows import praise as workflow

_MENTION = r"(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>|@[\w.\-]{1,80})"
_LEADING = re.compile(rf"\s*(?:(?:and|,)\s*)?({_MENTION})[\s,]*")
_FROM = re.compile(rf"(?i)\s+from\s+({_MENTION})\s*$")


class PraiseForm(BaseModel):
    """What the shortcut's form carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,30}$")


FORM = Form(
    name="the praise form",
    metadata=PraiseForm,
    main_block=render_praise.TEXT_BLOCK,
    stale=N_("This form is out of date. Close it and use /praise instead."),
    blocks={
        "praised": render_praise.PRAISED_BLOCK,
        "praiser": render_praise.PRAISER_BLOCK,
        "text": render_praise.TEXT_BLOCK,
    },
    people_block=render_praise.PRAISED_BLOCK,
    limit=300,
)


def register(app: AsyncApp) -> None:
    app.command("/praise")(slash_command(PRAISE))
    app.shortcut(render_praise.SHORTCUT)(pressed("record as praise", from_message))
    app.view(render_praise.MODAL)(submitted(FORM, form_submitted))


def split_praise(text: str) -> tuple[list[str], str, str | None]:
    """`<@U1> @bea fixed it from <@U9>` → (["<@U1>", "@bea"], "fixed it", "<@U9>"): the
    people named first, what they did, and who gave the praise."""
    praiser: str | None = None
    tail = _FROM.search(text)
    if tail is not None:
        praiser, text = tail.group(1), text[: tail.start()]
    people: list[str] = []
    pos = 0
    while len(people) <= PRAISED_LIMIT:
        found = _LEADING.match(text, pos)
        if found is None:
            break
        people.append(found.group(1))
        pos = found.end()
    return people, text[pos:].strip(), praiser


async def _person(deps: Deps, ref: str, channel_id: str) -> Person:
    """The person a mention names (picked from Slack's list, or typed as @handle)."""
    picked = find_mentions(ref)
    if picked.user_ids:
        return await deps.directory.person(picked.user_ids[0])
    return await deps.directory.person_named(ref.lstrip("@"), channel_id)


async def _channel_teams(deps: Deps, channel_id: str, workspace_id: str) -> frozenset[str]:
    audience = await deps.directory.audience(channel_id, workspace_id)
    return frozenset() if audience.internal else audience.team_ids


async def give(call: Invocation) -> None:
    """`/praise @person … <what they did> [from @user]`."""
    deps = call.deps
    refs, text, by = split_praise(call.args)
    recorder = await deps.directory.person(call.user_id)
    praised = [await _person(deps, ref, call.channel_id) for ref in refs]
    praiser = await _person(deps, by, call.channel_id) if by else recorder
    recorded = await workflow.record_praise(
        deps.store,
        workspace_id=call.workspace_id,
        recorder=recorder,
        praiser=praiser,
        praised=praised,
        text=plain_text(text),
        channel_id=call.channel_id,
        channel_teams=await _channel_teams(deps, call.channel_id, call.workspace_id),
        source=PraiseSource.COMMAND,
        config=deps.config,
        now=deps.clock.now(),
    )
    text_, blocks = render_praise.recorded(
        recorded, channel=deps.config.channels.praise, language=call.language
    )
    await outgoing.answer(
        deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text_,
        blocks=blocks,
        # it names no party: the door lets it through wherever it was asked (and checks so)
        about=outgoing.NOTHING,
    )


async def list_(call: Invocation) -> None:
    """`/praise list [@person|party]`: internal, so never shown in a shared channel."""
    deps = call.deps
    actor = await deps.directory.person(call.user_id)
    refs, rest, _ = split_praise(call.args)
    person = None
    if refs and not rest:
        person = (await _person(deps, refs[0], call.channel_id)).user_id
    page = await workflow.list_praise(
        deps.store,
        workspace_id=call.workspace_id,
        actor=actor,
        person=person,
        party_name="" if person else names_text(call.args),
    )
    text, blocks = render_praise.praise_list(page, language=call.language)
    await outgoing.answer(
        deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )


SUBCOMMANDS: dict[str, Subcommand] = {"list": list_}


async def from_message(press: Press) -> None:
    """ "Record as praise": the form, with the message's words, its author as who praised
    when the author is an outside person, and the people it mentions as the praised."""
    message = press.body.get("message") or {}
    channel_id = str((press.body.get("channel") or {}).get("id") or "")
    author_id = str(message.get("user") or "")
    raw = str(message.get("text") or "")
    mentioned = find_mentions(raw).user_ids
    for user_id in mentioned[:PRAISED_LIMIT]:  # the form's text shows each mention as @name
        try:
            named = await press.deps.directory.person(user_id)
        except UnknownUser:
            continue
        raw = raw.replace(f"<@{user_id}>", f"<@{user_id}|{named.name}>")
    words = as_plain(plain_text(raw))
    praiser = None
    if author_id:
        author = await press.deps.directory.person(author_id)
        if is_external(author, press.workspace_id) and not author.is_bot:
            praiser = author_id
    praised = [u for u in mentioned if u != author_id][:PRAISED_LIMIT]
    form = PraiseForm(channel=channel_id)
    view = render_praise.modal(
        form.model_dump_json(),
        language=press.language,
        praised=praised,
        praiser=praiser,
        text=words.strip(),
        source=md(press.language._("From {author}'s message"), author=mention(author_id))
        if author_id
        else None,
    )
    try:
        await press.client.views_open(trigger_id=press.trigger_id, view=view)
    except SlackApiError as exc:
        await press.respond(
            text=press.language._("I couldn't open the form ({error}). Try again.").format(
                error=exc.response.get("error")
            ),
            response_type="ephemeral",
            replace_original=False,
        )


async def form_submitted(form: Submission[PraiseForm]) -> None:
    """Record the praise from the form; each refusal is shown on its field."""
    deps = form.deps
    recorder = await form.actor()
    chosen = form.value(render_praise.PRAISED_BLOCK, render_praise.PEOPLE_INPUT, "selected_users")
    ids = [str(u) for u in (chosen if isinstance(chosen, list) else [])][: PRAISED_LIMIT + 1]
    praised = [await deps.directory.person(u) for u in ids]
    by = form.value(render_praise.PRAISER_BLOCK, render_praise.PERSON_INPUT, "selected_user")
    praiser = await deps.directory.person(str(by)) if by else recorder
    text = str(form.value(render_praise.TEXT_BLOCK, render_praise.TEXT_INPUT) or "")
    await workflow.record_praise(
        deps.store,
        workspace_id=form.workspace_id,
        recorder=recorder,
        praiser=praiser,
        praised=praised,
        text=text,
        channel_id=form.form.channel,
        channel_teams=await _channel_teams(deps, form.form.channel, form.workspace_id),
        source=PraiseSource.MESSAGE,
        config=deps.config,
        now=deps.clock.now(),
    )
    # the post and the thanks are owed with the record (the outbox sends them)


PRAISE = SlashCommand(
    name="/praise",
    subcommands=SUBCOMMANDS,
    usage=render_praise.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /praise. "
        "Tell your contact there what went well, and they will record it."
    ),
    mention_example=N_("`/praise @sam fixed the VPN within an hour`"),
    default=give,
)
