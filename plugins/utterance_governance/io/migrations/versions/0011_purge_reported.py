"""``dataset_versions.reported``: whether a purge's version was handed on (receipts, the revocation event).

A privacy run whose purge failed for good after putting its version live (retries exhausted past the
switch) left that version reported nowhere: only a retry of the same run read it back, so the next run
found nothing left to remove, its receipts named no revoked version and no asset event told the training
runs of the revoked one to erase their copies. A purge's version is recorded unreported now; the run that
returns it marks it, and the next privacy run reports one it finds unreported. NULL: not a purge's
version, or one made before this revision (reported then).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("dataset_versions")}
    if "reported" not in columns:  # made by create_all (tests' old stores)
        op.add_column("dataset_versions", sa.Column("reported", sa.Boolean()))


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
