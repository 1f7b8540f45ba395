"""``deleted_recordings``: the recordings a deletion listing erased, by speaker key and content hash.

An upstream that delivers at least once may send a recording again under a new ``utterance_id`` after the
listing of its first id was carried out (or on the night it is decided): no live row is left for it to
duplicate, and no recorded twin names it. The store keeps (dataset, content hash, speaker key, the listing's
request id) of each recording a listing erased; a row of the same speaker and content is a duplicate of it and
never published. Keyed digests only: no id, no text.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    if "deleted_recordings" not in sa.inspect(op.get_bind()).get_table_names():  # made by create_all
        op.create_table(
            "deleted_recordings",
            sa.Column("dataset", KEY, primary_key=True),
            sa.Column("content_hash", KEY, primary_key=True),
            sa.Column("speaker_key", KEY, primary_key=True),
            sa.Column("request_id", KEY, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("deleted_recordings")
