"""The tables added since schema version 3: ``alerts_sent`` (alerts told once per subject and state)
and ``training_runs`` (which training run consumed which version). ``store_meta.schema_version``
becomes 4, which code from before Alembic refuses ("older than the store") instead of misreading.

A store of schema version 3 made before Alembic may hold some of this already (earlier code created
new tables, and version 3's ``searched`` column and content-hash index, on every start): what is
there is kept, what is missing is added.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "searched" not in {c["name"] for c in inspector.get_columns("deletion_receipts")}:
        op.add_column("deletion_receipts", sa.Column("searched", sa.Text))
    if "ix_ledger_content" not in {i["name"] for i in inspector.get_indexes("ledger")}:
        op.create_index("ix_ledger_content", "ledger", ["dataset", "content_hash"])
    if "landing_arrivals" not in tables:
        op.create_table(
            "landing_arrivals",
            sa.Column("path", sa.Text, primary_key=True),
            sa.Column("first_read_at", STAMP, nullable=False),
            sa.Column("landed_at", STAMP, nullable=False),
        )
    if "alerts_sent" not in tables:
        op.create_table(
            "alerts_sent",
            sa.Column("subject_key", sa.String, primary_key=True),
            sa.Column("state", sa.String(32), primary_key=True),
            sa.Column("sent_at", STAMP, nullable=False),
            sa.Column("title", sa.String, nullable=False),
            sa.Column("channels", sa.Text, nullable=False),
        )
    if "training_runs" not in tables:
        op.create_table(
            "training_runs",
            sa.Column("dataset", KEY, primary_key=True),
            sa.Column("dag_id", KEY, primary_key=True),
            sa.Column("run_id", KEY, primary_key=True),
            sa.Column("version", KEY, nullable=False),
            sa.Column("consumed_at", STAMP, nullable=False),
            sa.Column("manifest_url", sa.Text),
            sa.Column("key_fingerprint", KEY),
            sa.Column("rows", sa.BigInteger),
            sa.Column("details", sa.Text),
        )
        op.create_index("ix_training_runs_version", "training_runs", ["dataset", "version"])
    op.execute("UPDATE store_meta SET value = '4' WHERE key = 'schema_version'")


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
