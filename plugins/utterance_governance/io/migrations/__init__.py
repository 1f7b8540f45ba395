"""The governance store's schema history, as Alembic revisions (``versions/``), and how it is applied.

``ug migrate-store`` and the deployment's init step (``python -m ug_airflow.init_deployment``) bring a
store to the head revision through ``upgrade``; tasks never migrate: they check the store is at
head (``StoreBase.require_schema``) and fail with "run `ug migrate-store`" when it is not.

Revisions 0001-0003 are the store's schema versions 1-3 from before Alembic (0001 the version-1
tables, 0002 and 0003 the upgrades to versions 2 and 3, the data step of 3 included); 0004 brings
version 3 to the tables the code had then (``alerts_sent``, ``training_runs``); 0005 adds
``access_requests`` (access reports by one-time reference). A store made
before Alembic carries no ``alembic_version``: ``upgrade`` reads its ``store_meta.schema_version``
(no ``store_meta`` but a ledger: version 1), stamps the matching revision and upgrades from there.
A new, empty store runs every revision from 0001 (a tenth of a second on SQLite), so there is one
way a schema comes to be. ``tests/unit/io/test_store_alembic.py`` upgrades from every revision on
SQLite and PostgreSQL and compares the result with the metadata (``compare_metadata``).

SQLite runs the revisions in batch mode where it cannot alter a table in place (Alembic copies the
table). A new revision: ``alembic -c plugins/utterance_governance/io/migrations/alembic.ini revision
-m "what changes"`` (``UG_DATABASE_URL`` names the store ``--autogenerate`` compares against), then
write its ``upgrade`` for both backends and run the tests.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, inspect, select, text

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent
# pre-Alembic schema version (store_meta.schema_version) -> the revision that is that schema
LEGACY_REVISIONS = {1: "0001", 2: "0002", 3: "0003"}
VERSION_TABLE = "alembic_version"


class SchemaError(RuntimeError):
    """The store's schema cannot be brought to this code's head (newer, unknown, half-made)."""


def config(connection: Connection | None = None):
    """An Alembic ``Config`` for the package's revisions, running on ``connection`` when given."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def head() -> str:
    return _script().get_current_head()


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def current(conn: Connection) -> str | None:
    """The store's revision; ``None``: no ``alembic_version`` (empty, or made before Alembic). Read
    with one query (every task asks), not through Alembic's migration context."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(found) > 1:
        raise SchemaError(f"the store is at several revisions at once ({', '.join(sorted(found))})")
    return found[0] if found else None


def legacy_schema_version(conn: Connection) -> int | None:
    """The schema version of a store made before Alembic; ``None`` for an empty database."""
    from utterance_governance.io.store_schema import store_meta

    tables = set(inspect(conn).get_table_names()) - {VERSION_TABLE}
    if "store_meta" in tables:
        recorded = conn.scalar(select(store_meta.c.value).where(store_meta.c.key == "schema_version"))
        if recorded:
            return int(recorded)
    if tables & {"ledger", "dataset_versions"}:
        return 1  # version 1 kept no store_meta
    if tables:
        raise SchemaError(f"the database holds tables {sorted(tables)} but no governance store schema")
    return None


def upgrade(conn: Connection) -> list[str]:
    """Bring the store on ``conn`` (inside the caller's transaction) to head; the revisions applied,
    oldest first (``["0004"]``), or ``[]`` when it was at head already."""
    from alembic import command

    known = revisions()
    found = current(conn)
    if found is None:
        legacy = legacy_schema_version(conn)
        if legacy is None:  # a new store: every revision in turn, as an old store would have had them
            command.upgrade(config(conn), "head")
            log.warning("governance store created at revision %s", head())
            return known
        if legacy not in LEGACY_REVISIONS:
            raise SchemaError(
                f"the store records schema version {legacy} but no Alembic revision: not a store this "
                "code or an older one made"
            )
        found = LEGACY_REVISIONS[legacy]
        command.stamp(config(conn), found)
        log.warning("governance store of schema version %d (before Alembic) stamped %s", legacy, found)
    if found not in known:
        raise SchemaError(
            f"the store is at revision {found}, which this code does not know (its newest is {head()}): "
            "the store is newer than this code; deploy the newer code"
        )
    pending = known[known.index(found) + 1 :]
    if pending:
        command.upgrade(config(conn), "head")
        log.warning("governance store upgraded from revision %s to %s", found, head())
    return pending
