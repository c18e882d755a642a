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
    threads,
    valueadds,
)


def register_all(app: AsyncApp) -> None:
    """Wire every listener; the fallback goes last so it only sees what nothing else took."""
    outgoing.register(app)
    identity.register(app)  # who is asking, before any listener
    threads.register(app)
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
    contracts.register(app)
    reports.register(app)
    audit_publish.register(app)
    audits.register(app)
    fallback.register(app)
