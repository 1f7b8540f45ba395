"""Schema version 3: what the privacy decision needs to know of each ledger row (SPEC §4.1) — when
its landing file arrived (``landed_at``; ``landing_arrivals`` for every landing file) and its locale
—; an index for the duplicate rule's lookup of a night's batch by content hash; the places a
completed receipt's run searched. Rows recorded before stay unknown (null), which the privacy rules
read as "withdraw".

Data step: privacy records stored before identity was settled are rewritten in their canonical
form, and a record that matches nothing (an unusable id, an enumeration that is none of its values)
leaves the valid records for the privacy quarantine, where it holds its customer back (or, naming
nobody, blocks publishing), as it would arriving today.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from alembic import op

from utterance_governance.io.store_schema import JSONText, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("utterance_governance.io.migrations")
KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("deletion_receipts", sa.Column("searched", sa.Text))
    op.add_column("ledger", sa.Column("landed_at", STAMP))
    op.add_column("ledger", sa.Column("locale", KEY))
    op.create_index("ix_ledger_content", "ledger", ["dataset", "content_hash"])
    op.create_table(
        "landing_arrivals",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("first_read_at", STAMP, nullable=False),
        sa.Column("landed_at", STAMP, nullable=False),
    )
    _recheck_privacy_records(op.get_bind())
    op.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")


# the tables as this revision knows them (only the columns the data step reads or writes)
_batches = sa.table(
    "privacy_batches",
    sa.column("batch_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("source_file", sa.Text),
    sa.column("ingested_at", UTCDateTime),
    sa.column("new_records", sa.Integer),
    sa.column("new_quarantined", sa.Integer),
)
_quarantine = sa.table(
    "privacy_quarantine",
    *(
        sa.column(name, sa.String)
        for name in ("kind", "source_file", "record_id", "customer_id", "reason", "detail")
    ),
    sa.column("line", sa.BigInteger),
    sa.column("batch_id", sa.Integer),
    sa.column("recorded_at", UTCDateTime),
)
_consent = sa.table(
    "consent_events",
    *(sa.column(n, sa.String) for n in ("event_id", "customer_id", "purpose", "status", "source_file")),
)
_deletions = sa.table(
    "deletion_requests",
    *(sa.column(n, sa.String) for n in ("request_id", "customer_id", "scope", "source_file")),
    sa.column("utterance_ids", JSONText),
)


def _recheck_privacy_records(conn: sa.Connection) -> None:
    from utterance_governance.privacy.identity import canonical_id
    from utterance_governance.schema import CONSENT_STATUSES, DELETION_SCOPES, TRAINING_PURPOSE

    def fold(value: Any) -> str | None:
        return value.strip().lower() if isinstance(value, str) else None

    checks = {
        "consent": (_consent, "event_id", {"purpose": (TRAINING_PURPOSE,), "status": CONSENT_STATUSES}),
        "deletion": (_deletions, "request_id", {"scope": DELETION_SCOPES}),
    }
    now = dt.datetime.now(dt.UTC)
    for kind, (table, key, enums) in checks.items():
        batch_id, moved = None, 0
        for row in conn.execute(sa.select(table)).mappings().all():
            customer = canonical_id(row["customer_id"])
            changes = {"customer_id": customer} if customer != row["customer_id"] else {}
            problem = None if customer is not None else "invalid_id:customer_id"
            for name, allowed in enums.items():
                folded = fold(row[name])
                if folded not in allowed:
                    problem = problem or f"invalid_value:{name}"
                elif folded != row[name]:
                    changes[name] = folded
            if kind == "deletion" and row["utterance_ids"]:
                listed = [canonical_id(u) for u in row["utterance_ids"]]
                if None in listed:
                    problem = problem or "invalid_id:utterance_ids"
                elif listed != row["utterance_ids"]:
                    changes["utterance_ids"] = listed
            where = table.c[key] == row[key]
            if problem is None:
                if changes:
                    conn.execute(sa.update(table).where(where).values(**changes))
                continue
            if batch_id is None:
                batch_id = conn.execute(sa.insert(_batches).values(
                    kind=kind, source_file="migration to schema 3", ingested_at=now, new_records=0,
                    new_quarantined=0).returning(_batches.c.batch_id)).scalar_one()  # fmt: skip
            moved += 1
            conn.execute(sa.insert(_quarantine).values(
                kind=kind, source_file=row["source_file"], line=-moved, record_id=row[key], customer_id=customer,
                reason="malformed", detail=f"{problem} (stored before schema 3)", batch_id=batch_id,
                recorded_at=now))  # fmt: skip
            conn.execute(sa.delete(table).where(where))
        if moved:
            log.warning(
                "migration to schema 3: %d stored %s records match nothing and were quarantined", moved, kind
            )


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
