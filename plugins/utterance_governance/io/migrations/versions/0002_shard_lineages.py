"""Schema version 2: shard lineages in the ledger (``shard_id``, ``ended_in``); each shard its own
lineage so far. The store records its schema version (``store_meta``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.alter_column("ledger", "shard_path", new_column_name="shard_id")  # native on SQLite 3.25+ too
    op.add_column("ledger", sa.Column("ended_in", KEY))
    op.add_column("version_shards", sa.Column("shard_id", KEY, nullable=False, server_default=""))
    op.execute("UPDATE version_shards SET shard_id = shard_path")
    with op.batch_alter_table("version_shards") as batch:  # SQLite: the table is copied without the default
        batch.alter_column("shard_id", existing_type=KEY, existing_nullable=False, server_default=None)
    op.create_index("ix_version_shards_lineage", "version_shards", ["dataset", "shard_id"])
    op.create_index(
        "ix_ledger_ended",
        "ledger",
        ["dataset", "ended_in"],
        sqlite_where=sa.text("ended_in IS NOT NULL"),
        postgresql_where=sa.text("ended_in IS NOT NULL"),
    )
    store_meta = op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )
    op.bulk_insert(store_meta, [{"key": "schema_version", "value": "2"}])


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
