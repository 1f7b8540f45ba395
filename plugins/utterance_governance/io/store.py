"""The governance store: what the pipeline took in, decided and published, on SQLite or PostgreSQL.

One class, ``GovernanceStore``, over SQLAlchemy 2 Core. It keeps

- consent events and deletion requests (idempotent by id), and the privacy records that
  could not be read, which hold a customer back or block publishing (SPEC §4);
- the registry of landing files already processed (SPEC §3.1);
- dataset versions and their status, and a ledger of every published utterance;
- per-run decision counts by reason; deletion receipts and their deadlines;
- a lease-based lock per dataset that serialises publishing and purging (SPEC §7).

It never stores transcript or response text.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE``, so concurrent Airflow tasks queue for the write
lock instead of failing with "database is locked". On PostgreSQL, bulk ledger inserts use
``COPY``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    String,
    and_,
    cast,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store_schema import (
    LEDGER,
    LEDGER_INPUT,
    RECEIPT_STATUSES,
    SCHEMA_VERSION,
    UTC,
    VERSION_STATUSES,
    consent_events,
    dataset_locks,
    dataset_versions,
    deletion_receipts,
    deletion_requests,
    dumps_canonical,
    ledger,
    metadata,
    privacy_batches,
    privacy_quarantine,
    processed_files,
    runs,
    store_meta,
    version_shards,
)
from utterance_governance.schema import CONSENT, DELETION, TS

if TYPE_CHECKING:
    from utterance_governance.settings import Settings

log = logging.getLogger(__name__)

PRIVACY_KINDS = ("consent", "deletion")
_IN_CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit
_LEDGER_BATCH = 200_000  # rows per executemany / COPY batch: bounds memory for 1M-row inserts
_SQLITE_BULK_CACHE_KIB = 256 * 1024  # page cache while bulk-inserting into the ledger
_FETCH_BATCH = 100_000  # rows per fetchmany when reading the ledger into Arrow
_ANALYZE_AFTER_ROWS = 50_000  # refresh planner statistics after a bulk ledger insert this large
_SCHEMA_LOCK_KEY = 0x5547_0001  # pg_advisory_xact_lock key serialising create_schema


class StoreSchemaMismatch(RuntimeError):
    """The database holds a governance store of another schema version."""


class LockTimeout(TimeoutError):
    """The dataset lock could not be taken before the timeout: another run holds it."""


class LockLost(RuntimeError):
    """The dataset lock is no longer held by this holder (its lease expired and was taken over)."""


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


class DatasetLock:
    """One holding of a dataset lock. A heartbeat thread renews the lease while it is held."""

    def __init__(self, store: GovernanceStore, dataset: str, owner: str, token: str, lease_s: float):
        self.store = store
        self.dataset = dataset
        self.owner = owner
        self.token = token
        self.lease_s = lease_s
        self.lost = False
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start_heartbeat(self) -> None:
        interval = max(self.lease_s / 3.0, 0.05)

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    self.renew()
                except LockLost:
                    log.error(
                        "lock on dataset %r for %r was lost: lease taken over", self.dataset, self.owner
                    )
                    return
                except Exception:  # a transient database error: try again at the next beat
                    log.exception("could not renew the lock on dataset %r", self.dataset)

        self._heartbeat = threading.Thread(target=beat, name=f"ug-lock-{self.dataset}", daemon=True)
        self._heartbeat.start()

    def renew(self) -> None:
        """Extend the lease from now; raise ``LockLost`` if another holder has taken it."""
        with self.store._write() as conn:
            result = conn.execute(
                update(dataset_locks)
                .where(dataset_locks.c.dataset == self.dataset, dataset_locks.c.token == self.token)
                .values(expires_at=utcnow() + dt.timedelta(seconds=self.lease_s))
            )
        if result.rowcount != 1:
            self.lost = True
            raise LockLost(f"the lock on dataset {self.dataset!r} held by {self.owner!r} was taken over")

    def assert_held(self) -> None:
        """Raise ``LockLost`` unless this holder still holds an unexpired lease (check before a switch)."""
        holder = self.store.lock_holder(self.dataset)
        if self.lost or holder is None or holder["token"] != self.token or holder["expires_at"] <= utcnow():
            self.lost = True
            raise LockLost(f"the lock on dataset {self.dataset!r} is no longer held by {self.owner!r}")

    def release(self) -> bool:
        """Give the lock up; only this holding's row is deleted. False if it had been taken over."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        with self.store._write() as conn:
            result = conn.execute(
                delete(dataset_locks).where(
                    dataset_locks.c.dataset == self.dataset, dataset_locks.c.token == self.token
                )
            )
        if result.rowcount != 1:
            log.warning(
                "lock on dataset %r for %r had been taken over before release", self.dataset, self.owner
            )
            return False
        return True


