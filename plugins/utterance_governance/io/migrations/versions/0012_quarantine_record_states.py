"""``privacy_quarantine.record_states``: what an unreadable consent or deletion record readably states.

An unreadable record was released (and an unreadable consent record stopped counting as the opt-out it may
be) by any readable record under its id and of its customer sent after it, whatever that record said: an
unreadable delete-all was released by a listing of one utterance under its request id, and an unreadable
opt-out by an opt-in reusing its event id. The fields its raw line readably states (scope or status,
purpose, the times, a digest of the listed utterance ids) are kept now, and only a resend that says the
same in each of them is the same record sent again readable. NULL: the line states none readably, or the
row was made before this revision (any resend under its id answers it, as before).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("privacy_quarantine")}
    if "record_states" not in columns:  # made by create_all (tests' old stores)
        op.add_column("privacy_quarantine", sa.Column("record_states", sa.Text()))


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
