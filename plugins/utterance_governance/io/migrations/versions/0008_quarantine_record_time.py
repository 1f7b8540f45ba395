"""``privacy_quarantine.record_time``: the time an unreadable consent or deletion record states itself
(its ``recorded_at`` or ``requested_at``), when that field is readable.

A hold was released by any valid record of the customer ingested after the unreadable one: an older
opt-in delivered late by another source undid an opt-out whose status nobody could read. A consent hold
is now released by the same event sent again readable, or by a valid event recorded after the
unreadable one's time; a deletion hold only by the same request sent again readable (deletions add up:
one never replaces another) or by an acknowledgement.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("privacy_quarantine")}
    if "record_time" not in columns:  # made by create_all (tests' old stores)
        op.add_column("privacy_quarantine", sa.Column("record_time", sa.DateTime(timezone=True)))


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