class GovernanceStore:
    """The governance store at a SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg2://...``)."""

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
        elif self.backend == "postgresql":
            self.engine = create_engine(
                parsed, echo=echo, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"}
            )
        else:
            raise ValueError(
                f"unsupported governance store backend {self.backend!r}: use sqlite or postgresql"
            )
        self._insert = sqlite_dialect.insert if self.backend == "sqlite" else pg_dialect.insert

    @classmethod
    def from_settings(cls, settings: Settings, *, create_schema: bool = True) -> GovernanceStore:
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
                    log.warning(
                        "governance store %r migrated from schema version %d to %d",
                        self,
                        version,
                        version + 1,
                    )
            metadata.create_all(conn, checkfirst=True)
            conn.execute(delete(store_meta).where(store_meta.c.key == "schema_version"))
            conn.execute(insert(store_meta), {"key": "schema_version", "value": str(SCHEMA_VERSION)})

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> GovernanceStore:
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

    # =========================================================================================
    # Privacy records: consent events, deletion requests, quarantined (unreadable) records
    # =========================================================================================
    def ingest_consent_events(
        self, events: pa.Table, source_file: str, *, quarantined: pa.Table | None = None
    ) -> int:
        """Take in consent events (``schema.CONSENT``) read from ``source_file``; return how many were new.

        Idempotent by ``event_id``. ``quarantined`` (``schema.QUARANTINE`` rows) are the
        file's unreadable records: they are recorded in the same ingest, so a valid record of
        the same file does not release the hold they put on their customer.
        """
        return self._ingest_privacy("consent", events, source_file, quarantined)[0]

    def ingest_deletion_requests(
        self, requests: pa.Table, source_file: str, *, quarantined: pa.Table | None = None
    ) -> int:
        """Take in deletion requests (``schema.DELETION``); idempotent by ``request_id``; return how many were new."""
        return self._ingest_privacy("deletion", requests, source_file, quarantined)[0]

    def record_privacy_quarantine(self, kind: str, quarantined: pa.Table) -> int:
        """Record unreadable consent/deletion records (``schema.QUARANTINE`` rows); return how many were new.

        Idempotent by (kind, source_file, line). A row with a readable ``customer_id`` holds
        that customer back until a valid record of the same kind is ingested later; a row
        without one blocks publishing until acknowledged.
        """
        by_file: dict[str, list[int]] = {}
        for index, path in enumerate(quarantined.column("source_file").to_pylist()):
            by_file.setdefault(path, []).append(index)
        added = 0
        for path, indices in by_file.items():
            added += self._ingest_privacy(kind, None, path, quarantined.take(indices))[1]
        return added

    def _ingest_privacy(
        self, kind: str, records: pa.Table | None, source_file: str, quarantined: pa.Table | None
    ) -> tuple[int, int]:
        if kind not in PRIVACY_KINDS:
            raise ValueError(f"privacy record kind must be one of {PRIVACY_KINDS}, got {kind!r}")
        target, key = (consent_events, "event_id") if kind == "consent" else (deletion_requests, "request_id")
        rows = _consent_rows(records) if kind == "consent" else _deletion_rows(records)
        held_rows = _quarantine_rows(kind, quarantined)
        if not rows and not held_rows:
            return 0, 0
        now = utcnow()
        with self._write() as conn:
            batch_id = conn.execute(
                insert(privacy_batches).values(
                    kind=kind, source_file=source_file, ingested_at=now, new_records=0, new_quarantined=0
                )
            ).inserted_primary_key[0]
            if rows:
                for row in rows:
                    row.update(source_file=source_file, batch_id=batch_id, ingested_at=now)
                conn.execute(self._insert(target).on_conflict_do_nothing(index_elements=[key]), rows)
            if held_rows:
                for row in held_rows:
                    row.update(batch_id=batch_id, recorded_at=now)
                conn.execute(
                    self._insert(privacy_quarantine).on_conflict_do_nothing(
                        index_elements=["kind", "source_file", "line"]
                    ),
                    held_rows,
                )
            new = conn.scalar(select(func.count()).select_from(target).where(target.c.batch_id == batch_id))
            new_held = conn.scalar(
                select(func.count())
                .select_from(privacy_quarantine)
                .where(privacy_quarantine.c.batch_id == batch_id)
            )
            if new or new_held:
                conn.execute(
                    update(privacy_batches)
                    .where(privacy_batches.c.batch_id == batch_id)
                    .values(new_records=new, new_quarantined=new_held)
                )
            else:  # nothing new: leave no trace, so re-ingesting a file changes nothing
                conn.execute(delete(privacy_batches).where(privacy_batches.c.batch_id == batch_id))
        log.info(
            "%s ingest of %s: %d new of %d records, %d new unreadable",
            kind,
            source_file,
            new,
            len(rows),
            new_held,
        )
        return int(new), int(new_held)

    def _held_query(self, kind: str):
        q = privacy_quarantine
        target = consent_events if kind == "consent" else deletion_requests
        later_valid = exists().where(
            target.c.customer_id == q.c.customer_id, target.c.batch_id > q.c.batch_id
        )
        return select(q.c.customer_id).where(
            q.c.kind == kind, q.c.customer_id.is_not(None), q.c.acknowledged_at.is_(None), ~later_valid
        )

    def held_customers(self) -> set[str]:
        """Customers with an unreadable privacy record and no valid record of that kind ingested after it."""
        with self._read() as conn:
            return self._held_customers(conn)

    def _held_customers(self, conn: Connection) -> set[str]:
        return {
            customer for kind in PRIVACY_KINDS for customer in conn.execute(self._held_query(kind)).scalars()
        }

    def privacy_quarantine(self, *, open_only: bool = True) -> list[dict[str, Any]]:
        """Quarantined privacy records (open ones: not acknowledged), oldest first."""
        q = privacy_quarantine
        stmt = select(q).order_by(q.c.id)
        if open_only:
            stmt = stmt.where(q.c.acknowledged_at.is_(None))
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]

    def privacy_blocked_reasons(self) -> list[str]:
        """Why publishing is blocked: unreadable privacy records without a readable customer_id, unacknowledged."""
        q = privacy_quarantine
        stmt = select(q).where(q.c.customer_id.is_(None), q.c.acknowledged_at.is_(None)).order_by(q.c.id)
        with self._read() as conn:
            return [
                f"unreadable {row.kind} record at {row.source_file}:{row.line} ({row.detail}) has no "
                f"readable customer_id; publishing is blocked until it is fixed upstream or "
                f"acknowledged (privacy quarantine id {row.id})"
                for row in conn.execute(stmt)
            ]

    def acknowledge_privacy_quarantine(self, ids: Iterable[int], by: str) -> int:
        """Resolve quarantined privacy records by id (a data engineer checked them); return how many changed.

        An acknowledged record no longer blocks publishing nor holds its customer back.
        """
        if not by or not by.strip():
            raise ValueError("acknowledge_privacy_quarantine needs the name of who acknowledges")
        ids = sorted({int(i) for i in ids})
        changed = 0
        now = utcnow()
        with self._write() as conn:
            for chunk in _chunks(ids):
                changed += conn.execute(
                    update(privacy_quarantine)
                    .where(privacy_quarantine.c.id.in_(chunk), privacy_quarantine.c.acknowledged_at.is_(None))
                    .values(acknowledged_at=now, acknowledged_by=by)
                ).rowcount
        return changed

    def consent_events(self) -> pa.Table:
        """Every consent event, as ``schema.CONSENT``, ordered by (recorded_at, event_id)."""
        c = consent_events
        stmt = select(*(c.c[name] for name in CONSENT.names)).order_by(c.c.recorded_at, c.c.event_id)
        with self._read() as conn:
            rows = [dict(row) for row in conn.execute(stmt).mappings()]
        return pa.Table.from_pylist(rows, schema=CONSENT)

    def deletion_requests(self) -> pa.Table:
        """Every deletion request, as ``schema.DELETION``, ordered by (requested_at, request_id)."""
        d = deletion_requests
        stmt = select(
            d.c.request_id,
            d.c.customer_id,
            d.c.scope,
            d.c.range_from.label("from"),
            d.c.range_to.label("to"),
            d.c.utterance_ids,
            d.c.requested_at,
        ).order_by(d.c.requested_at, d.c.request_id)
        with self._read() as conn:
            rows = [dict(row) for row in conn.execute(stmt).mappings()]
        return pa.Table.from_pylist(rows, schema=DELETION)

    def privacy_snapshot(self) -> dict[str, Any]:
        """The consent/deletion state a decision is taken against: counts, high-water marks, a hash.

        ``sha256`` covers every consent event and deletion request (by content, not by file),
        the held customers and the open blocking records; it is the same on SQLite and
        PostgreSQL for the same state, and changes whenever a decision could change.
        """
        c, d, q = consent_events, deletion_requests, privacy_quarantine
        with self._read() as conn:
            consent_count, max_recorded = conn.execute(select(func.count(), func.max(c.c.recorded_at))).one()
            deletion_count, max_requested = conn.execute(
                select(func.count(), func.max(d.c.requested_at))
            ).one()
            consent_state = conn.execute(
                select(
                    c.c.event_id,
                    c.c.customer_id,
                    c.c.purpose,
                    c.c.status,
                    c.c.effective_at,
                    c.c.recorded_at,
                    c.c.source,
                )
            ).all()
            deletion_state = conn.execute(
                select(
                    d.c.request_id,
                    d.c.customer_id,
                    d.c.scope,
                    d.c.range_from,
                    d.c.range_to,
                    d.c.utterance_ids,
                    d.c.requested_at,
                )
            ).all()
            blocked = conn.execute(
                select(q.c.kind, q.c.source_file, q.c.line).where(
                    q.c.customer_id.is_(None), q.c.acknowledged_at.is_(None)
                )
            ).all()
            held = self._held_customers(conn)
        # sorted here, not by the database: collations differ between backends
        digest = hashlib.sha256()
        digest.update(b"consent\n")
        for row in sorted(consent_state, key=lambda r: r.event_id):
            digest.update(dumps_canonical([*row[:4], _iso(row[4]), _iso(row[5]), row[6]]).encode() + b"\n")
        digest.update(b"deletion\n")
        for row in sorted(deletion_state, key=lambda r: r.request_id):
            values = [*row[:3], _iso(row[3]), _iso(row[4]), row[5], _iso(row[6])]
            digest.update(dumps_canonical(values).encode() + b"\n")
        digest.update(b"held\n" + dumps_canonical(sorted(held)).encode() + b"\n")
        digest.update(b"blocked\n" + dumps_canonical(sorted(list(row) for row in blocked)).encode())
        return {
            "consent_events": int(consent_count),
            "deletion_requests": int(deletion_count),
            "max_consent_recorded_at": _iso(max_recorded),
            "max_deletion_requested_at": _iso(max_requested),
            "held_customers": len(held),
            "blocking_records": len(blocked),
            "sha256": digest.hexdigest(),
        }

    # =========================================================================================
    # Processed landing files
    # =========================================================================================
    def select_new_files(self, files: Iterable[ObjectInfo], *, reprocess: bool = False) -> list[ObjectInfo]:
        """The files not processed yet, or whose content changed since (size or fingerprint); all if ``reprocess``."""
        files = list(files)
        if reprocess:
            return files
        known: dict[str, tuple[int, str]] = {}
        pf = processed_files
        with self._read() as conn:
            for chunk in _chunks(sorted({f.path for f in files})):
                for path, size, fingerprint in conn.execute(
                    select(pf.c.path, pf.c.size, pf.c.fingerprint).where(pf.c.path.in_(chunk))
                ):
                    known[path] = (int(size), fingerprint)
        return [f for f in files if known.get(f.path) != (f.size, f.fingerprint)]

    def mark_files_processed(
        self, files: Iterable[ObjectInfo], run_id: str, stats: Mapping[str, Any] | None = None
    ) -> int:
        """Register ``files`` as processed by ``run_id`` (idempotent: re-marking updates the entry).

        ``stats`` is either per file (a mapping whose keys are the files' paths) or one
        mapping recorded for every file (e.g. the run's counts).
        """
        files = list({f.path: f for f in files}.values())
        if not files:
            return 0
        per_file = bool(stats) and all(f.path in stats for f in files) and len(stats) == len(files)
        now = utcnow()
        rows = [
            {
                "path": f.path,
                "size": int(f.size),
                "fingerprint": f.fingerprint,
                "run_id": run_id,
                "processed_at": now,
                "stats": (stats.get(f.path) if per_file else stats) if stats else None,
                "rewritten_at": None,
            }
            for f in files
        ]
        stmt = self._insert(processed_files)
        stmt = stmt.on_conflict_do_update(
            index_elements=["path"],
            set_={name: stmt.excluded[name] for name in rows[0] if name != "path"},
        )
        with self._write() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def forget_files(self, paths: Iterable[str]) -> int:
        """Drop files from the registry (they will be taken as new); return how many were registered."""
        paths = sorted(set(paths))
        removed = 0
        with self._write() as conn:
            for chunk in _chunks(paths):
                removed += conn.execute(
                    delete(processed_files).where(processed_files.c.path.in_(chunk))
                ).rowcount
        return removed

    def update_file_fingerprint(self, path: str, size: int, fingerprint: str) -> bool:
        """Re-register a landing file a purge rewrote, so its new fingerprint is not taken as new input.

        Only a registered file is updated (an unprocessed file stays new input); returns
        whether it was registered.
        """
        with self._write() as conn:
            result = conn.execute(
                update(processed_files)
                .where(processed_files.c.path == path)
                .values(size=int(size), fingerprint=fingerprint, rewritten_at=utcnow())
            )
        return result.rowcount == 1

    def processed_file(self, path: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(select(processed_files).where(processed_files.c.path == path)).mappings().first()
            )
        return dict(row) if row else None

    # =========================================================================================
    # Dataset versions
    # =========================================================================================
    def record_version(
        self,
        dataset: str,
        version: str,
        parent_version: str | None,
        run_id: str | None,
        created_at: dt.datetime,
        manifest_path: str | None,
        status: str,
        counts: Mapping[str, int] | None = None,
    ) -> None:
        """Record (or re-record, idempotently) a version; recording it ``live`` supersedes the live one."""
        _check_version_status(status)
        now = utcnow()
        row = {
            "dataset": dataset,
            "version": version,
            "parent_version": parent_version,
            "run_id": run_id,
            "created_at": created_at,
            "manifest_path": manifest_path,
            "status": status,
            "counts": dict(counts or {}),
            "status_changed_at": now,
        }
        stmt = self._insert(dataset_versions)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dataset", "version"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dataset", "version")},
        )
        with self._write() as conn:
            current = self._version_status(conn, dataset, version)
            _check_transition(dataset, version, current, status)
            if status == "live":
                self._supersede_live(conn, dataset, keep=version, now=now)
            conn.execute(stmt, row)

    def set_version_status(self, dataset: str, version: str, status: str) -> None:
        """Change a version's status. ``live`` supersedes the live version; ``revoked`` is final."""
        _check_version_status(status)
        v = dataset_versions
        now = utcnow()
        with self._write() as conn:
            current = self._version_status(conn, dataset, version)
            if current is None:
                raise KeyError(f"dataset {dataset!r} has no version {version!r}")
            _check_transition(dataset, version, current, status)
            if current == status:
                return
            if status == "live":
                self._supersede_live(conn, dataset, keep=version, now=now)
            conn.execute(
                update(v)
                .where(v.c.dataset == dataset, v.c.version == version)
                .values(status=status, status_changed_at=now)
            )

    @staticmethod
    def _version_status(conn: Connection, dataset: str, version: str) -> str | None:
        v = dataset_versions
        return conn.scalar(select(v.c.status).where(v.c.dataset == dataset, v.c.version == version))

    @staticmethod
    def _supersede_live(conn: Connection, dataset: str, *, keep: str, now: dt.datetime) -> None:
        v = dataset_versions
        conn.execute(
            update(v)
            .where(v.c.dataset == dataset, v.c.status == "live", v.c.version != keep)
            .values(status="superseded", status_changed_at=now)
        )

    def live_version(self, dataset: str) -> str | None:
        v = dataset_versions
        with self._read() as conn:
            return conn.scalar(select(v.c.version).where(v.c.dataset == dataset, v.c.status == "live"))

    def versions(self, dataset: str) -> list[dict[str, Any]]:
        """Every version of ``dataset``, oldest first."""
        v = dataset_versions
        stmt = select(v).where(v.c.dataset == dataset).order_by(v.c.created_at, v.c.version)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]

    # =========================================================================================
    # Ledger of published utterances
    # =========================================================================================
    def insert_ledger_rows(self, dataset: str, version: str, rows: pa.Table) -> int:
        """Record the published utterances of new shards (``LEDGER_INPUT`` columns) in ``version``.

        Each new shard starts its own lineage (``shard_id`` = its path). The shards' previous
        rows, if any, are replaced, so a retried publish converges. Bulk path: ``COPY`` on
        PostgreSQL, chunked ``executemany`` on SQLite.
        """
        rows = _conform(rows, LEDGER_INPUT)
        if rows.num_rows == 0:
            return 0
        rows = rows.sort_by("utterance_id")  # primary-key order: index pages are touched once, in order
        shard_paths = sorted(pc.unique(rows.column("shard_path")).to_pylist())
        with self._write() as conn:
            for chunk in _chunks(shard_paths):
                conn.execute(delete(ledger).where(ledger.c.dataset == dataset, ledger.c.shard_id.in_(chunk)))
            if self.backend == "postgresql":
                _copy_ledger_rows(conn, dataset, rows)
            else:
                _executemany_ledger_rows(conn, dataset, rows)
            self._add_version_shards(conn, dataset, version, [(p, p) for p in shard_paths])
            if rows.num_rows >= _ANALYZE_AFTER_ROWS:  # so the planner picks the speaker/shard indexes
                conn.exec_driver_sql("ANALYZE ledger")
                conn.exec_driver_sql("ANALYZE version_shards")
        return rows.num_rows

    def rewrite_shards(
        self,
        dataset: str,
        version: str,
        rewritten: Mapping[str, str | None],
        removed_utterance_ids: Iterable[str],
    ) -> int:
        """Record a purge's shard rewrites in ``version`` (still staged). Idempotent.

        ``rewritten`` maps each replaced shard path to the path of its rewrite, which continues
        the old shard's lineage (its kept rows are not recorded again), or to ``None`` when no
        row was kept. The removed rows are marked ended in ``version``: older versions still see
        them until ``erase_ended_ledger_rows`` runs after the old files are gone. Returns the
        number of rows marked.
        """
        vs = version_shards
        lineage: dict[str, str] = {}
        ids = sorted(set(removed_utterance_ids))
        with self._write() as conn:
            for chunk in _chunks(sorted(rewritten)):
                found = conn.execute(
                    select(vs.c.shard_path, vs.c.shard_id)
                    .where(vs.c.dataset == dataset, vs.c.shard_path.in_(chunk))
                    .distinct()
                )
                lineage.update({path: shard_id for path, shard_id in found})
            unknown = sorted(set(rewritten) - set(lineage))
            if unknown:
                raise KeyError(f"dataset {dataset!r}: no version lists the rewritten shards {unknown}")
            self._add_version_shards(
                conn, dataset, version, [(new, lineage[old]) for old, new in sorted(rewritten.items()) if new]
            )
            marked = 0
            for lineages in _chunks(sorted(set(lineage.values()))):
                for chunk in _chunks(ids):
                    marked += conn.execute(
                        update(ledger)
                        .where(
                            ledger.c.dataset == dataset,
                            ledger.c.shard_id.in_(lineages),
                            ledger.c.utterance_id.in_(chunk),
                            ledger.c.ended_in.is_(None),
                        )
                        .values(ended_in=version)
                    ).rowcount
        return marked

    @staticmethod
    def _add_version_shards(
        conn: Connection, dataset: str, version: str, shards: Sequence[tuple[str, str]]
    ) -> None:
        """List ``(shard_path, shard_id)`` pairs in ``version`` (those not listed yet)."""
        vs = version_shards
        present = set()
        for chunk in _chunks([path for path, _ in shards]):
            present.update(
                conn.execute(
                    select(vs.c.shard_path).where(
                        vs.c.dataset == dataset, vs.c.version == version, vs.c.shard_path.in_(chunk)
                    )
                ).scalars()
            )
        missing = [
            {"dataset": dataset, "version": version, "shard_path": path, "shard_id": shard_id}
            for path, shard_id in shards
            if path not in present
        ]
        if missing:
            conn.execute(insert(vs), missing)

    def carry_over(
        self, dataset: str, from_version: str, to_version: str, exclude_shards: Iterable[str] = ()
    ) -> None:
        """List ``from_version``'s shards except ``exclude_shards`` in ``to_version`` too (one INSERT ... SELECT).

        Idempotent. No ledger row is touched: the carried shards' rows are the same rows.
        """
        excluded = sorted(set(exclude_shards))
        src, dst = version_shards.alias("src"), version_shards.alias("dst")
        already = exists().where(
            dst.c.dataset == dataset, dst.c.version == to_version, dst.c.shard_path == src.c.shard_path
        )
        carried = select(literal(dataset), literal(to_version), src.c.shard_path, src.c.shard_id).where(
            src.c.dataset == dataset, src.c.version == from_version, ~already
        )
        if excluded:
            carried = carried.where(src.c.shard_path.not_in(excluded))
        with self._write() as conn:
            conn.execute(
                insert(version_shards).from_select(["dataset", "version", "shard_path", "shard_id"], carried)
            )

    def version_shard_paths(self, dataset: str, version: str) -> list[str]:
        vs = version_shards
        with self._read() as conn:
            return list(
                conn.execute(
                    select(vs.c.shard_path)
                    .where(vs.c.dataset == dataset, vs.c.version == version)
                    .order_by(vs.c.shard_path)
                ).scalars()
            )

    def shards_left_behind(self, dataset: str, live_version: str) -> dict[str, list[str]]:
        """Shards some other version lists but ``live_version`` does not, each with the versions listing it.

        Publishing only ever adds shards, so under the dataset lock (no version staged) these
        are the shards a purge replaced: their files are due for removal.
        """
        vs, live, v = version_shards.alias("vs"), version_shards.alias("live"), dataset_versions
        in_live = exists().where(
            live.c.dataset == dataset, live.c.version == live_version, live.c.shard_path == vs.c.shard_path
        )
        stmt = (
            select(vs.c.shard_path, vs.c.version)
            .select_from(vs.join(v, and_(v.c.dataset == vs.c.dataset, v.c.version == vs.c.version)))
            .where(vs.c.dataset == dataset, vs.c.version != live_version, v.c.status != "staged", ~in_live)
            .order_by(vs.c.shard_path, vs.c.version)
        )
        out: dict[str, list[str]] = {}
        with self._read() as conn:
            for shard_path, version in conn.execute(stmt):
                out.setdefault(shard_path, []).append(version)
        return out

    @staticmethod
    def _version_ledger(dataset: str, version: str):
        """The join of a version's shards with their ledger rows, and the condition selecting the version."""
        vs = version_shards
        return _with_ledger(vs), and_(vs.c.dataset == dataset, vs.c.version == version)

    def live_content_hashes(self, dataset: str, version: str | None = None) -> set[str]:
        """Content hashes of every utterance in ``version`` (default: the live one) — the duplicate rule's input."""
        version = version or self.live_version(dataset)
        if version is None:
            return set()
        joined, where = self._version_ledger(dataset, version)
        stmt = select(ledger.c.content_hash).select_from(joined).where(where)
        with self._read() as conn:
            hashes = self._select_arrow(conn, stmt, [pa.field("content_hash", pa.string())])
        return set(hashes.column(0).to_pylist())

    def ledger_count(self, dataset: str, version: str) -> int:
        joined, where = self._version_ledger(dataset, version)
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(joined).where(where)))

    def ledger_rows(
        self,
        dataset: str,
        version: str | None,
        speaker_keys: Iterable[str] | None = None,
        utterance_ids: Iterable[str] | None = None,
    ) -> pa.Table:
        """Ledger rows of ``version`` (default: live) as ``LEDGER``, optionally only some speakers/utterances.

        ``shard_path`` is the shard's path in that version. Ordered by (shard_path,
        utterance_id). Both filters given: rows matching both.
        """
        version = version or self.live_version(dataset)
        if version is None:
            return LEDGER.empty_table()
        joined, where = self._version_ledger(dataset, version)
        stmt = (
            select(
                version_shards.c.shard_path,
                ledger.c.utterance_id,
                ledger.c.speaker_key,
                ledger.c.content_hash,
                self._raw_timestamp(ledger.c.captured_at),
            )
            .select_from(joined)
            .where(where)
        )
        statements = [stmt]
        keys = None if speaker_keys is None else sorted(set(speaker_keys))
        ids = None if utterance_ids is None else sorted(set(utterance_ids))
        if keys is not None and ids is not None:  # chunk the longer list, pass the shorter whole
            if len(keys) <= len(ids):
                stmt = stmt.where(ledger.c.speaker_key.in_(keys))
                statements = [stmt.where(ledger.c.utterance_id.in_(c)) for c in _chunks(ids)]
            else:
                stmt = stmt.where(ledger.c.utterance_id.in_(ids))
                statements = [stmt.where(ledger.c.speaker_key.in_(c)) for c in _chunks(keys)]
        elif keys is not None:
            statements = [stmt.where(ledger.c.speaker_key.in_(c)) for c in _chunks(keys)]
        elif ids is not None:
            statements = [stmt.where(ledger.c.utterance_id.in_(c)) for c in _chunks(ids)]
        raw_fields = [*list(LEDGER_INPUT)[:4], pa.field("captured_at", self._raw_timestamp_type)]
        with self._read() as conn:
            parts = [self._select_arrow(conn, statement, raw_fields) for statement in statements]
        raw = pa.concat_tables(parts)
        n = raw.num_rows
        table = pa.Table.from_arrays(
            [
                pa.nulls(n, pa.string()).fill_null(dataset),
                pa.nulls(n, pa.string()).fill_null(version),
                *raw.columns[:4],
                self._timestamps_to_arrow(raw.column("captured_at")),
            ],
            schema=LEDGER,
        )
        return table.sort_by([("shard_path", "ascending"), ("utterance_id", "ascending")])

    def _select_arrow(self, conn: Connection, statement, fields: list[pa.Field]) -> pa.Table:
        """Run a (large) SELECT straight into Arrow: ``COPY ... TO STDOUT`` on PostgreSQL, driver cursor on SQLite.

        No SQLAlchemy row objects are made, so a million-row ledger read stays in seconds. Only
        for statements over identifiers and numbers: values are rendered as SQL literals.
        """
        schema = pa.schema(fields)
        sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        cursor = conn.connection.driver_connection.cursor()
        try:
            if self.backend == "postgresql":
                buffer = io.BytesIO()
                cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", buffer)
                if buffer.tell() == 0:
                    return schema.empty_table()
                buffer.seek(0)
                return pa_csv.read_csv(
                    buffer,
                    read_options=pa_csv.ReadOptions(column_names=schema.names),
                    convert_options=pa_csv.ConvertOptions(column_types=schema, strings_can_be_null=False),
                )
            cursor.execute(sql)
            batches = []
            while rows := cursor.fetchmany(_FETCH_BATCH):
                columns = zip(*rows, strict=True)
                batches.append(
                    pa.record_batch(
                        [pa.array(c, f.type) for c, f in zip(columns, fields, strict=True)], schema=schema
                    )
                )
            return pa.Table.from_batches(batches, schema=schema)
        finally:
            cursor.close()

    @property
    def _raw_timestamp_type(self) -> pa.DataType:
        return pa.int64() if self.backend == "postgresql" else pa.string()

    def _raw_timestamp(self, column):
        """A timestamp column in its cheapest form to read into Arrow: µs since epoch (PostgreSQL), stored text (SQLite)."""
        if self.backend == "postgresql":
            return cast(func.extract("epoch", column) * 1_000_000, BigInteger)
        return type_coerce(column, String)

    def _timestamps_to_arrow(self, values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
        if self.backend == "postgresql":
            return pc.cast(values, TS)
        return pc.cast(
            pc.cast(values, pa.timestamp("us")), TS
        )  # SQLite holds "YYYY-MM-DD HH:MM:SS.ffffff" UTC

    def delete_ledger_rows(
        self,
        dataset: str,
        version: str | None = None,
        *,
        shard_paths: Iterable[str] | None = None,
        utterance_ids: Iterable[str] | None = None,
        speaker_keys: Iterable[str] | None = None,
    ) -> int:
        """Remove ledger rows; return how many rows were removed.

        - With ``version``: its shards (or only ``shard_paths``) leave that version — e.g. a
          staged version abandoned; rows of lineages no version lists any more are dropped,
          and rows the whole version had ended are live again. Returns the rows the version lost.
        - Without ``version``: erase from every version of the dataset either the shards at
          ``shard_paths`` (their files are gone; a lineage's rows go with its last listed
          shard), or the rows of ``utterance_ids`` or ``speaker_keys`` — e.g. a purge erasing
          a customer's pseudonymous trace. Returns the rows erased.
        """
        vs = version_shards
        if version is not None:
            if utterance_ids is not None or speaker_keys is not None:
                raise ValueError(
                    "shards are immutable and shared between versions: remove utterances from every "
                    "version (version=None) or remove whole shards from one version"
                )
            with self._write() as conn:
                if shard_paths is None:
                    paths = list(
                        conn.execute(
                            select(vs.c.shard_path).where(vs.c.dataset == dataset, vs.c.version == version)
                        ).scalars()
                    )
                else:
                    paths = sorted(set(shard_paths))
                lost = 0
                for chunk in _chunks(paths):
                    in_version = and_(
                        vs.c.dataset == dataset, vs.c.version == version, vs.c.shard_path.in_(chunk)
                    )
                    lost += conn.scalar(select(func.count()).select_from(_with_ledger(vs)).where(in_version))
                    lineages = list(
                        conn.execute(select(vs.c.shard_id).where(in_version).distinct()).scalars()
                    )
                    conn.execute(delete(vs).where(in_version))
                    self._drop_unlisted_lineages(conn, dataset, lineages)
                if shard_paths is None:
                    conn.execute(
                        update(ledger)
                        .where(ledger.c.dataset == dataset, ledger.c.ended_in == version)
                        .values(ended_in=None)
                    )
                return int(lost)
        given = [
            name
            for name, values in (
                ("shard_paths", shard_paths),
                ("utterance_ids", utterance_ids),
                ("speaker_keys", speaker_keys),
            )
            if values is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "without a version, give exactly one of shard_paths, utterance_ids, speaker_keys"
            )
        erased = 0
        with self._write() as conn:
            if shard_paths is not None:
                for chunk in _chunks(sorted(set(shard_paths))):
                    where = and_(vs.c.dataset == dataset, vs.c.shard_path.in_(chunk))
                    lineages = list(conn.execute(select(vs.c.shard_id).where(where).distinct()).scalars())
                    conn.execute(delete(vs).where(where))
                    erased += self._drop_unlisted_lineages(conn, dataset, lineages)
                return erased
            column = ledger.c.utterance_id if utterance_ids is not None else ledger.c.speaker_key
            for chunk in _chunks(sorted(set(utterance_ids if utterance_ids is not None else speaker_keys))):
                erased += conn.execute(
                    delete(ledger).where(ledger.c.dataset == dataset, column.in_(chunk))
                ).rowcount
        return erased

    @staticmethod
    def _drop_unlisted_lineages(conn: Connection, dataset: str, lineages: Sequence[str]) -> int:
        """Delete the ledger rows of those ``lineages`` that no version lists any more."""
        vs = version_shards
        listed = exists().where(vs.c.dataset == ledger.c.dataset, vs.c.shard_id == ledger.c.shard_id)
        dropped = 0
        for chunk in _chunks(sorted(set(lineages))):
            dropped += conn.execute(
                delete(ledger).where(ledger.c.dataset == dataset, ledger.c.shard_id.in_(chunk), ~listed)
            ).rowcount
        return dropped

    def erase_ended_ledger_rows(self, dataset: str, up_to_version: str) -> int:
        """Erase rows that a purge ended in ``up_to_version`` or before; return how many.

        Call once the files that still held them are gone: no version can show them any more.
        """
        with self._write() as conn:
            return conn.execute(
                delete(ledger).where(
                    ledger.c.dataset == dataset,
                    ledger.c.ended_in.is_not(None),
                    ledger.c.ended_in <= up_to_version,
                )
            ).rowcount

    # =========================================================================================
    # Runs
    # =========================================================================================
    def record_run(
        self,
        run_id: str,
        dag_id: str,
        started_at: dt.datetime,
        finished_at: dt.datetime | None,
        status: str,
        counts: Mapping[str, int],
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a run and its decision counts by reason (idempotent: a re-run of ``(dag_id, run_id)`` replaces it)."""
        row = {
            "run_id": run_id,
            "dag_id": dag_id,
            "started_at": started_at,
            "finished_at": finished_at,
            "status": status,
            "counts": {str(k): int(v) for k, v in counts.items()},
            "details": dict(details) if details is not None else None,
        }
        stmt = self._insert(runs)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dag_id", "run_id"],
            set_={name: stmt.excluded[name] for name in row if name not in ("dag_id", "run_id")},
        )
        with self._write() as conn:
            conn.execute(stmt, row)

    def runs(self, dag_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs (newest first), of one DAG or all."""
        stmt = select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)
        if dag_id is not None:
            stmt = stmt.where(runs.c.dag_id == dag_id)
        with self._read() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]

    # =========================================================================================
    # Deletion receipts and deadlines
    # =========================================================================================
    def upsert_receipt(
        self,
        request_id: str,
        *,
        status: str | None = None,
        received_at: dt.datetime | None = None,
        deadline_at: dt.datetime | None = None,
        completed_at: dt.datetime | None = None,
        removed_counts: Mapping[str, int] | None = None,
        versions_rewritten: Sequence[str] | None = None,
    ) -> None:
        """Create or update a deletion receipt; only the fields given are changed.

        Creating one needs ``received_at`` and ``deadline_at`` (status defaults to ``open``).
        """
        if status is not None and status not in RECEIPT_STATUSES:
            raise ValueError(f"receipt status must be one of {RECEIPT_STATUSES}, got {status!r}")
        changes: dict[str, Any] = {
            name: value
            for name, value in {
                "status": status,
                "received_at": received_at,
                "deadline_at": deadline_at,
                "completed_at": completed_at,
                "removed_counts": dict(removed_counts) if removed_counts is not None else None,
                "versions_rewritten": list(versions_rewritten) if versions_rewritten is not None else None,
            }.items()
            if value is not None
        }
        changes["updated_at"] = utcnow()
        r = deletion_receipts
        with self._write() as conn:
            if received_at is not None and deadline_at is not None:
                stmt = self._insert(r).values(request_id=request_id, **{"status": "open", **changes})
                stmt = stmt.on_conflict_do_update(index_elements=["request_id"], set_=changes)
                conn.execute(stmt)
                return
            result = conn.execute(update(r).where(r.c.request_id == request_id).values(**changes))
            if result.rowcount != 1:
                raise KeyError(
                    f"no receipt for deletion request {request_id!r}: create it with received_at and deadline_at"
                )

    def receipt(self, request_id: str) -> dict[str, Any] | None:
        r = deletion_receipts
        with self._read() as conn:
            row = conn.execute(select(r).where(r.c.request_id == request_id)).mappings().first()
        return dict(row) if row else None

    def receipts(self) -> list[dict[str, Any]]:
        """Every deletion receipt, earliest deadline first."""
        r = deletion_receipts
        with self._read() as conn:
            return [
                dict(row)
                for row in conn.execute(select(r).order_by(r.c.deadline_at, r.c.request_id)).mappings()
            ]

    # =========================================================================================
    # Dataset lock
    # =========================================================================================
    @contextmanager
    def dataset_lock(
        self,
        dataset: str,
        owner: str,
        *,
        timeout_s: float = 600.0,
        lease_s: float = 300.0,
        heartbeat: bool = True,
        poll_s: float = 0.05,
    ) -> Iterator[DatasetLock]:
        """Hold the lock on ``dataset`` for the ``with`` block; raise ``LockTimeout`` after ``timeout_s``.

        The lease is renewed by a heartbeat while held; a holder that died loses it after
        ``lease_s`` and the next run takes it over. Check ``lock.assert_held()`` before an
        irreversible step (e.g. switching the live version).
        """
        lock = self.acquire_dataset_lock(
            dataset, owner, timeout_s=timeout_s, lease_s=lease_s, heartbeat=heartbeat, poll_s=poll_s
        )
        try:
            yield lock
        finally:
            lock.release()

    def acquire_dataset_lock(
        self,
        dataset: str,
        owner: str,
        *,
        timeout_s: float = 600.0,
        lease_s: float = 300.0,
        heartbeat: bool = True,
        poll_s: float = 0.05,
    ) -> DatasetLock:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout_s
        delay = poll_s
        while True:
            if self._try_lock(dataset, owner, token, lease_s):
                lock = DatasetLock(self, dataset, owner, token, lease_s)
                if heartbeat:
                    lock.start_heartbeat()
                return lock
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = self.lock_holder(dataset)
                held_by = (
                    f"held by {holder['owner']!r} since {_iso(holder['acquired_at'])}, "
                    f"lease until {_iso(holder['expires_at'])}"
                    if holder
                    else "released just now"
                )
                raise LockTimeout(
                    f"could not lock dataset {dataset!r} for {owner!r} within {timeout_s:g}s: {held_by}"
                )
            time.sleep(min(remaining, delay * (0.5 + random.random())))
            delay = min(delay * 1.5, 1.0)

    def _try_lock(self, dataset: str, owner: str, token: str, lease_s: float) -> bool:
        now = utcnow()
        values = {
            "owner": owner,
            "token": token,
            "acquired_at": now,
            "expires_at": now + dt.timedelta(seconds=lease_s),
        }
        with self._write() as conn:
            inserted = conn.execute(
                self._insert(dataset_locks)
                .values(dataset=dataset, **values)
                .on_conflict_do_nothing(index_elements=["dataset"])
            ).rowcount
            if inserted == 1:
                return True
            previous = (
                conn.execute(select(dataset_locks).where(dataset_locks.c.dataset == dataset))
                .mappings()
                .first()
            )
            taken = conn.execute(
                update(dataset_locks)
                .where(dataset_locks.c.dataset == dataset, dataset_locks.c.expires_at < now)
                .values(**values)
            ).rowcount
        if taken == 1:
            log.warning(
                "took over the expired lock on dataset %r from %r (lease ended %s)",
                dataset,
                previous["owner"] if previous else None,
                _iso(previous["expires_at"]) if previous else None,
            )
            return True
        return False

    def lock_holder(self, dataset: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(select(dataset_locks).where(dataset_locks.c.dataset == dataset))
                .mappings()
                .first()
            )
        return dict(row) if row else None


