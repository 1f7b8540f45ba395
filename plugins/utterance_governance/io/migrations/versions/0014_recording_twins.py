"""``recording_twins``: which dropped duplicate repeats which live row of the same speaker.

An upstream that delivers a recording again under a new ``utterance_id`` makes two rows with one content;
dedup publishes one of them. A deletion listing the other id must reach the live one, and a listing of the
live id must withdraw the other for good (a ``reprocess`` would publish it, no longer a duplicate). The
publish records (duplicate's id, live row's id, dataset) for each duplicate whose content went live under the
same speaker key: ids as the ledger keeps them, no speaker key (a key rotation would leave it stale), no
text. The pairs go when the listing that reaches them is carried out, or with the live row's ledger rows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    if "recording_twins" not in sa.inspect(op.get_bind()).get_table_names():  # made by create_all
        op.create_table(
            "recording_twins",
            sa.Column("utterance_id", KEY, primary_key=True),
            sa.Column("twin_of", KEY, primary_key=True),
            sa.Column("dataset", KEY, primary_key=True),
        )
        op.create_index("ix_recording_twins_twin_of", "recording_twins", ["twin_of"])


def downgrade() -> None:
    op.drop_index("ix_recording_twins_twin_of", table_name="recording_twins")
    op.drop_table("recording_twins")
