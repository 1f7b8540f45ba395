"""``erased_utterances``: the recordings a delete-all or a range deletion erased, by a digest of their ids.

A delete-all covers what was captured before it (and what landed before it); a range, what was captured in
it. Upstream may send an erased recording again under its own id, stamped with the time it was sent again
or written with a wrong UTC offset: no time rule covers it, and it was published again. The store keeps, for
each recording such a request covered, the SHA-256 of the request id and the utterance id
(``privacy.keys.erased_digests``); a row of the request's customer whose id it names is covered by the
request whatever its time. No speaker key, no text. The recordings erased before this revision are not
known (their ids are gone with them).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    if "erased_utterances" not in sa.inspect(op.get_bind()).get_table_names():  # made by create_all
        op.create_table(
            "erased_utterances",
            sa.Column("id_digest", KEY, primary_key=True),
            sa.Column("request_id", KEY, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("erased_utterances")
