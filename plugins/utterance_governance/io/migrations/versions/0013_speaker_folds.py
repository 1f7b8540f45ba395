"""``speaker_folds``: the speaker keys of one customer's id written in other cases, by a keyed digest of its fold.

One customer, two devices: one writes ``zed-cust-77``, the other ``Zed-Cust-77``. Published rows carry the
speaker key of the exact id, so a delete-all naming one reached the other's rows only if its spelling was
among the fixed list of other spellings (all lower, all upper, ...). Each publish now records, for the
speakers it decided rows of, a keyed digest of the id's NFKC case fold beside the speaker key
(``privacy.keys.fold_keys``); a record that withdraws finds every spelling's speaker keys through it.

No backfill: the store holds no raw customer id, so no fold can be made for rows published before this
revision; those are reached, as before, by the fixed list of other spellings.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    if "speaker_folds" not in sa.inspect(op.get_bind()).get_table_names():  # made by create_all
        op.create_table(
            "speaker_folds",
            sa.Column("fold_key", KEY, primary_key=True),
            sa.Column("speaker_key", KEY, primary_key=True),
        )


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
