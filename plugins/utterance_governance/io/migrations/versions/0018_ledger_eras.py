"""``ledger.era``: the ledger's two indexes keyed by hashes (ids, contents) lead with a part of the ledger.

A night's rows land on random pages of those indexes; once they outgrow the insert's page cache, a night
onto an old dataset reads its pages from disk (1.1M rows: 11.3 s onto an 11.1M-row ledger, 3.3 s onto an
empty one). A night's rows now go into the youngest era while it is small enough, else into a new one
(``store_schema.LEDGER_ERA_ROWS``); every lookup probes each era. The rows already recorded are era 0.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KEY_CHARS = 8  # store_schema.CONTENT_KEY_CHARS when this revision was written


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "ledger_eras" not in inspector.get_table_names():
        op.create_table(
            "ledger_eras",
            sa.Column("era", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("rows", sa.BigInteger, nullable=False),
        )
    columns = {c["name"] for c in inspector.get_columns("ledger")}
    if "era" not in columns:  # (made by create_all in the tests' stores of older shapes)
        op.execute(
            "INSERT INTO ledger_eras (era, rows) SELECT 0, n FROM (SELECT count(*) AS n FROM ledger) AS c WHERE n > 0"
        )
        # constant default: SQLite and PostgreSQL add the column without rewriting the table
        op.add_column("ledger", sa.Column("era", sa.Integer, nullable=False, server_default=sa.text("0")))
    op.execute("DROP INDEX IF EXISTS ix_ledger_utterance")
    op.execute("DROP INDEX IF EXISTS ix_ledger_content")  # SQLite does not reflect an expression index
    op.execute("CREATE INDEX ix_ledger_utterance ON ledger (era, utterance_key)")
    op.execute(f"CREATE INDEX ix_ledger_content ON ledger (era, substr(content_hash, 1, {KEY_CHARS}))")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE ledger")


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
