"""``deleted_recordings.fold_key``: a deleted recording known by its customer's fold, not the exact id.

A key rotation re-keys a recorded speaker key from the customer id that explains it. A listing reaches its
customer's rows in any case (``zed-cust-77`` lists a recording of ``Zed-Cust-77``); once the copies of
``Zed-Cust-77`` are erased, no id the rotation knows explains that speaker key. Such a row is kept under its
listing's customer: the speaker key of that customer's fold and the keyed digest of the fold (the one
``speaker_folds`` pairs with every spelling's speaker key), so a redelivery in any spelling is still its
duplicate. Null for a row known by its exact speaker key.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("deleted_recordings")}
    if "fold_key" not in columns:  # made by create_all
        op.add_column("deleted_recordings", sa.Column("fold_key", KEY, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deleted_recordings") as batch:
        batch.drop_column("fold_key")
