"""The Slack adapter: each module parses one surface, calls a workflow and renders Block Kit."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import (
    agreements,
    audit_publish,
    audits,
    complaints,
    contracts,
    digests,
    dispute_buttons,
    disputes,
    events,
    fallback,
    identity,
    outgoing,
    parties,
    praise,
    reports,
    reviews,
    survey_cases,
    surveys,
    valueadds,
)
from bot.commands.steps import Step, Steps
from bot.commands.threads import capture_thread_messages

# Parley's middleware, in the order each request meets it: the isolation door around every
# answer, who is asking, then a reply's capture into its dispute or complaint, and into a
# review's minutes. Run as one Bolt middleware (`Steps`, see there why).
MIDDLEWARE: tuple[Step, ...] = (
    outgoing.guard_answers,
    identity.place_caller,
    capture_thread_messages,
    reviews.capture_review_minutes,
)


def register_all(app: AsyncApp, *first: Step) -> None:
    """Wire the middleware (`first`, then Parley's own) and every listener; the fallback goes
    last so it only sees what nothing else took."""
    app.use(Steps((*first, *MIDDLEWARE)))
    disputes.register(app)
    dispute_buttons.register(app)
    events.register(app)
    parties.register(app)
    agreements.register(app)
    complaints.register(app)
    digests.register(app)
    reviews.register(app)
    praise.register(app)
    valueadds.register(app)
    survey_cases.register(app)
    surveys.register(app)
    contracts.register(app)
    reports.register(app)
    audit_publish.register(app)
    audits.register(app)
    fallback.register(app)
