"""``access_requests``: access reports are asked for by a one-time reference, not a raw customer id
in ``dag_run.conf``. The customer id is kept here only; on PostgreSQL every role but the store's
owner is refused the table (``deploy/postgres-init.sh`` gives the api-server's ``governance_reader``
SELECT on every new table by default: the governance view never needs this one).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    bind = op.get_bind()
    if "access_requests" in sa.inspect(bind).get_table_names():  # made by create_all (tests' old stores)
        _revoke_from_others(bind)
        return
    op.create_table(
        "access_requests",
        sa.Column("reference", KEY, primary_key=True),
        sa.Column("customer_id", sa.String, nullable=False),
        sa.Column("requested_at", STAMP, nullable=False),
        sa.Column("requested_by", sa.String, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String),
        sa.Column("report_url", sa.Text),
        sa.Column("completed_at", STAMP),
    )
    _revoke_from_others(bind)


def _revoke_from_others(bind) -> None:
    if bind.dialect.name == "postgresql":
        grantees = bind.execute(
            sa.text(
                "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
                "WHERE table_name = 'access_requests' AND grantee <> current_user"
            )
        ).scalars()
        op.execute("REVOKE ALL ON access_requests FROM PUBLIC")
        for grantee in grantees:
            op.execute(f'REVOKE ALL ON access_requests FROM "{grantee}"')


def downgrade() -> None:
    raise NotImplementedError("the governance store is migrated forward only: restore a backup to go back")
