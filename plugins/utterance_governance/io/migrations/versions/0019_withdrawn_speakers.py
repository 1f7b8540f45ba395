"""``withdrawn_speakers``: the versions an opt-out's purge revoked, per withdrawn speaker.

An opt-out's purge revokes the versions holding the customer's rows and tells their training runs to stop
using them (``erase_copies`` false). A delete-all (or any deletion) of the same customer afterwards found
nothing live, made no version and told no training run to erase its copy. The store now keeps, per withdrawn
speaker, which versions the purge revoked (a range of version names and the versions compaction merged),
until a deletion of that customer announces the erasure. Keyed digests and version names only. The withdrawals
before this revision are recorded by the first purge after it (it holds the pseudonym key, this migration does
not): every customer with an opt-out or a hold, over every version, each deletion of theirs due (fail closed).

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


# store_meta's key of a dataset whose withdrawals before this revision are not recorded: the first purge with the
# pseudonym key records them, fail closed (``purge.withdrawn.backfill``)
BACKFILL_KEY = "withdrawn_backfill:{dataset}"


def upgrade() -> None:
    bind = op.get_bind()
    if "withdrawn_speakers" not in sa.inspect(bind).get_table_names():  # made by create_all
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
    # a store with published versions: the purges before this revision withdrew speakers it has no record of
    datasets = [d for (d,) in bind.execute(sa.text("SELECT DISTINCT dataset FROM dataset_versions"))]
    for dataset in datasets:
        key = BACKFILL_KEY.format(dataset=dataset)[:64]
        if not bind.execute(sa.text("SELECT 1 FROM store_meta WHERE key = :k"), {"k": key}).first():
            bind.execute(sa.text("INSERT INTO store_meta (key, value) VALUES (:k, 'pending')"), {"k": key})


def downgrade() -> None:
    op.drop_table("withdrawn_speakers")