# --- helpers -------------------------------------------------------------------------------------
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


# schema version -> the statements that bring a store of that version to the next one
_MIGRATIONS: dict[int, Callable[[str], list[str]]] = {1: _migrate_1_to_2}


def _with_ledger(shards):
    """``version_shards`` (or an alias of it) joined with the ledger rows each listed shard holds in its version."""
    return shards.join(
        ledger,
        and_(
            ledger.c.dataset == shards.c.dataset,
            ledger.c.shard_id == shards.c.shard_id,
            or_(ledger.c.ended_in.is_(None), ledger.c.ended_in > shards.c.version),
        ),
    )


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


def _check_version_status(status: str) -> None:
    if status not in VERSION_STATUSES:
        raise ValueError(f"version status must be one of {VERSION_STATUSES}, got {status!r}")


def _check_transition(dataset: str, version: str, current: str | None, status: str) -> None:
    if current == "revoked" and status != "revoked":
        raise ValueError(
            f"version {version!r} of {dataset!r} is revoked (it held data that had to be removed) and "
            f"cannot become {status!r}"
        )


def _consent_rows(events: pa.Table | None) -> list[dict[str, Any]]:
    if events is None or events.num_rows == 0:
        return []
    return _conform(events, CONSENT).to_pylist()


def _deletion_rows(requests: pa.Table | None) -> list[dict[str, Any]]:
    if requests is None or requests.num_rows == 0:
        return []
    rows = _conform(requests, DELETION).to_pylist()
    for row in rows:
        row["range_from"] = row.pop("from")
        row["range_to"] = row.pop("to")
    return rows


