"""``privacy_quarantine.record_effective``: the ``effective_at`` an unreadable consent record states.

A consent hold was released by a later valid event, and the unreadable record then counted for nothing:
read, it might have been an opt-out whose gap (captures between it and a later opt-in) stays out for good,
or one that outranks an opt-in recorded within the clock skew after it. Until acknowledged, an unreadable
consent record now counts as an opt-out from the time it states (from the earliest capture when it states
none readably), recorded when it states (or when it was taken in): a released hold leaves the verdict
what the worst reading of the record would make it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("privacy_quarantine")}
    if "record_effective" not in columns:  # made by create_all (tests' old stores)
        op.add_column("privacy_quarantine", sa.Column("record_effective", sa.DateTime(timezone=True)))


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
