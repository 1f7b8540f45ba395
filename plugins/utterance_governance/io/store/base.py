"""The store's foundation: the engine on SQLite or PostgreSQL, read and write transactions,
creating the schema and migrating an older one.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE``, so concurrent Airflow tasks queue for the write
lock instead of failing with "database is locked".

Also the small helpers every part of the store shares: ``utcnow``, chunked ``IN`` lists,
conforming an Arrow table to a schema.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, text, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url

from utterance_governance.io.store_schema import SCHEMA_VERSION, UTC, dataset_locks, metadata, store_meta

if TYPE_CHECKING:
    from utterance_governance.settings import Settings

log = logging.getLogger(__name__)

_IN_CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit
_SCHEMA_LOCK_KEY = 0x5547_0001  # pg_advisory_xact_lock key serialising create_schema


class StoreSchemaMismatch(RuntimeError):
    """The database holds a governance store of another schema version."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns and types; absent nullable columns become nulls."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type, safe=False))
        elif field.nullable:
            columns.append(pa.nulls(table.num_rows, field.type))
        else:
            raise ValueError(f"missing required column {field.name!r} (have {table.column_names})")
    return pa.Table.from_arrays(columns, schema=schema)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


class StoreBase:
    """The engine and transactions of a governance store at a SQLAlchemy URL; the parts build on it."""

    def __init__(self, url: str, *, busy_timeout_s: float = 300.0, echo: bool = False):
        parsed = make_url(url)
        self.url = parsed
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
            self.engine: Engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_s})
            _configure_sqlite(self.engine, busy_timeout_s)
            # the dataset locks live in a database file of their own: SQLite has one writer per file,
            # and a lease's renewal must never wait behind the long write of the step holding it
            self.lock_engine: Engine = self.engine
            if database and database != ":memory:" and not database.startswith("file:"):
                self.lock_engine = create_engine(
                    parsed.set(database=f"{database}.locks"),
                    echo=echo,
                    connect_args={"timeout": busy_timeout_s},
                )
                _configure_sqlite(self.lock_engine, busy_timeout_s)
        elif self.backend == "postgresql":
            self.engine = create_engine(
                parsed, echo=echo, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"}
            )
            self.lock_engine = self.engine  # row locks: a renewal never waits behind other writes
        else:
            raise ValueError(
                f"unsupported governance store backend {self.backend!r}: use sqlite or postgresql"
            )
        self._insert = sqlite_dialect.insert if self.backend == "sqlite" else pg_dialect.insert

    @classmethod
    def from_settings(cls, settings: Settings, *, create_schema: bool = True) -> Self:
        store = cls(settings.database_url)
        if create_schema:
            store.create_schema()
        return store

    def create_schema(self, *, migrate: bool = False) -> None:
        """Create every table and index that does not exist yet (safe to call from concurrent tasks).

        A store of an older schema version is refused with a clear message, or brought up to
        date when ``migrate`` (the deployment's init step: ``python -m utterance_governance.cli
        migrate-store``), in the same transaction: all steps or none.
        """
        with self._write() as conn:
            if self.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            existing = set(sa_inspect(conn).get_table_names())
            found = SCHEMA_VERSION if not existing & {"ledger", "dataset_versions"} else 1
            if "store_meta" in existing:
                recorded = conn.scalar(select(store_meta.c.value).where(store_meta.c.key == "schema_version"))
                found = int(recorded) if recorded else found
            if found != SCHEMA_VERSION:
                if not migrate or found > SCHEMA_VERSION or found not in _MIGRATIONS:
                    raise StoreSchemaMismatch(
                        f"{self!r} holds a governance store of schema version {found}; this code "
                        f"needs version {SCHEMA_VERSION}. "
                        + (
                            "Run `python -m utterance_governance.cli migrate-store`, or (test and "
                            "development stores only) drop it and let the next run create a new one."
                            if found < SCHEMA_VERSION
                            else "This code is older than the store: deploy the newer code."
                        )
                    )
                for version in range(found, SCHEMA_VERSION):
                    for statement in _MIGRATIONS[version](self.backend):
                        conn.exec_driver_sql(statement)
                    if version in _DATA_MIGRATIONS:
                        _DATA_MIGRATIONS[version](conn)
                    log.warning(
                        "governance store %r migrated from schema version %d to %d",
                        self,
                        version,
                        version + 1,
                    )
            metadata.create_all(conn, checkfirst=True)
            if self.lock_engine is not self.engine:
                with self.lock_engine.begin() as locks:
                    dataset_locks.create(locks, checkfirst=True)
            conn.execute(delete(store_meta).where(store_meta.c.key == "schema_version"))
            conn.execute(insert(store_meta), {"key": "schema_version", "value": str(SCHEMA_VERSION)})

    def dispose(self) -> None:
        self.engine.dispose()
        self.lock_engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"GovernanceStore({self.url.render_as_string(hide_password=True)!r})"

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite: writers queue, never deadlock)."""
        with self.engine.connect() as conn:
            conn.execution_options(ug_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for every statement in it."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _lock_transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """A transaction on the dataset locks (their own database file on SQLite)."""
        with self.lock_engine.connect() as conn:
            conn.execution_options(ug_write=write)
            with conn.begin():
                yield conn


def _migrate_1_to_2(backend: str) -> list[str]:
    """Shard lineages in the ledger (``shard_id``, ``ended_in``); each shard its own lineage so far."""
    key = 'VARCHAR COLLATE "C"' if backend == "postgresql" else "VARCHAR"
    return [
        "ALTER TABLE ledger RENAME COLUMN shard_path TO shard_id",
        f"ALTER TABLE ledger ADD COLUMN ended_in {key}",
        f"ALTER TABLE version_shards ADD COLUMN shard_id {key} NOT NULL DEFAULT ''",
        "UPDATE version_shards SET shard_id = shard_path",
        *(
            ["ALTER TABLE version_shards ALTER COLUMN shard_id DROP DEFAULT"]
            if backend == "postgresql"
            else []
        ),
        "CREATE INDEX ix_version_shards_lineage ON version_shards (dataset, shard_id)",
        "CREATE INDEX ix_ledger_ended ON ledger (dataset, ended_in) WHERE ended_in IS NOT NULL",
    ]


def _migrate_2_to_3(backend: str) -> list[str]:
    """What the privacy decision needs to know of each ledger row (SPEC §4.1): when its landing
    file arrived, and its locale; an index for the duplicate rule's lookup of a night's batch by
    content hash; and the places a completed receipt's run searched. Rows recorded before stay unknown (null), which the privacy
    rules read as "withdraw". (The new table ``landing_arrivals`` is created with the schema.)"""
    key = 'VARCHAR COLLATE "C"' if backend == "postgresql" else "VARCHAR"
    stamp = "TIMESTAMP WITH TIME ZONE" if backend == "postgresql" else "DATETIME"
    return [
        "ALTER TABLE deletion_receipts ADD COLUMN searched TEXT",
        f"ALTER TABLE ledger ADD COLUMN landed_at {stamp}",
        f"ALTER TABLE ledger ADD COLUMN locale {key}",
        "CREATE INDEX ix_ledger_content ON ledger (dataset, content_hash)",
    ]


def _recheck_privacy_records(conn: Connection) -> None:
    """Privacy records stored before identity was settled (schema 3, SPEC §4.1): ids and enumerations
    are rewritten in their canonical form, and a record that matches nothing — an unusable id, an
    enumeration that is none of its values — leaves the valid records for the privacy quarantine, where
    it holds its customer back (or, naming nobody, blocks publishing), as it would arriving today."""
    from utterance_governance.io.store_schema import (
        consent_events,
        deletion_requests,
        privacy_batches,
        privacy_quarantine,
    )
    from utterance_governance.privacy.identity import canonical_id
    from utterance_governance.schema import CONSENT_STATUSES, DELETION_SCOPES, TRAINING_PURPOSE

    def fold(value: Any) -> str | None:
        return value.strip().lower() if isinstance(value, str) else None

    checks = {
        "consent": (consent_events, "event_id", {"purpose": (TRAINING_PURPOSE,), "status": CONSENT_STATUSES}),
        "deletion": (deletion_requests, "request_id", {"scope": DELETION_SCOPES}),
    }
    now = utcnow()
    for kind, (table, key, enums) in checks.items():
        batch_id, moved = None, 0
        for row in conn.execute(select(table)).mappings().all():
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
                    conn.execute(update(table).where(where).values(**changes))
                continue
            if batch_id is None:
                batch_id = conn.execute(insert(privacy_batches).values(
                    kind=kind, source_file="migration to schema 3", ingested_at=now, new_records=0,
                    new_quarantined=0)).inserted_primary_key[0]  # fmt: skip
            moved += 1
            conn.execute(insert(privacy_quarantine).values(
                kind=kind, source_file=row["source_file"], line=-moved, record_id=row[key], customer_id=customer,
                reason="malformed", detail=f"{problem} (stored before schema 3)", batch_id=batch_id,
                recorded_at=now))  # fmt: skip
            conn.execute(delete(table).where(where))
        if moved:
            log.warning(
                "migration to schema 3: %d stored %s records match nothing and were quarantined", moved, kind
            )


# schema version -> the statements that bring a store of that version to the next one
_MIGRATIONS: dict[int, Callable[[str], list[str]]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3}
# schema version -> a data step run after its statements, in the same transaction
_DATA_MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _recheck_privacy_records}


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # the driver's implicit BEGIN is replaced by ours below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA analysis_limit = 1000")  # ANALYZE samples, so it stays cheap on a big ledger
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("ug_write") else "BEGIN")