def _quarantine_rows(kind: str, quarantined: pa.Table | None) -> list[dict[str, Any]]:
    """Quarantine rows to store: position, reason and readable ids — never the raw input."""
    if quarantined is None or quarantined.num_rows == 0:
        return []
    missing = {"source_file", "line"} - set(quarantined.column_names)
    if missing:
        raise ValueError(f"quarantined privacy records need columns {sorted(missing)}")
    n = quarantined.num_rows

    def column(name: str) -> list[Any]:
        return quarantined.column(name).to_pylist() if name in quarantined.column_names else [None] * n

    rows = []
    for source_file, line, record_id, customer, reason, detail in zip(
        column("source_file"),
        column("line"),
        column("record_id"),
        column("customer_id"),
        column("reason"),
        column("detail"),
        strict=True,
    ):
        readable = isinstance(customer, str) and customer.strip() != ""
        rows.append(
            {
                "kind": kind,
                "source_file": source_file,
                "line": int(line),
                "record_id": record_id,
                "customer_id": customer if readable else None,
                "reason": reason or "malformed",
                "detail": detail or "",
            }
        )
    return rows


def _executemany_ledger_rows(conn: Connection, dataset: str, rows: pa.Table) -> None:
    """SQLite bulk path: ``executemany`` on the driver cursor, timestamps formatted like SQLAlchemy stores them."""
    sql = (
        "INSERT INTO ledger (dataset, shard_id, utterance_id, speaker_key, content_hash, captured_at) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    cursor = conn.connection.driver_connection.cursor()
    cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = -{_SQLITE_BULK_CACHE_KIB}")  # index pages stay in memory
    try:
        for batch in rows.to_batches(max_chunksize=_LEDGER_BATCH):
            # the text SQLAlchemy stores for a UTC datetime: "2026-11-25 13:45:12.000000"
            captured = pc.cast(
                pc.cast(batch.column("captured_at"), pa.timestamp("us")), pa.string()
            ).to_pylist()
            cursor.executemany(
                sql,
                zip(
                    [dataset] * batch.num_rows,
                    batch.column("shard_path").to_pylist(),
                    batch.column("utterance_id").to_pylist(),
                    batch.column("speaker_key").to_pylist(),
                    batch.column("content_hash").to_pylist(),
                    captured,
                    strict=True,
                ),
            )
    finally:
        cursor.execute(f"PRAGMA cache_size = {cache_size}")
        cursor.close()


def _copy_ledger_rows(conn: Connection, dataset: str, rows: pa.Table) -> None:
    """PostgreSQL bulk path: ``COPY ... FROM STDIN`` fed with CSV written by Arrow."""
    sql = "COPY ledger (dataset, shard_id, utterance_id, speaker_key, content_hash, captured_at) FROM STDIN WITH (FORMAT csv)"
    options = pa_csv.WriteOptions(include_header=False)
    cursor = conn.connection.driver_connection.cursor()
    try:
        for batch in rows.to_batches(max_chunksize=_LEDGER_BATCH):
            with_dataset = pa.Table.from_batches([batch]).add_column(
                0, "dataset", pa.nulls(batch.num_rows, pa.string()).fill_null(dataset)
            )
            buffer = io.BytesIO()
            pa_csv.write_csv(with_dataset, buffer, options)
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
    finally:
        cursor.close()
