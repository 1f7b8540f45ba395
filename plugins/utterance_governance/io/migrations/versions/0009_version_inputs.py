"""``dataset_versions.inputs``: the landing files a version's new rows were read from.

The published manifest listed them by path, and a path may name its customer (an export partitioned by
customer writes ``dt=…/customer_id=zed-4417/part-0.jsonl``): a raw identifier in published output. The
paths are kept in the store now, recorded with the staged version before its switch (a finalize after a
crash marks them processed from here), and the manifest gives each landing partition's files and bytes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("dataset_versions")}
    if "inputs" not in columns:  # made by create_all (tests' old stores)
        op.add_column("dataset_versions", sa.Column("inputs", sa.Text()))


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
