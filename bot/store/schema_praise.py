"""Praise's (P-n) and value-added services' (V-n) tables, on the one metadata of
`bot/store/schema.py` (which names them too)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.schema import metadata
from bot.store.types import UTCDateTime

# Praise (P-n): who praised, the party it came from, what they did; whom is `praise_people`.
praise = sa.Table(
    "praise",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("praiser_id", sa.String(32), nullable=False),
    sa.Column("praiser_internal", sa.Boolean, nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("recorded_by", sa.String(32), nullable=False),
    sa.Column("channel_id", sa.String(32), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # command, message
    # Its post in the praise channel, once posted.
    sa.Column("posted_channel", sa.String(32), nullable=True),
    sa.Column("posted_ts", sa.String(32), nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_praise_workspace_number"),
)
sa.Index("ix_praise_workspace_party", praise.c.workspace_id, praise.c.party_id)
# The report's praise given in a period, of every party or of one, counted from the index alone
# (migration 0029).
sa.Index("ix_praise_period", praise.c.workspace_id, praise.c.at, praise.c.party_id)

# The people praised, in the order they were named.
praise_people = sa.Table(
    "praise_people",
    metadata,
    sa.Column(
        "praise_id",
        sa.Integer,
        sa.ForeignKey("praise.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)
sa.Index("ix_praise_people_user", praise_people.c.user_id)

# Value-added services (V-n) for customer parties; amounts exact, in cents and tenths.
valueadds = sa.Table(
    "valueadds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(32), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("done_on", sa.Date, nullable=False),
    sa.Column("cost_cents", sa.BigInteger, nullable=True),
    sa.Column("hours_tenths", sa.Integer, nullable=True),
    # The four checks: true (yes), false (no), null (not answered yet).
    sa.Column("keeps_agreed_services", sa.Boolean, nullable=True),
    sa.Column("fits_real_need", sa.Boolean, nullable=True),
    sa.Column("cost_within_accepted", sa.Boolean, nullable=True),
    sa.Column("can_build_on", sa.Boolean, nullable=True),
    sa.Column("recorded_by", sa.String(32), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("checks_by", sa.String(32), nullable=True),
    sa.Column("checks_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("workspace_id", "number", name="uq_valueadds_workspace_number"),
)
sa.Index("ix_valueadds_workspace_party", valueadds.c.workspace_id, valueadds.c.party_id)
