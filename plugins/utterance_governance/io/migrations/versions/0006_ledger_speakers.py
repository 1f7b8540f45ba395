"""``ledger_speakers``: which lineages hold a speaker's rows, in place of the ledger's speaker index.

The ledger's index keyed by the speaker alone took each night's rows on random pages of an index as
large as the dataset, so a night cost more the older the dataset was. A purge now finds a customer's
lineages in ``ledger_speakers`` (one row per speaker and lineage) and their rows by the shard index,
which becomes (dataset, shard_id, speaker_key). The table is filled from the ledger's rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "ledger_speakers" not in inspector.get_table_names():
        op.create_table(
            "ledger_speakers",
            sa.Column("dataset", KEY, primary_key=True),
            sa.Column("speaker_key", KEY, primary_key=True),
            sa.Column("shard_id", KEY, primary_key=True),
        )
        op.execute(
            "INSERT INTO ledger_speakers (dataset, speaker_key, shard_id) "
            "SELECT DISTINCT dataset, speaker_key, shard_id FROM ledger"
        )
        op.create_index("ix_ledger_speakers_shard", "ledger_speakers", ["dataset", "shard_id"])
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("ledger")}
    if "ix_ledger_speaker" in indexes:
        op.drop_index("ix_ledger_speaker", table_name="ledger")
    if indexes.get("ix_ledger_shard") != ["dataset", "shard_id", "speaker_key"]:
        if "ix_ledger_shard" in indexes:
            op.drop_index("ix_ledger_shard", table_name="ledger")
        op.create_index("ix_ledger_shard", "ledger", ["dataset", "shard_id", "speaker_key"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE ledger_speakers")


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
