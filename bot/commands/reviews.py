"""`/review`: parse, call the reviews workflow, render the answer; the action items' Done
button; and minutes replied in a reminder's thread (a middleware of its own)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.commands import outgoing, render_review_times, render_reviews
from bot.commands.blocks import Blocks, channel_link, md, mention, notice
from bot.commands.common import workspace_of
from bot.commands.deps import Deps
from bot.commands.dispute_meetings import agenda_for
from bot.commands.interactions import Press, pressed
from bot.commands.messages import MessageEvent
from bot.commands.parsing import find_mentions, names_text, plain_text, split_with
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.domain import review_schedule
from bot.domain.errors import InvalidInput
from bot.domain.parties import Audience, Person
from bot.domain.reviews import Review
from bot.workflows import review_reminders, reviews, reviews_actions

log = logging.getLogger(__name__)

_OWNER = re.compile(r"^(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|@[\w.\-]{1,80})(?:\s+|$)")


def register(app: AsyncApp) -> None:
    app.command("/review")(slash_command(REVIEW))
    app.action(render_reviews.DONE_BUTTON)(pressed("an action item's Done button", done_button))


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


async def _person(call: Invocation, mention: str) -> Person:
    found = find_mentions(mention)
    if found.user_ids:
        return await call.deps.directory.person(found.user_ids[0])
    if found.handles:
        return await call.deps.directory.person_named(found.handles[0], call.channel_id)
    raise InvalidInput("review.not_a_person", text=names_text(mention[:40]))


async def _check_channel(call: Invocation) -> None:
    """Refuse, before anything is stored, a conversation where reminders could not go."""
    channel = await call.deps.directory.channel(call.channel_id)
    if channel is None or channel.is_im:
        raise InvalidInput("review.cannot_post")
    if channel.is_private and not channel.is_member:
        raise InvalidInput("review.not_in_private")


async def _id_and_text(call: Invocation, which: str) -> tuple[int, str]:
    """R-n and the text after it; `which` is the code of the refusal when there is none."""
    parts = call.args.split(None, 1)
    if not parts:
        raise InvalidInput(which)
    return review_schedule.parse_review_number(parts[0]), parts[1] if len(parts) > 1 else ""


async def _audience(call: Invocation) -> Audience:
    return await call.deps.directory.audience(call.channel_id, call.workspace_id)


async def schedule(call: Invocation) -> None:
    await _check_channel(call)
    deps = call.deps
    me = await deps.directory.person(call.user_id)
    now = deps.clock.now()
    reading = review_schedule.read_schedule(
        call.args,
        now=now,
        profile_tz=me.tz,
        default_tz=deps.config.calendar.timezone,
        calendar=deps.calendar,
    )
    title, with_text = split_with(reading.head)
    mentions = find_mentions(with_text)
    people = [await deps.directory.person(u) for u in mentions.user_ids]
    people += [await deps.directory.person_named(h, call.channel_id) for h in mentions.handles]
    channel = await deps.directory.channel(call.channel_id)
    shared_teams: list[tuple[str, str | None]] | None = None
    if channel is not None and channel.is_shared:
        teams = sorted(channel.team_ids - {call.workspace_id})
        shared_teams = [(team, await deps.directory.team_name(team)) for team in teams]
    review = await reviews.schedule_review(
        deps.store,
        workspace_id=call.workspace_id,
        channel_id=call.channel_id,
        shared_teams=shared_teams,
        owner=me,
        title=plain_text(title),
        people=people,
        schedule=reading,
        config=deps.config,
        now=now,
    )
    late = _late(deps, review)
    text, blocks = render_reviews.scheduled(
        review,
        reading=render_review_times.reading_text(reading.when, call.language),
        late=late,
        language=call.language,
    )
    await _answer(call, text, blocks, outgoing.About(parties=review.parties))


def _late(deps: Deps, review: Review) -> date | None:
    if review.next_at is None:
        return None
    return review_reminders.meeting_late(review, review.next_at, deps.calendar)


async def list_(call: Invocation) -> None:
    word = call.args.strip().lower()
    if word not in ("", "all"):
        raise InvalidInput("review.bad_list", text=names_text(word[:40]))
    audience = await _audience(call)
    found = await reviews.list_reviews(
        call.deps.store,
        workspace_id=call.workspace_id,
        include_all=word == "all",
        audience=audience,
    )
    counts = await reviews.open_action_counts(call.deps.store, reviews=found)
    text, blocks = render_reviews.review_list(
        found, include_all=word == "all", open_actions=counts, language=call.language
    )
    parties = [p for r in found for p in r.parties]
    await _answer(call, text, blocks, outgoing.About(parties=parties))


async def show(call: Invocation) -> None:
    number, _ = await _id_and_text(call, "review.which_show")
    audience = await _audience(call)
    record = await reviews.review_record(
        call.deps.store, workspace_id=call.workspace_id, number=number, audience=audience
    )
    text, blocks = render_reviews.review_record(
        record.review,
        record.actions,
        record.minutes,
        audience=audience,
        late=_late(call.deps, record.review),
        language=call.language,
        agenda=await agenda_for(call.deps, record.review, audience, call.language),
    )
    await _answer(call, text, blocks, outgoing.About(parties=record.review.parties))


async def cancel(call: Invocation) -> None:
    number, _ = await _id_and_text(call, "review.which_cancel")
    actor = await call.deps.directory.person(call.user_id)
    review = await reviews.cancel_review(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        audience=await _audience(call),
        now=call.deps.clock.now(),
    )
    message = call.language._(
        "{ref} · {title} is cancelled: no more reminders. "
        "Its minutes and action items stay on record."
    ).format(ref=review.ref, title=review.title)
    await _answer(call, *notice(message), outgoing.About(parties=review.parties))


async def skip(call: Invocation) -> None:
    number, _ = await _id_and_text(call, "review.which_skip")
    actor = await call.deps.directory.person(call.user_id)
    review, skipped = await reviews.skip_next(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        audience=await _audience(call),
        calendar=call.deps.calendar,
        now=call.deps.clock.now(),
    )
    language = call.language
    tz = review_schedule.zone_named(review.tz)
    when = render_reviews.when_text(review, language)
    # An English line starts a sentence here: capitalize() as the answer always had it (it
    # lowers the rest too); a line that starts uncased (Chinese) is left as it is.
    when = when.capitalize() if when[:1].islower() else when
    message = language._("{ref} · {title}: {skipped} is skipped. {when}.").format(
        ref=review.ref,
        title=review.title,
        skipped=render_review_times.occurrence_text(skipped, tz, language),
        when=when,
    )
    await _answer(call, *notice(message), outgoing.About(parties=review.parties))


async def minutes(call: Invocation) -> None:
    number, text = await _id_and_text(call, "review.which_minutes")
    author = await call.deps.directory.person(call.user_id)
    review, occurrence = await reviews_actions.record_minutes(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        audience=await _audience(call),
        author=author,
        text=plain_text(text),
        now=call.deps.clock.now(),
    )
    language = call.language
    met = render_review_times.occurrence_text(
        occurrence, review_schedule.zone_named(review.tz), language
    )
    message = language._(
        "Added to the minutes of {ref} ({met}). Minutes typed here are internal: "
        "exported, never shown in a shared channel."
    ).format(ref=review.ref, met=met)
    await _answer(call, *notice(message), outgoing.About(parties=review.parties))


async def action(call: Invocation) -> None:
    number, rest = await _id_and_text(call, "review.which_action")
    owner_match = _OWNER.match(rest.strip())
    if owner_match is None:
        raise InvalidInput("review.whose_action")
    deps = call.deps
    owner = await _person(call, owner_match.group(1))
    actor = await deps.directory.person(call.user_id)
    tz = review_schedule.zone_named(
        actor.tz or deps.config.calendar.timezone, from_profile=actor.tz is not None
    )
    when, text = review_schedule.read_due(
        rest.strip()[owner_match.end() :], now=deps.clock.now(), tz=tz, calendar=deps.calendar
    )
    item, review = await reviews_actions.add_action(
        deps.store,
        workspace_id=call.workspace_id,
        number=number,
        audience=await _audience(call),
        actor=actor,
        owner=owner,
        when=when,
        text=plain_text(text),
        now=deps.clock.now(),
    )
    message = md(
        call.language._(
            "{ref} from {review}: {text} — {owner}, due {when}. It is posted in {channel} "
            "with a Done button, and its owner is reminded on the due date."
        ),
        ref=item.ref,
        review=review.ref,
        text=item.text,
        owner=mention(item.owner_id),
        when=render_review_times.occurrence_text(item.due_at, tz, call.language),
        channel=channel_link(review.channel_id),
    )
    await _answer(call, *notice(message), outgoing.About(parties=review.parties))


async def done(call: Invocation) -> None:
    parts = call.args.split()
    if not parts:
        raise InvalidInput("review.which_item")
    number = review_schedule.parse_action_number(parts[0])
    actor = await call.deps.directory.person(call.user_id)
    item, review = await reviews_actions.complete_action(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=actor,
        audience=await _audience(call),
        now=call.deps.clock.now(),
    )
    message = call.language._("{ref} is done: {text}").format(ref=item.ref, text=item.text)
    # A scorecard's improvement action (no review) is internal business.
    about = outgoing.About(parties=review.parties) if review else outgoing.About(internal=True)
    await _answer(call, *notice(message), about)


async def done_button(press: Press) -> None:
    """Done on an action item: any member of the workspace may press it; people of other
    organisations are refused by the identity gate before this runs, and nothing changes."""
    deps = press.deps
    number = review_schedule.parse_action_number(press.value)
    actor = await press.actor()
    container = press.body.get("container") or {}
    channel = str(container.get("channel_id") or "")
    audience = await deps.directory.audience(channel, press.workspace_id)
    pressed_message = None
    if (
        container.get("channel_id")
        and container.get("message_ts")
        and not container.get("is_ephemeral")
    ):
        pressed_message = (str(container["channel_id"]), str(container["message_ts"]))
    item, _ = await reviews_actions.complete_action(
        deps.store,
        workspace_id=press.workspace_id,
        number=number,
        actor=actor,
        audience=audience,
        now=deps.clock.now(),
        pressed=pressed_message,
    )
    if container.get("is_ephemeral") and container.get("message_ts"):
        # An ephemeral message cannot be edited with chat.update: answer through respond.
        # The ephemeral copy is the presser's; the channel's message is edited for the channel.
        text, blocks = render_reviews.action_message(item, press.language)
        await press.respond(text=text, blocks=blocks, replace_original=True)


SUBCOMMANDS: dict[str, Subcommand] = {
    "schedule": schedule,
    "list": list_,
    "show": show,
    "cancel": cancel,
    "skip": skip,
    "minutes": minutes,
    "action": action,
    "done": done,
}


# ------------------------------------------------------------------ minutes from threads


async def capture_review_minutes(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse | None]],
) -> BoltResponse | None:
    """A human reply in a review reminder's thread goes into that meeting's minutes.

    Like the dispute thread capture, this runs before Bolt acknowledges the event, so what
    Slack was told we received is stored; a failure answers 500 and Slack delivers again
    (the event id makes the second delivery record nothing twice). It always hands the event
    on, so the other listeners (dispute capture among them) see it too.
    """
    event = MessageEvent.of(body)
    deps: Deps | None = context.get("deps")
    if event is None or deps is None:
        return await next()
    try:
        await record_review_minutes(event, deps, workspace_of(context), context.bot_user_id)
    except Exception:
        log.exception("recording minutes from a thread failed; Slack will deliver it again")
        return BoltResponse(status=500, body="")
    return await next()


async def record_review_minutes(
    event: MessageEvent, deps: Deps, workspace_id: str, bot_user_id: str | None
) -> None:
    """A person's new reply in a reminder's thread into that meeting's minutes (an edit or a
    deletion leaves the minutes as they were). Raises when storing fails. Run by the
    middleware above (Socket Mode) and by the HTTP edge (`bot/commands/events.py`)."""
    message = event.in_thread(event.posted) if event.is_person_posting(bot_user_id) else None
    if message is None:
        return
    if deps.runtime.known_threads.get(message.channel_id, message.thread_ts) is not None:
        # A dispute's or a complaint's thread (the capture before this one just found it) is
        # no review's: each thread is under a message Parley posted for one record (a card, a
        # linked card, a reminder, a prompt). Not asked again of the database.
        return
    found = await reviews_actions.thread_review(
        deps.store, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if found is not None:
        await reviews_actions.record_thread_minutes(
            deps.store,
            workspace_id=workspace_id,
            message=message,
            author=deps.directory.known(message.author_id) or event.posted.author_by_event(),
            config=deps.config,
            now=deps.clock.now(),
        )


REVIEW = SlashCommand(
    name="/review",
    subcommands=SUBCOMMANDS,
    usage=render_reviews.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /review. "
        "To add to a meeting's minutes, reply in its reminder's thread."
    ),
    mention_example=N_("`/review schedule Monthly service review with @their-rep monthly`"),
)
