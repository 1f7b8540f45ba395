"""The governance store as schema version 1 made it (before shard lineages).

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Every table as it was, written out here (never imported from today's ``store_schema``, which moves
on): a store made by version 1 is stamped with this revision and upgraded from here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
STAMP = sa.DateTime(timezone=True)
JSON = sa.Text  # canonical JSON text (store_schema.JSONText)


def upgrade() -> None:
    op.create_table(
        "privacy_batches",
        sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("ingested_at", STAMP, nullable=False),
        sa.Column("new_records", sa.Integer, nullable=False),
        sa.Column("new_quarantined", sa.Integer, nullable=False),
    )
    op.create_table(
        "consent_events",
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("customer_id", sa.String, nullable=False),
        sa.Column("purpose", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("effective_at", STAMP, nullable=False),
        sa.Column("recorded_at", STAMP, nullable=False),
        sa.Column("source", sa.String),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("privacy_batches.batch_id"), nullable=False),
        sa.Column("ingested_at", STAMP, nullable=False),
    )
    op.create_index("ix_consent_events_customer_id", "consent_events", ["customer_id"])
    op.create_table(
        "deletion_requests",
        sa.Column("request_id", sa.String, primary_key=True),
        sa.Column("customer_id", sa.String, nullable=False),
        sa.Column("scope", sa.String, nullable=False),
        sa.Column("range_from", STAMP),
        sa.Column("range_to", STAMP),
        sa.Column("utterance_ids", JSON),
        sa.Column("requested_at", STAMP, nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("privacy_batches.batch_id"), nullable=False),
        sa.Column("ingested_at", STAMP, nullable=False),
    )
    op.create_index("ix_deletion_requests_customer_id", "deletion_requests", ["customer_id"])
    op.create_table(
        "privacy_quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("line", sa.BigInteger, nullable=False),
        sa.Column("record_id", sa.String),
        sa.Column("customer_id", sa.String),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("privacy_batches.batch_id"), nullable=False),
        sa.Column("recorded_at", STAMP, nullable=False),
        sa.Column("acknowledged_at", STAMP),
        sa.Column("acknowledged_by", sa.String),
        sa.UniqueConstraint("kind", "source_file", "line", name="uq_privacy_quarantine_position"),
    )
    op.create_index("ix_privacy_quarantine_customer_id", "privacy_quarantine", ["customer_id"])
    op.create_table(
        "processed_files",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("run_id", sa.String, nullable=False),
        sa.Column("processed_at", STAMP, nullable=False),
        sa.Column("stats", JSON),
        sa.Column("rewritten_at", STAMP),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("dataset", sa.String, primary_key=True),
        sa.Column("version", sa.String, primary_key=True),
        sa.Column("parent_version", sa.String),
        sa.Column("run_id", sa.String),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("manifest_path", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", JSON),
        sa.Column("status_changed_at", STAMP, nullable=False),
    )
    op.create_index(
        "uq_dataset_versions_one_live",
        "dataset_versions",
        ["dataset"],
        unique=True,
        sqlite_where=sa.text("status = 'live'"),
        postgresql_where=sa.text("status = 'live'"),
    )
    op.create_table(
        "ledger",
        sa.Column("dataset", KEY, primary_key=True),
        sa.Column("utterance_id", KEY, primary_key=True),
        sa.Column("shard_path", KEY, primary_key=True),
        sa.Column("speaker_key", KEY, nullable=False),
        sa.Column("content_hash", KEY, nullable=False),
        sa.Column("captured_at", STAMP, nullable=False),
    )
    op.create_index("ix_ledger_shard", "ledger", ["dataset", "shard_path"])
    op.create_index("ix_ledger_speaker", "ledger", ["dataset", "speaker_key"])
    op.create_table(
        "version_shards",
        sa.Column("dataset", KEY, primary_key=True),
        sa.Column("version", KEY, primary_key=True),
        sa.Column("shard_path", KEY, primary_key=True),
    )
    op.create_index("ix_version_shards_shard", "version_shards", ["dataset", "shard_path"])
    op.create_table(
        "runs",
        sa.Column("dag_id", sa.String, primary_key=True),
        sa.Column("run_id", sa.String, primary_key=True),
        sa.Column("started_at", STAMP, nullable=False),
        sa.Column("finished_at", STAMP),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("details", JSON),
    )
    op.create_table(
        "deletion_receipts",
        sa.Column("request_id", sa.String, primary_key=True),
        sa.Column("received_at", STAMP, nullable=False),
        sa.Column("deadline_at", STAMP, nullable=False),
        sa.Column("completed_at", STAMP),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("removed_counts", JSON),
        sa.Column("versions_rewritten", JSON),
        sa.Column("updated_at", STAMP, nullable=False),
    )
    op.create_index("ix_deletion_receipts_open", "deletion_receipts", ["status", "deadline_at"])
    op.create_table(
        "dataset_locks",
        sa.Column("dataset", sa.String, primary_key=True),
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("acquired_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
