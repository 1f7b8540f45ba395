"""The ledger without its primary key: ids are found by ``utterance_key``, a 64-bit hash of the id.

The primary key (dataset, utterance_id, shard_id) was an index of ids and paths in random order, larger
than a night's page cache: half of a night's ledger insert. Its rows are now found by
``ix_ledger_utterance`` on ``utterance_key`` (``store_schema.utterance_keys``: FNV-1a of the id), the id
compared on the row, and a night's rows go in in lineage order. Each existing row gets its key.

SQLite cannot drop a primary key: the table is made again, its rows copied in lineage order (keys
computed by a function of this connection) and its indexes built on the copy. PostgreSQL: the column is
added and filled by id, then the constraint dropped.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from alembic import op

from utterance_governance.io.store_schema import utterance_key

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
KEY_CHARS = 8  # store_schema.CONTENT_KEY_CHARS (revision 0007)
_COLUMNS = (
    "dataset, utterance_id, shard_id, speaker_key, content_hash, captured_at, landed_at, locale, ended_in"
)
_BATCH = 100_000


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite()
    else:
        _postgresql()


def _sqlite() -> None:
    op.get_bind().connection.driver_connection.create_function(
        "ug_utterance_key", 1, utterance_key, deterministic=True
    )
    op.create_table(
        "ledger_new",
        sa.Column("dataset", KEY, nullable=False),
        sa.Column("utterance_id", KEY, nullable=False),
        sa.Column("shard_id", KEY, nullable=False),
        sa.Column("utterance_key", sa.BigInteger, nullable=False),
        sa.Column("speaker_key", KEY, nullable=False),
        sa.Column("content_hash", KEY, nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("landed_at", sa.DateTime(timezone=True)),
        sa.Column("locale", KEY),
        sa.Column("ended_in", KEY),
    )
    op.execute(
        f"INSERT INTO ledger_new ({_COLUMNS}, utterance_key) SELECT {_COLUMNS}, ug_utterance_key(utterance_id) "
        "FROM ledger ORDER BY dataset, shard_id, speaker_key, utterance_id"
    )
    op.execute("DROP TABLE ledger")
    op.execute("ALTER TABLE ledger_new RENAME TO ledger")
    op.create_index("ix_ledger_shard", "ledger", ["dataset", "shard_id", "speaker_key"])
    op.create_index(
        "ix_ledger_ended", "ledger", ["dataset", "ended_in"], sqlite_where=sa.text("ended_in IS NOT NULL")
    )
    op.execute(f"CREATE INDEX ix_ledger_content ON ledger (substr(content_hash, 1, {KEY_CHARS}))")
    op.create_index("ix_ledger_utterance", "ledger", ["utterance_key"])


def _postgresql() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE ledger ADD COLUMN IF NOT EXISTS utterance_key BIGINT")
    op.execute(
        'CREATE TEMP TABLE ug_utterance_keys (utterance_id TEXT COLLATE "C", utterance_key BIGINT) ON COMMIT DROP'
    )
    cursor = bind.connection.driver_connection.cursor()
    try:
        ids = bind.execute(  # streamed: a statement's option, not the connection's
            sa.text("SELECT DISTINCT utterance_id FROM ledger WHERE utterance_key IS NULL").execution_options(
                stream_results=True, yield_per=_BATCH
            )
        )
        for batch in ids.scalars().partitions(_BATCH):
            rows = "".join(f"{_csv(i)},{utterance_key(i)}\n" for i in batch)
            sql = "COPY ug_utterance_keys FROM STDIN WITH (FORMAT csv)"
            if hasattr(cursor, "copy_expert"):  # psycopg2
                cursor.copy_expert(sql, io.StringIO(rows))
            else:  # psycopg 3
                with cursor.copy(sql) as copy:
                    copy.write(rows)
    finally:
        cursor.close()
    op.execute(
        "UPDATE ledger AS l SET utterance_key = k.utterance_key FROM ug_utterance_keys AS k "
        "WHERE l.utterance_key IS NULL AND l.utterance_id = k.utterance_id"
    )
    op.execute("ALTER TABLE ledger ALTER COLUMN utterance_key SET NOT NULL")
    primary = sa.inspect(bind).get_pk_constraint("ledger").get("name")
    if primary:
        op.execute(f'ALTER TABLE ledger DROP CONSTRAINT "{primary}"')
    op.execute("CREATE INDEX IF NOT EXISTS ix_ledger_utterance ON ledger (utterance_key)")
    op.execute("ANALYZE ledger")


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
