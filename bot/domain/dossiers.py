"""A dispute's dossier: the whole record as one file, for the company and for legal.

What the dossier is made of is read by `bot/workflows/dossiers.py` and written out by
`bot/commands/render_dossiers.py`; here are the rules both keep: how many events are read at
once, what the file is called, and what Slack was told of a file already sent (`Upload`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.records import Record

# The timeline is read this many events at a time: a dispute may hold thousands.
BATCH = 500


def filename(ref: str, generated_at: datetime, extension: str) -> str:
    """`D-3-dossier-20261123-0200Z.html`: the dispute, and when (UTC) it was generated."""
    return f"{ref}-dossier-{generated_at.astimezone(UTC):%Y%m%d-%H%M}Z.{extension}"


class Upload(Record):
    """The files one notice uploaded: recorded before Slack is asked to share them, marked
    shared once it has. A retried delivery that finds it asks Slack before sending again."""

    outbox_id: int
    channel_id: str
    file_ids: tuple[str, ...]
    uploaded_at: datetime
    shared_at: datetime | None = None

    @property
    def shared(self) -> bool:
        return self.shared_at is not None
