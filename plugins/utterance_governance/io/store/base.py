"""The store's foundation: the engine on SQLite or PostgreSQL, read and write transactions, and
the schema: brought to head by Alembic (``io.migrations``) in the deployment's init step or
``ug migrate-store``, checked (never migrated) by tasks.

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
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, make_url

from utterance_governance.io.store_schema import UTC, dataset_locks

if TYPE_CHECKING:
    from utterance_governance.settings import Settings

log = logging.getLogger(__name__)

_IN_CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit
_SCHEMA_LOCK_KEY = 0x5547_0001  # pg_advisory_xact_lock key serialising migrate
# ... and the privacy intakes (``privacy._ingest_privacy``): each reads what is stored of its records' ids, then
# inserts; two at once (the nightly publish's and the hourly privacy run's) under READ COMMITTED each saw
# nothing of the other's, and the second version of one id was dropped by ON CONFLICT with no word
_PRIVACY_INTAKE_LOCK_KEY = 0x5547_0002
# ... and an era merge's pieces against the writes that look ledger rows up by era (``ledger._eras_held``)
_ERA_MOVE_LOCK_KEY = 0x5547_0003


# the store's tables whose statistics sample an erased row's values (utterance ids, speaker keys)
_SAMPLED_TABLES = ("ledger", "ledger_speakers")


class StoreSchemaMismatch(RuntimeError):
    """The database's governance store is not at this code's schema revision; the message says what to run."""


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
    def from_settings(cls, settings: Settings, *, check_schema: bool = True) -> Self:
        """The store of ``settings``, checked to be at the schema's head (``require_schema``); in
        development an embedded (SQLite) store is migrated instead, so a checkout needs no step."""
        store = cls(settings.database_url)
        store.path_key = settings.pseudonym_key or None  # (the registry's sealed paths: ``registry_paths``)
        if check_schema:
            try:
                store.require_schema(migrate_embedded=not settings.is_production)
            except BaseException:
                store.dispose()
                raise
        return store

    def migrate(self) -> list[str]:
        """Bring the store to this code's head revision (Alembic), or create it; the revisions
        applied, oldest first (``[]``: it was at head). One transaction: all revisions or none.

        The deployment's step (``ug migrate-store``, ``python -m ug_airflow.init_deployment``), never
        a task's. A store made before Alembic is recognised by its schema version and upgraded; a
        store newer than this code is refused (``StoreSchemaMismatch``).
        """
        from utterance_governance.io import migrations

        with self._write() as conn:
            if self.backend == "postgresql":  # concurrent init steps: one migrates, the others wait
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            try:
                applied = migrations.upgrade(conn)
            except migrations.SchemaError as exc:
                raise StoreSchemaMismatch(f"{self!r}: {exc}") from exc
        self._ensure_lock_table()
        return applied

    def create_schema(self) -> None:
        """``migrate``, for tests, benches and tools that make a store of their own. Tasks call
        ``require_schema`` (through ``from_settings``): they never change the schema."""
        self.migrate()

    def schema_revision(self) -> str | None:
        """The store's Alembic revision (``None``: empty, or made before Alembic)."""
        from utterance_governance.io import migrations

        with self._read() as conn:
            try:
                return migrations.current(conn)
            except migrations.SchemaError as exc:
                raise StoreSchemaMismatch(f"{self!r}: {exc}") from exc

    def require_schema(self, *, migrate_embedded: bool = False) -> None:
        """Refuse a store that is not at this code's head revision, saying what to run.

        ``migrate_embedded``: a SQLite store behind head is migrated instead (development's embedded
        store); a database server's store never is, whatever the environment.
        """
        from utterance_governance.io import migrations

        found, head = self.schema_revision(), migrations.head()
        if found == head:
            self._ensure_lock_table()
            return
        if migrate_embedded and self.backend == "sqlite" and found in (None, *migrations.revisions()):
            applied = self.migrate()
            log.warning("development: embedded governance store %r migrated (%s)", self, ", ".join(applied))
            return
        if found is None:
            with self._read() as conn:
                try:
                    legacy = migrations.legacy_schema_version(conn)
                except migrations.SchemaError as exc:
                    raise StoreSchemaMismatch(f"{self!r}: {exc}") from exc
            state = (
                "has no schema yet" if legacy is None else f"holds schema version {legacy} (before Alembic)"
            )
        elif found in migrations.revisions():
            state = f"is at revision {found}"
        else:
            raise StoreSchemaMismatch(
                f"{self!r} is at revision {found}, which this code does not know (its head is {head}): "
                "the store is newer than this code. Deploy the newer code."
            )
        raise StoreSchemaMismatch(
            f"{self!r} {state}; this code needs revision {head}. Run `ug migrate-store` (the deployment's "
            "init step, `python -m ug_airflow.init_deployment`, does) with this UG_DATABASE_URL, then retry."
        )

    def _ensure_lock_table(self) -> None:
        """SQLite keeps the dataset locks in a file of their own, outside the schema's revisions."""
        if self.lock_engine is not self.engine:
            with self.lock_engine.begin() as locks:
                dataset_locks.create(locks, checkfirst=True)

    def cut_back_journal(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and truncate it, so the pages it holds
        (rows a purge deleted, as they were written) are gone from disk; False when an open reader kept
        part of it (the next call finishes it). PostgreSQL: gather the ledger's statistics again, whose
        sampled values (``pg_stats``: most common values, histogram bounds) held rows a purge erased, to any
        role that may read the ledger; True. (Dead rows, WAL and backups: docs/privacy.md "What the guarantee covers".)"""
        if self.backend != "sqlite":
            with self.engine.begin() as conn:
                for table in _SAMPLED_TABLES:
                    conn.exec_driver_sql(f"ANALYZE {table}")
            return True
        with self.engine.connect() as conn:
            # a reader does not let go on its own: wait for it a few seconds, not the store's busy timeout
            # (minutes, for writers), which held the whole privacy run up for it
            waits = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {_CHECKPOINT_WAIT_MS}")
            try:
                busy, _, _ = conn.exec_driver_sql("PRAGMA main.wal_checkpoint(TRUNCATE)").one()
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(waits)}")
        return not busy

    def dispose(self) -> None:
        self.engine.dispose()
        self.lock_engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"GovernanceStore({display_url(self.url)!r})"

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
        """A read transaction: one consistent snapshot for every statement in it. On PostgreSQL that
        takes REPEATABLE READ (its default, READ COMMITTED, gives each statement a snapshot of its own:
        a record committed between two statements is seen by the later only); a read-only transaction
        at that level never fails for a concurrent write. On SQLite (WAL) a transaction is a snapshot
        from its first statement on."""
        with self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _lock_transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """A transaction on the dataset locks (their own database file on SQLite)."""
        with self.lock_engine.connect() as conn:
            conn.execution_options(ug_write=write)
            with conn.begin():
                yield conn


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # the driver's implicit BEGIN is replaced by ours below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # deleted rows' bytes are overwritten, not left in free pages (builds differ in their default)
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA analysis_limit = 1000")  # ANALYZE samples, so it stays cheap on a big ledger
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("ug_write") else "BEGIN")


_CHECKPOINT_WAIT_MS = 5_000

# query parameters of a URL that hold a secret (libpq's ``password``, ``sslpassword``, a driver's token)
_SECRET_QUERY = re.compile(r"pass|secret|token|key", re.IGNORECASE)


def display_url(url: str | URL) -> str:
    """``url`` for messages and listings: the password, and every query parameter that may hold a
    secret (``?password=…``), as ``***``."""
    url = make_url(url) if isinstance(url, str) else url
    hidden = {name: "***" for name in url.query if _SECRET_QUERY.search(name)}
    return url.update_query_dict(hidden).render_as_string(hide_password=True)
