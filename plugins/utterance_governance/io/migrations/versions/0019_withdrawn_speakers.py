"""``withdrawn_speakers``: the versions an opt-out's purge revoked, per withdrawn speaker.

An opt-out's purge revokes the versions holding the customer's rows and tells their training runs to stop
using them (``erase_copies`` false). A delete-all (or any deletion) of the same customer afterwards found
nothing live, made no version and told no training run to erase its copy. The store now keeps, per withdrawn
speaker, which versions the purge revoked (a range of version names and the versions compaction merged),
until a deletion of that customer announces the erasure. Keyed digests and version names only.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    if "withdrawn_speakers" not in sa.inspect(op.get_bind()).get_table_names():  # made by create_all
        op.create_table(
            "withdrawn_speakers",
            sa.Column("dataset", KEY, primary_key=True),
            sa.Column("speaker_key", KEY, primary_key=True),
            sa.Column("first_version", KEY, primary_key=True),
            sa.Column("last_version", KEY, primary_key=True),
            sa.Column("merged", sa.Text, nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("deletions_seen", sa.BigInteger, nullable=False),
            sa.Column("fold_key", KEY, nullable=True),
        )


def downgrade() -> None:
    op.drop_table("withdrawn_speakers")
