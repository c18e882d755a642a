"""`/dispute meet D-n <when> [with @user …]`: parse, call the dispute-meetings workflow, answer.

The meeting is a one-off review R-n in the dispute's channel; its reminders, minutes and
`/review` commands are the reviews' (bot/commands/reviews.py)."""

from __future__ import annotations

from bot.commands import outgoing, render_dispute_meetings, render_review_times
from bot.commands.deps import Deps
from bot.commands.parsing import find_mentions, plain_text, split_with
from bot.commands.router import Invocation
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain import review_schedule
from bot.domain.errors import InvalidInput
from bot.domain.marks import Words
from bot.domain.parties import Audience
from bot.domain.reviews import Review
from bot.workflows import dispute_meetings, disputes

EXAMPLE = Words(N_("`/dispute meet D-3 next Tuesday 3pm with @their-rep`"))


async def meet(call: Invocation) -> None:
    parts = call.args.split(None, 1)
    if not parts:
        raise InvalidInput("dispute.which", example=EXAMPLE)
    number = disputes.parse_number(parts[0])
    when_text, with_text = split_with(parts[1] if len(parts) > 1 else "")
    deps = call.deps
    audience = await deps.directory.audience(call.channel_id, call.workspace_id)
    # Where the meeting will be: the dispute's channel (a dispute not of this channel's
    # parties is as good as absent, before anything is read).
    dispute = await disputes.get_dispute(
        deps.store, workspace_id=call.workspace_id, number=number, audience=audience
    )
    me = await deps.directory.person(call.user_id)
    now = deps.clock.now()
    when = review_schedule.read_meeting_time(
        plain_text(when_text),
        now=now,
        profile_tz=me.tz,
        default_tz=deps.config.calendar.timezone,
        calendar=deps.calendar,
    )
    mentions = find_mentions(with_text)
    people = [await deps.directory.person(u) for u in mentions.user_ids]
    people += [await deps.directory.person_named(h, call.channel_id) for h in mentions.handles]
    channel = await deps.directory.channel(dispute.channel_id)
    shared_teams: list[tuple[str, str | None]] | None = None
    if channel is not None and channel.is_shared:
        teams = sorted(channel.team_ids - {call.workspace_id})
        shared_teams = [(team, await deps.directory.team_name(team)) for team in teams]
    dispute, review = await dispute_meetings.call_meeting(
        deps.store,
        workspace_id=call.workspace_id,
        number=number,
        actor=me,
        asked_in=audience,
        title_words=call.language._(render_dispute_meetings.TITLE),
        when=when,
        people=people,
        shared_teams=shared_teams,
        config=deps.config,
        now=now,
    )
    text, blocks = render_dispute_meetings.called(
        dispute,
        review,
        reading=render_review_times.reading_text(when, call.language),
        language=call.language,
    )
    await outgoing.answer(
        deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(disputes=[dispute], parties=review.parties),
    )


async def agenda_for(
    deps: Deps, review: Review, audience: Audience, language: Language
) -> list[str] | None:
    """The agenda of a dispute's meeting as this audience may see it now (the dispute's
    summary), or ``None`` for any other review (which keeps the default agenda)."""
    agenda = await dispute_meetings.agenda_of(deps.store, review=review)
    if agenda is None:
        return None
    clock = disputes.stage_clock(agenda.dispute, now=deps.clock.now(), calendar=deps.calendar)
    return render_dispute_meetings.agenda_lines(
        agenda.dispute,
        agenda.events,
        clock=clock,
        tz=deps.config.calendar.zone,
        audience=audience,
        language=language,
    )
