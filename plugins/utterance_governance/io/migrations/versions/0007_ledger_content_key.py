"""``ix_ledger_content`` keyed by the content hash's first 8 characters, not (dataset, full hash).

A night's ledger rows go in in content-hash order, so the insert sweeps this index from one end to
the other: its cost grew with the dataset (1M rows onto a 20M-row store: 44.1 s against 13.5 s onto
an empty one). An index of 32-bit keys is a third of the size, and so is the sweep (21.5 s). The
duplicate rule looks a hash up by its key and compares the full hash on the row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY_CHARS = 8  # store_schema.CONTENT_KEY_CHARS when this revision was written


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_ledger_content")  # SQLite does not reflect an expression index
    op.execute(f"CREATE INDEX ix_ledger_content ON ledger (substr(content_hash, 1, {KEY_CHARS}))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE ledger")


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
