"""The store's ledger of every published utterance, and which shards each version lists.

A version lists shards (``version_shards``); a shard belongs to a lineage (``shard_id``) whose
ledger rows it holds, less those a purge ended. Bulk inserts use ``COPY`` on PostgreSQL and a
chunked ``executemany`` on SQLite; large reads go straight into Arrow.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import logging
import resource
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from utterance_governance.io.store.base import _ERA_MOVE_LOCK_KEY, _chunks, _conform
from utterance_governance.io.store.versions import DatasetVersions
from utterance_governance.io.store_schema import (
    LEDGER,
    LEDGER_ERA_ROWS,
    LEDGER_INPUT,
    LEDGER_MAX_ERAS,
    content_key,
    dataset_versions,
    ledger,
    ledger_eras,
    ledger_speakers,
    utterance_keys,
    version_shards,
)
from utterance_governance.schema import TS

log = logging.getLogger(__name__)

_LEDGER_BATCH = 200_000  # rows per executemany / COPY batch: bounds memory for 1M-row inserts
# SQLite's sorter keeps up to the page cache's size in memory (at most 512 MiB), so a night's rows are
# put in order with a modest cache (the sorter spills to temporary files past it), and inserted with a
# large one: a night's ids and shards land on pages spread over as many index pages as the night is
# large, and a cache smaller than that reads and writes them again and again (2.2M rows: 82 s with
# 128 MiB, 48 s with 1 GiB). The large cache is the publish step's peak: the parts' memory goes back
# to the system first (4M-utterance night: 706 MiB before, 542 MiB after); with 768 MiB that night's
# publish peaked at 1662 MiB, over the 1.5 GiB a task may hold, hence 512 at most, and less when the
# process already holds more than the budget leaves for it (``_bulk_cache_kib``).
_SQLITE_SORT_CACHE_KIB = 128 * 1024
_SQLITE_BULK_CACHE_KIB = 512 * 1024
_TASK_MEMORY_KIB = 1536 * 1024  # what one task may hold (docs/benchmarks.md: "Memory holds at any volume")
# beside the page cache, the insert's own memory (SQLite's statements, the speaker pairs' Python objects)
_BULK_HEADROOM_KIB = 128 * 1024
_COPY_CHUNK_BYTES = 8 * 1024 * 1024  # psycopg 3 COPY writes
# an era merge's pieces: each its own transaction, this many rows
_ERA_MOVE_ROWS = 250_000
# the lock era merges take (a name no dataset has: ``dataset_lock`` keys by name), one merge at a time
ERA_MERGE_LOCK = "__ledger_eras__"
_FETCH_BATCH = 100_000  # rows per fetchmany when reading the ledger into Arrow
# a ledger insert this large refreshes planner statistics (and, on SQLite, returns freed memory first
# and checkpoints after)
_BULK_ROWS = 50_000
_STAGE = "temp.ug_ledger_stage"  # SQLite: a publish's ledger rows before their one ordered insert
_SORTED = "temp.ug_ledger_sorted"  # ... and the same rows in the order they go in
_LEDGER_COLUMNS = (  # LEDGER_INPUT's columns in order, as the ledger names them, and the id's key
    "shard_id",
    "utterance_id",
    "speaker_key",
    "content_hash",
    "captured_at",
    "landed_at",
    "locale",
    "utterance_key",
)
# The order a night's rows go in: by lineage (new shards, at the ends of the table and of
# ``ix_ledger_shard``); the two indexes keyed by hashes (content, utterance id) are small enough for
# the page cache (``store_schema``). In content-hash order, the shard index took a 10M night's rows
# on random pages of a region larger than the cache (2M rows: 54 s against 22 s in this order).
_INSERT_ORDER = ("shard_id", "speaker_key", "utterance_id")


class LedgerMismatch(RuntimeError):
    """The ledger does not hold the rows a step was about to record from it (nothing was recorded)."""


class Ledger(DatasetVersions):
    """The ledger of published utterances and the shard lists of versions."""

    def insert_ledger_rows(self, dataset: str, version: str, rows: pa.Table) -> int:
        """Record the published utterances of new shards (``LEDGER_INPUT`` columns) in ``version``.

        Each new shard starts its own lineage (``shard_id`` = its path). The shards' previous
        rows, if any, are replaced, so a retried publish converges. Bulk path: ``COPY`` on
        PostgreSQL, chunked ``executemany`` on SQLite.
        """
        return self.insert_ledger_parts(dataset, version, [rows])

    def insert_ledger_parts(self, dataset: str, version: str, parts: Iterable[pa.Table]) -> int:
        """``insert_ledger_rows`` of several parts (e.g. a publish's speaker partitions, each read as
        its shards are written); the number of rows recorded.

        On SQLite the parts are staged in a temporary table and go into the ledger in one statement,
        in lineage order (``_INSERT_ORDER``): the table and the shard index take a night's rows at their
        ends, the indexes keyed by hashes (content, utterance id) are a fraction of their size. The rows
        are sorted in the temporary database first; the write lock is held for the insert only, not
        while the parts are made or sorted. On PostgreSQL each part is copied in (``COPY``) as it comes,
        in the same order.
        """
        if self.backend == "postgresql":
            return self._copy_ledger_parts(dataset, version, parts)
        with self.engine.connect() as conn:  # one connection: its temporary tables hold the parts
            cursor = conn.connection.driver_connection.cursor()
            try:
                total, speakers, shard_paths, in_order = _stage_ledger_parts(cursor, parts)
                if not total:
                    return 0
                cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
                try:
                    _sort_staged_ledger_rows(cursor, in_order)
                    pairs = _speaker_lineages(pa.concat_tables(speakers))
                    del speakers
                    self._insert_sorted_ledger_rows(conn, cursor, dataset, version, shard_paths, pairs, total)
                finally:
                    cursor.execute(f"PRAGMA cache_size = {cache_size}")
                if total >= _BULK_ROWS:
                    # the insert's pages into the database file and the WAL file cut back, by the step
                    # that wrote them: SQLite's own checkpoint after the commit copies them only if no
                    # reader is open, and leaves the file at its size (4.3 GB on disk after a 20M night)
                    # until every connection closes. Best effort: an open reader keeps the rest for later.
                    cursor.execute("PRAGMA main.wal_checkpoint(TRUNCATE)").fetchone()
                    # the page cache, cut back to its size above, goes back to the system: the allocator
                    # keeps what SQLite frees, and the step's next work (the night's decisions) adds to it
                    _return_free_memory()
                return total
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
                cursor.execute(f"DROP TABLE IF EXISTS {_SORTED}")
                cursor.close()

    def _copy_ledger_parts(self, dataset: str, version: str, parts: Iterable[pa.Table]) -> int:
        """PostgreSQL: each part copied in (``COPY``) in its own transaction, as it comes."""
        total = 0
        for part in parts:
            rows = _with_utterance_keys(
                _conform(part, LEDGER_INPUT).sort_by(
                    [("shard_path" if c == "shard_id" else c, "ascending") for c in _INSERT_ORDER]
                )
            )
            if not rows.num_rows:
                continue
            with self._write() as conn:
                self._replace_shard_rows(conn, dataset, version, rows)
                era = _era_taking(conn, rows.num_rows)
                rows = rows.append_column("era", pa.array([era] * rows.num_rows, pa.int32()))
                _copy_rows(conn, "ledger", dataset, rows, (*_LEDGER_COLUMNS, "era"))
                _copy_rows(
                    conn, "ledger_speakers", dataset, _speaker_lineages(rows), ("speaker_key", "shard_id")
                )
                if rows.num_rows >= _BULK_ROWS:
                    conn.exec_driver_sql("ANALYZE ledger")
                    conn.exec_driver_sql("ANALYZE ledger_speakers")
                    conn.exec_driver_sql("ANALYZE version_shards")
            total += rows.num_rows
        return total

    def _insert_sorted_ledger_rows(
        self,
        conn: Connection,
        cursor,
        dataset: str,
        version: str,
        shard_paths: list[str],
        pairs: pa.Table,
        total: int,
    ) -> None:
        """SQLite: the sorted rows (``_SORTED``) and the speakers' lineages into the store, in one
        transaction under the write lock, with the page cache the task's budget leaves."""
        if total >= _BULK_ROWS:  # large inserts only: a collection takes a while
            _return_free_memory()
        resident = _resident_kib()
        bulk_cache = _bulk_cache_kib(resident)
        cursor.execute(f"PRAGMA cache_size = -{bulk_cache}")
        log.info("ledger insert of %d rows: page cache %d MiB, the process holding %d MiB",
                 total, bulk_cache // 1024, resident // 1024)  # fmt: skip
        conn.execution_options(ug_write=True)
        with conn.begin():
            self._replace_shard_rows(conn, dataset, version, shard_paths)
            era = _era_taking(conn, total)
            cursor.execute(  # in the sorted table's order (its rowids): no sort here
                f"INSERT INTO ledger (dataset, era, {', '.join(_LEDGER_COLUMNS)}) SELECT ?, ?, "
                f"{', '.join(_LEDGER_COLUMNS)} FROM {_SORTED} ORDER BY rowid",
                (dataset, era),
            )
            cursor.executemany(  # in key order (Arrow found them: SQL's DISTINCT took 6 s a 1M night)
                "INSERT INTO ledger_speakers (dataset, speaker_key, shard_id) VALUES (?, ?, ?)",
                zip([dataset] * pairs.num_rows, *(c.to_pylist() for c in pairs.columns), strict=True),
            )
            if total >= _BULK_ROWS:  # so the planner picks the speaker/shard indexes
                cursor.execute("ANALYZE ledger")
                cursor.execute("ANALYZE ledger_speakers")
                cursor.execute("ANALYZE version_shards")

    def _replace_shard_rows(
        self, conn: Connection, dataset: str, version: str, rows_or_paths: pa.Table | Sequence[str]
    ) -> None:
        """New shards listed in ``version``, rows a retried publish recorded for them removed first."""
        if isinstance(rows_or_paths, pa.Table):
            shard_paths = sorted(pc.unique(rows_or_paths.column("shard_path")).to_pylist())
        else:
            shard_paths = sorted(rows_or_paths)
        for chunk in _chunks(shard_paths):
            conn.execute(delete(ledger).where(ledger.c.dataset == dataset, ledger.c.shard_id.in_(chunk)))
            conn.execute(
                delete(ledger_speakers).where(
                    ledger_speakers.c.dataset == dataset, ledger_speakers.c.shard_id.in_(chunk)
                )
            )
        self._add_version_shards(conn, dataset, version, [(p, p) for p in shard_paths])

    def rewrite_shards(
        self,
        dataset: str,
        version: str,
        rewritten: Mapping[str, str | None],
        removed: Mapping[str, Iterable[str]] | Iterable[str],
    ) -> int:
        """Record a purge's shard rewrites in ``version`` (still staged). Idempotent.

        ``rewritten`` maps each replaced shard path to the path of its rewrite, which continues
        the old shard's lineage (its kept rows are not recorded again), or to ``None`` when no
        row was kept. ``removed``: the utterance ids each replaced shard lost (by its path), or ids
        that every replaced shard lost. The removed rows are marked ended in ``version``: older
        versions still see them until ``erase_ended_ledger_rows`` runs after the old files are
        gone. Returns the number of rows marked.

        The (utterance, lineage) pairs go through a temporary table and one ``UPDATE`` that looks
        each up by its id's key (``ix_ledger_utterance``): a purge of thousands of customers marks
        hundreds of thousands of rows in about a second, where ``IN`` lists made the planner scan
        every shard.
        """
        vs = version_shards
        lineage: dict[str, str] = {}
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
            if isinstance(removed, Mapping):
                pairs = {(uid, lineage[path]) for path, ids in removed.items() for uid in ids}
            else:
                ids = set(removed)
                pairs = {(uid, shard_id) for shard_id in set(lineage.values()) for uid in ids}
            if not pairs:
                return 0
            ended = sorted(pairs)
            eras = _eras_held(conn)
            ids = pa.array([p[0] for p in ended], pa.string())
            table = self._temp_table(
                conn,
                "ug_ended",
                pa.table(
                    {
                        "utterance_key": utterance_keys(ids),
                        "utterance_id": ids,
                        "shard_id": [p[1] for p in ended],
                    }
                ),
            )
            return conn.execute(
                text(
                    f"UPDATE ledger SET ended_in = :version WHERE dataset = :dataset AND ended_in IS NULL "
                    f"AND era IN ({_sql_list(eras)}) AND (utterance_key, utterance_id, shard_id) IN "
                    f"(SELECT utterance_key, utterance_id, shard_id FROM {table})"
                ),
                {"version": version, "dataset": dataset},
            ).rowcount

    def ledger_eras(self) -> dict[int, int]:
        """The ledger's eras (``store_schema``), each with the rows it holds now."""
        with self._read() as conn:
            return {era: _era_size(conn, era) for era in _eras(conn)}

    def merge_ledger_eras(
        self, max_eras: int = LEDGER_MAX_ERAS, *, lock_timeout_s: float = 600.0
    ) -> list[dict]:
        """Merge eras until the ledger has ``max_eras`` at most: the smallest era and the smaller of its
        neighbours (by number) become one, the younger's rows moving into the older, so eras stay few and of
        sizes that grow with their age. The daily audit's step.

        It never changes what a lookup finds, though lookups read the eras first and the rows after: a read is
        one snapshot, and a write that looks rows up by era holds a lock no piece moves past (``_eras_held``:
        a piece could otherwise move rows into an era a compaction emptied after the merge chose it, and the
        write, not seeing that era, miss them). Rows only ever move into an older era, and a night's rows go
        into the youngest era or a newer one. One merge at a time (a lock of the store's own,
        ``ERA_MERGE_LOCK``). A move goes in pieces of ``_ERA_MOVE_ROWS`` rows that commit: no writer waits
        long behind it. Returns the moves: ``{"era", "into", "rows"}``."""
        if max_eras < 1:
            raise ValueError(f"max_eras must be at least 1, not {max_eras}")
        moves: list[dict] = []
        with self.dataset_lock(ERA_MERGE_LOCK, owner="merge_ledger_eras", timeout_s=lock_timeout_s):
            with self._read() as conn:
                sizes = {era: _era_size(conn, era) for era in _eras(conn)}
            while len(sizes) > max_eras:
                eras = sorted(sizes)
                smallest = min(eras, key=lambda e: (sizes[e], -e))  # of equal sizes, the youngest
                at = eras.index(smallest)
                other = min(
                    (eras[j] for j in (at - 1, at + 1) if 0 <= j < len(eras)), key=lambda e: (sizes[e], -e)
                )
                era, into = max(smallest, other), min(smallest, other)  # the younger into the older
                moved = 0
                while True:
                    # with the page cache the budget leaves: 1M rows into an 11M-row era 23.7 s, not 33.8
                    with self._bulk_write() as conn:
                        if conn.dialect.name == "postgresql":  # (``_eras_held``)
                            conn.execute(
                                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ERA_MOVE_LOCK_KEY}
                            )
                        move = _MOVE_PIECE[conn.dialect.name]
                        step = conn.execute(move, {"era": era, "into": into, "n": _ERA_MOVE_ROWS}).rowcount
                    moved += step
                    if step < _ERA_MOVE_ROWS:
                        break
                with self._write() as conn:
                    # the counts from the rows themselves: a night may have gone into the era while it moved
                    left = _era_size(conn, era)
                    conn.execute(delete(ledger_eras).where(ledger_eras.c.era.in_([era, into])))
                    conn.execute(insert(ledger_eras), [{"era": e, "rows": n} for e, n in
                                                       ((into, _era_size(conn, into)), (era, left)) if n])  # fmt: skip
                log.info(
                    "ledger era %d (%d rows) merged into era %d (%d rows)", era, moved, into, sizes[into]
                )
                moves.append({"era": era, "into": into, "rows": moved})
                sizes[into] += sizes.pop(era)
        return moves

    def _temp_table(self, conn: Connection, name: str, rows: pa.Table) -> str:
        """A temporary table ``name`` of this transaction holding ``rows`` (text columns, and integer ones
        for int64 columns; all together its key), emptied first; its name. Bulk path: ``COPY`` on
        PostgreSQL, ``executemany`` on SQLite."""
        columns = rows.column_names
        cursor = conn.connection.driver_connection.cursor()
        try:
            if self.backend == "postgresql":
                typed = ", ".join(
                    f"{c} BIGINT" if pa.types.is_int64(rows.schema.field(c).type) else f'{c} TEXT COLLATE "C"'
                    for c in columns
                )
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {name} ({typed}, PRIMARY KEY ({', '.join(columns)})) ON COMMIT DROP"
                )
                cursor.execute(f"TRUNCATE {name}")
                buffer = io.BytesIO()
                pa_csv.write_csv(rows, buffer, pa_csv.WriteOptions(include_header=False))
                _copy_in(cursor, f"COPY {name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
            else:
                typed = ", ".join(
                    f"{c} INTEGER" if pa.types.is_int64(rows.schema.field(c).type) else f"{c} TEXT"
                    for c in columns
                )
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {name} ({typed}, PRIMARY KEY ({', '.join(columns)}))"
                )
                cursor.execute(f"DELETE FROM {name}")
                cursor.executemany(
                    f"INSERT INTO {name} VALUES ({', '.join('?' * len(columns))})",
                    zip(*(rows.column(c).to_pylist() for c in columns), strict=True),
                )
        finally:
            cursor.close()
        return name

    def live_matches(
        self, dataset: str, version: str, content_hashes: pa.Array, utterance_ids: pa.Array
    ) -> tuple[set[str], set[str]]:
        """Which of ``content_hashes`` and which of ``utterance_ids`` are live in ``version``: the
        duplicate rule's question about a night's batch, answered by index lookups of the batch's own
        keys (its cost grows with the batch, not with the dataset's age)."""
        vs = version_shards
        visible = and_(
            vs.c.dataset == ledger.c.dataset,
            vs.c.shard_id == ledger.c.shard_id,
            vs.c.version == version,
            or_(ledger.c.ended_in.is_(None), ledger.c.ended_in > vs.c.version),
        )
        found: dict[str, set[str]] = {}
        with self._read() as conn:
            eras = _eras(conn)
            for column, values in (("content_hash", content_hashes), ("utterance_id", utterance_ids)):
                keys = pc.unique(
                    pa.chunked_array([values]) if isinstance(values, pa.Array) else values
                ).drop_null()
                # in key order: the lookups walk the index from one end to the other, each page read
                # once, where random probes read a page per key from an index as large as the dataset
                keys = keys.take(pc.array_sort_indices(keys))
                if len(keys) == 0 or not eras:
                    found[column] = set()
                    continue
                probe = pa.table({"k": keys.cast(pa.string())})
                if (
                    column == "utterance_id"
                ):  # ids are looked up by their keys (ix_ledger_utterance), in order
                    probe = probe.append_column("kk", utterance_keys(probe.column("k"))).sort_by("kk")
                table = self._temp_table(conn, f"ug_{column}s", probe)
                if self.backend == "sqlite":
                    # the batch's keys drive the join, one index lookup each: SQLite's planner, on the
                    # sampled statistics of a large ledger (analysis_limit), would otherwise walk the
                    # whole dataset's index and probe the keys (40 s instead of 0.8 s per 250k keys on
                    # a 12M-row ledger); CROSS JOIN fixes SQLite's join order
                    by_key = f"l.era IN ({_sql_list(eras)}) AND " + (  # each era's part of the index
                        # the content index is keyed by the hash's first characters
                        f"{_sql(content_key(literal_column('l.content_hash')))} = "
                        f"{_sql(content_key(literal_column('k.k')))} AND "
                        if column == "content_hash"
                        else "l.utterance_key = k.kk AND "
                    )
                    stmt = text(
                        f"SELECT DISTINCT l.{column} FROM {table} AS k CROSS JOIN ledger AS l "
                        f"CROSS JOIN version_shards AS vs WHERE {by_key}l.dataset = :dataset "
                        f"AND l.{column} = k.k AND vs.dataset = l.dataset AND vs.shard_id = l.shard_id "
                        "AND vs.version = :version AND (l.ended_in IS NULL OR l.ended_in > vs.version)"
                    ).bindparams(dataset=dataset, version=version)
                else:
                    if column == "content_hash":
                        probe = text(f"SELECT k FROM {table}").columns(k=String).subquery()
                        on = and_(
                            probe.c.k == ledger.c[column],
                            ledger.c.era.in_(eras),
                            content_key(ledger.c.content_hash) == content_key(probe.c.k),
                        )
                    else:
                        probe = text(f"SELECT k, kk FROM {table}").columns(k=String, kk=BigInteger).subquery()
                        on = and_(
                            probe.c.k == ledger.c[column],
                            ledger.c.era.in_(eras),
                            probe.c.kk == ledger.c.utterance_key,
                        )
                    stmt = (
                        select(ledger.c[column])
                        .join(probe, on)
                        .join(vs, visible)
                        .where(ledger.c.dataset == dataset)
                        .distinct()
                    )
                found[column] = set(conn.execute(stmt).scalars())
        return found["content_hash"], found["utterance_id"]

    def live_rows_of_content(self, dataset: str, version: str, content_hashes: pa.Array) -> pa.Table:
        """(``utterance_id``, ``speaker_key``, ``content_hash``) of the rows live in ``version`` whose
        content is one of ``content_hashes``: what a night's duplicates repeat (``jobs.publish``'s recording
        twins). Looked up as ``live_matches`` looks content up, by the batch's own keys."""
        schema = pa.schema([(c, pa.string()) for c in ("utterance_id", "speaker_key", "content_hash")])
        keys = pc.unique(
            pa.chunked_array([content_hashes]) if isinstance(content_hashes, pa.Array) else content_hashes
        ).drop_null()
        if len(keys) == 0:
            return schema.empty_table()
        keys = keys.take(pc.array_sort_indices(keys))
        with self._read() as conn:
            eras = _eras(conn)
            if not eras:
                return schema.empty_table()
            table = self._temp_table(conn, "ug_twin_hashes", pa.table({"k": keys.cast(pa.string())}))
            by_key = (
                f"l.era IN ({_sql_list(eras)}) AND {_sql(content_key(literal_column('l.content_hash')))} = "
                f"{_sql(content_key(literal_column('k.k')))}"
            )
            join = "CROSS JOIN" if self.backend == "sqlite" else "JOIN"  # (SQLite: the keys drive, as above)
            stmt = text(
                f"SELECT l.utterance_id, l.speaker_key, l.content_hash FROM {table} AS k {join} ledger AS l "
                f"ON {by_key} AND l.content_hash = k.k {join} version_shards AS vs ON vs.dataset = l.dataset "
                "AND vs.shard_id = l.shard_id WHERE l.dataset = :dataset AND vs.version = :version "
                "AND (l.ended_in IS NULL OR l.ended_in > vs.version)"
            ).bindparams(dataset=dataset, version=version)
            rows = conn.execute(stmt).all()
        return pa.table(
            {name: pa.array([row[i] for row in rows], pa.string()) for i, name in enumerate(schema.names)},
            schema=schema,
        )

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

    def versions_listing(self, dataset: str, shard_paths: Iterable[str]) -> dict[str, list[str]]:
        """The versions that list each of ``shard_paths`` (paths without a version left out)."""
        vs = version_shards
        out: dict[str, list[str]] = {}
        with self._read() as conn:
            for chunk in _chunks(sorted(set(shard_paths))):
                rows = conn.execute(
                    select(vs.c.shard_path, vs.c.version)
                    .where(vs.c.dataset == dataset, vs.c.shard_path.in_(chunk))
                    .order_by(vs.c.shard_path, vs.c.version)
                )
                for path, version in rows:
                    out.setdefault(path, []).append(version)
        return out

    def shards_left_behind(self, dataset: str, live_version: str) -> dict[str, list[str]]:
        """Shards some other version lists but ``live_version`` does not, each with the versions listing it.

        Publishing only ever adds shards, so under the dataset lock (no version staged) these
        are the shards a purge replaced or a compaction merged: their files are due for removal
        (a compaction's once its grace period is over).
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

    def ledger_duplicates(self, dataset: str, version: str) -> dict[str, list[str]]:
        """Utterances ``version``'s ledger records in more than one of its shards: id -> shard paths."""
        vs = version_shards
        joined, where = self._version_ledger(dataset, version)
        repeated = (
            select(ledger.c.utterance_id)
            .select_from(joined)
            .where(where)
            .group_by(ledger.c.utterance_id)
            .having(func.count() > 1)
            .subquery()
        )
        stmt = (
            select(ledger.c.utterance_id, vs.c.shard_path)
            .select_from(joined)
            .where(where, ledger.c.utterance_id.in_(select(repeated.c.utterance_id)))
            .order_by(ledger.c.utterance_id, vs.c.shard_path)
        )
        out: dict[str, list[str]] = {}
        with self._read() as conn:
            for uid, path in conn.execute(stmt):
                out.setdefault(uid, []).append(path)
        return out

    def ledger_content_repeats(
        self, dataset: str, version: str, detail: int
    ) -> tuple[int, list[tuple[str, str, str]]]:
        """Rows of ``version``'s ledger whose content (``content_hash``) an earlier capture in the version
        holds too: none may be live (SPEC §4 rule 5, the dedup's promise). Returns how many such rows
        there are (one per utterance beyond a content's first; an utterance recorded twice is
        ``ledger_duplicates``'s), and for the first ``detail`` contents (by hash) each such row as
        (utterance_id, shard_path, the utterance_id of the content's earliest capture). One grouped
        query over the version's ledger, as ``ledger_duplicates`` runs, and the few rows it names."""
        joined, where = self._version_ledger(dataset, version)
        uid, content = ledger.c.utterance_id, ledger.c.content_hash
        grouped = (
            select(content, func.count(func.distinct(uid)))
            .select_from(joined)
            .where(where)
            .group_by(content)
            .having(func.count(func.distinct(uid)) > 1)
            .order_by(content)
        )
        rows: list[tuple[str, str, str]] = []
        with self._read() as conn:
            total, named = 0, []
            for content_hash, n in conn.execute(grouped):
                total += int(n) - 1
                if len(named) < detail:
                    named.append(content_hash)
            for chunk in _chunks(named):
                stmt = (
                    select(content, uid, version_shards.c.shard_path)
                    .select_from(joined)
                    .where(where, content.in_(chunk))
                    .order_by(content, ledger.c.captured_at, uid, version_shards.c.shard_path)
                )
                first: dict[str, str] = {}
                seen: set[tuple[str, str]] = set()
                for content_hash, utterance_id, path in conn.execute(stmt):
                    earliest = first.setdefault(content_hash, utterance_id)
                    if utterance_id != earliest and (content_hash, utterance_id) not in seen:
                        seen.add((content_hash, utterance_id))
                        rows.append((utterance_id, path, earliest))
        return total, rows

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
        shard_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """Ledger rows of ``version`` (default: live) as ``LEDGER``, optionally only some speakers/utterances
        and only in some shards (paths as that version lists them).

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
                self._raw_timestamp(ledger.c.landed_at).label("landed_at"),
                ledger.c.locale,
            )
            .select_from(joined)
            .where(where)
        )
        if shard_paths is not None:
            stmt = stmt.where(version_shards.c.shard_path.in_(sorted(set(shard_paths))))
        raw_fields = [*list(LEDGER_INPUT)[:4], pa.field("captured_at", self._raw_timestamp_type),
                      pa.field("landed_at", self._raw_timestamp_type), pa.field("locale", pa.string())]  # fmt: skip
        with self._read() as conn:
            statements = [stmt]
            keys = None if speaker_keys is None else sorted(set(speaker_keys))
            ids = None if utterance_ids is None else sorted(set(utterance_ids))
            eras = _eras(conn) if ids is not None else []
            if keys is not None and ids is not None:  # chunk the longer list, pass the shorter whole
                if len(keys) <= len(ids):
                    stmt = stmt.where(_of_speakers(dataset, keys))
                    statements = [stmt.where(_of_utterances(c, eras)) for c in _chunks(ids)]
                else:
                    stmt = stmt.where(_of_utterances(ids, eras))
                    statements = [stmt.where(_of_speakers(dataset, c)) for c in _chunks(keys)]
            elif keys is not None:
                statements = [stmt.where(_of_speakers(dataset, c)) for c in _chunks(keys)]
            elif ids is not None:
                statements = [stmt.where(_of_utterances(c, eras)) for c in _chunks(ids)]
            parts = [self._select_arrow(conn, statement, raw_fields) for statement in statements]
        raw = pa.concat_tables(parts)
        n = raw.num_rows
        table = pa.Table.from_arrays(
            [
                pa.nulls(n, pa.string()).fill_null(dataset),
                pa.nulls(n, pa.string()).fill_null(version),
                *raw.columns[:4],
                self._timestamps_to_arrow(raw.column("captured_at")),
                self._timestamps_to_arrow(raw.column("landed_at")),
                raw.column("locale"),
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
                buffer = _copy_out(cursor, f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)")
                if buffer.tell() == 0:
                    return schema.empty_table()
                buffer.seek(0)
                return pa_csv.read_csv(
                    buffer,
                    read_options=pa_csv.ReadOptions(column_names=schema.names),
                    # NULL is an unquoted empty field, an empty string a quoted one; and nothing else: by
                    # default Arrow also reads NA, N/A, null or nan as NULL, which upstream may call an utterance
                    convert_options=pa_csv.ConvertOptions(
                        column_types=schema,
                        null_values=[""],
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=False,
                    ),
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
            if utterance_ids is not None:
                ids = sorted(set(utterance_ids))
                eras = _eras_held(conn)
                for chunk in _chunks(ids):
                    erased += conn.execute(
                        delete(ledger).where(ledger.c.dataset == dataset, _of_utterances(chunk, eras))
                    ).rowcount
                self.forget_twins_of_erased(conn, dataset, ids)  # (``io.store.twins``)
                return erased
            ls = ledger_speakers
            for chunk in _chunks(sorted(set(speaker_keys))):
                of_chunk = and_(ledger.c.dataset == dataset, _of_speakers(dataset, chunk))
                # the recording twins of the rows erased go with them (``io.store.twins``)
                self.forget_twins_of_erased(
                    conn, dataset, conn.execute(select(ledger.c.utterance_id).where(of_chunk)).scalars()
                )
                erased += conn.execute(delete(ledger).where(of_chunk)).rowcount
                conn.execute(delete(ls).where(ls.c.dataset == dataset, ls.c.speaker_key.in_(chunk)))
        return erased

    @contextlib.contextmanager
    def _bulk_write(self) -> Iterator[Connection]:
        """``_write`` with, on SQLite, the page cache the task's budget leaves (``_bulk_cache_kib``): a
        statement over hundreds of thousands of rows in random-keyed indexes then reads and writes each
        page once, not again and again (a compaction's copy of 320k rows: 20 s with the default cache)."""
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor() if self.backend == "sqlite" else None
            before = None
            if cursor is not None:
                before = cursor.execute("PRAGMA cache_size").fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{_bulk_cache_kib(_resident_kib())}")
            try:
                conn.execution_options(ug_write=True)
                with conn.begin():
                    yield conn
            finally:
                if cursor is not None:
                    cursor.execute(f"PRAGMA cache_size = {before}")
                    cursor.close()

    def copy_lineage_rows(
        self,
        dataset: str,
        version: str,
        parent: str,
        merged: Sequence[str],
        placement: pa.Table,
        expected: int,
    ) -> int:
        """Record a compaction's new shards in ``version`` (still staged): the ledger rows ``parent``
        shows in its shards at ``merged`` are copied, in the store, into the new shard ``placement``
        (``speaker_key``, ``shard_path``) puts their speaker in; the number copied.

        One ``INSERT ... SELECT``: the rows never leave the database (no fetch, stage and sort as a
        publish's new rows need), and their capture and landing times are the ledger's own. Raises
        ``LedgerMismatch`` (nothing recorded) unless exactly ``expected`` rows were copied: a row whose
        speaker has no new shard, or a shard whose ledger rows are not its rows."""
        vs = version_shards
        with self._bulk_write() as conn:
            self._replace_shard_rows(
                conn, dataset, version, sorted(set(placement.column("shard_path").to_pylist()))
            )
            lineages: set[str] = set()
            for chunk in _chunks(sorted(set(merged))):
                lineages.update(
                    conn.execute(
                        select(vs.c.shard_id).where(
                            vs.c.dataset == dataset, vs.c.version == parent, vs.c.shard_path.in_(chunk)
                        )
                    ).scalars()
                )
            placed = self._temp_table(conn, "ug_placement", placement.select(["speaker_key", "shard_path"]))
            old = self._temp_table(
                conn, "ug_merged", pa.table({"shard_id": pa.array(sorted(lineages), pa.string())})
            )
            copied = conn.execute(
                text(
                    "INSERT INTO ledger (dataset, utterance_id, shard_id, utterance_key, speaker_key, content_hash, "
                    "captured_at, landed_at, locale, era) SELECT l.dataset, l.utterance_id, p.shard_path, "
                    "l.utterance_key, l.speaker_key, l.content_hash, l.captured_at, l.landed_at, l.locale, :era "
                    f"FROM {old} AS m JOIN ledger AS l "
                    f"ON l.dataset = :dataset AND l.shard_id = m.shard_id JOIN {placed} AS p "
                    "ON p.speaker_key = l.speaker_key WHERE l.ended_in IS NULL"
                ),
                {"dataset": dataset, "era": _era_taking(conn, expected)},
            ).rowcount
            if copied != expected:
                raise LedgerMismatch(
                    f"dataset {dataset!r}: the merged shards hold {expected} rows, their ledger rows placed "
                    f"in the new shards are {copied}"
                )
            conn.execute(
                text(
                    "INSERT INTO ledger_speakers (dataset, speaker_key, shard_id) "
                    f"SELECT :dataset, speaker_key, shard_path FROM {placed}"
                ),
                {"dataset": dataset},
            )
            if copied >= _BULK_ROWS:
                conn.exec_driver_sql("ANALYZE ledger")
        return copied

    def lineage_contents(self, dataset: str, version: str, shard_paths: Sequence[str]) -> pa.Table:
        """(utterance_id, content_hash) of the ledger rows ``version`` shows in its shards at
        ``shard_paths``, sorted by utterance_id: what those files must hold, row for row."""
        joined, where = self._version_ledger(dataset, version)
        fields = [pa.field("utterance_id", pa.string()), pa.field("content_hash", pa.string())]
        parts = []
        with self._read() as conn:
            for chunk in _chunks(sorted(set(shard_paths))):
                stmt = (
                    select(ledger.c.utterance_id, ledger.c.content_hash)
                    .select_from(joined)
                    .where(where, version_shards.c.shard_path.in_(chunk))
                )
                parts.append(self._select_arrow(conn, stmt, fields))
        return pa.concat_tables(parts or [pa.schema(fields).empty_table()]).sort_by("utterance_id")

    def drop_lineage_rows(self, dataset: str, version: str, shard_paths: Sequence[str]) -> int:
        """Delete the ledger rows and speaker pairs of the lineages ``version`` lists at ``shard_paths``,
        though older versions still list those shards; return the rows deleted. Idempotent.

        For a compaction, once its version is live: it recorded the rows it moved under lineages of its
        own, and the merged shards' files only wait out their grace period. Their rows go now, in the
        compaction's step, not in the first purge after it (a purge removes those files as soon as it
        removes rows, and would otherwise pay for every row the compaction moved)."""
        vs, ls = version_shards, ledger_speakers
        dropped = 0
        with self._bulk_write() as conn:
            for chunk in _chunks(sorted(set(shard_paths))):
                lineages = list(
                    conn.execute(
                        select(vs.c.shard_id)
                        .where(vs.c.dataset == dataset, vs.c.version == version, vs.c.shard_path.in_(chunk))
                        .distinct()
                    ).scalars()
                )
                if lineages:
                    dropped += conn.execute(
                        delete(ledger).where(ledger.c.dataset == dataset, ledger.c.shard_id.in_(lineages))
                    ).rowcount
                    conn.execute(delete(ls).where(ls.c.dataset == dataset, ls.c.shard_id.in_(lineages)))
        return dropped

    @staticmethod
    def _drop_unlisted_lineages(conn: Connection, dataset: str, lineages: Sequence[str]) -> int:
        """Delete the ledger rows of those ``lineages`` that no version lists any more."""
        vs = version_shards
        listed = exists().where(vs.c.dataset == ledger.c.dataset, vs.c.shard_id == ledger.c.shard_id)
        ls = ledger_speakers
        still_listed = exists().where(vs.c.dataset == ls.c.dataset, vs.c.shard_id == ls.c.shard_id)
        dropped = 0
        for chunk in _chunks(sorted(set(lineages))):
            dropped += conn.execute(
                delete(ledger).where(ledger.c.dataset == dataset, ledger.c.shard_id.in_(chunk), ~listed)
            ).rowcount
            conn.execute(delete(ls).where(ls.c.dataset == dataset, ls.c.shard_id.in_(chunk), ~still_listed))
        return dropped

    def erase_ended_ledger_rows(self, dataset: str, up_to_version: str) -> int:
        """Erase rows that a purge ended in ``up_to_version`` or before; return how many.

        Call once the files that still held them are gone: no version can show them any more. A speaker
        left with no row in a lineage leaves its ``ledger_speakers`` pair too: the pair names their
        speaker key, which a delete-all must not leave in the store.
        """
        ended = and_(
            ledger.c.dataset == dataset, ledger.c.ended_in.is_not(None), ledger.c.ended_in <= up_to_version
        )
        ls = ledger_speakers
        with self._write() as conn:
            speakers = sorted(conn.execute(select(ledger.c.speaker_key).where(ended).distinct()).scalars())
            # the recording twins of the rows erased go with them (``io.store.twins``)
            self.forget_twins_of_erased(
                conn, dataset, conn.execute(select(ledger.c.utterance_id).where(ended)).scalars()
            )
            erased = conn.execute(delete(ledger).where(ended)).rowcount
            for chunk in _chunks(speakers):
                left = select(ledger.c.speaker_key).where(
                    ledger.c.dataset == ls.c.dataset,
                    ledger.c.shard_id == ls.c.shard_id,
                    ledger.c.speaker_key == ls.c.speaker_key,
                )
                conn.execute(
                    delete(ls).where(ls.c.dataset == dataset, ls.c.speaker_key.in_(chunk), ~left.exists())
                )
            return erased


def _stage_ledger_parts(cursor, parts: Iterable[pa.Table]) -> tuple[int, list[pa.Table], list[str], bool]:
    """SQLite: the parts into the temporary stage table (the temporary database only: no lock on the
    store), one transaction each, each part in lineage order (``_INSERT_ORDER``); (rows staged, each
    part's speaker lineages, the new shards' paths, whether the parts came in that order too).

    A publish writes its parts' shards with rising numbers, so its parts do come in order, and the
    staged rows are the ledger's order as they stand: no sort of the night in SQL (2.4 s a million
    rows, 11.5 s for 4M)."""
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({', '.join(_LEDGER_COLUMNS)})")
    cursor.execute(f"DELETE FROM {_STAGE}")
    total, speakers, shard_paths, in_order, last = 0, [], set(), True, None
    order = [("shard_path" if c == "shard_id" else c, "ascending") for c in _INSERT_ORDER]
    for part in parts:
        rows = _conform(part, LEDGER_INPUT).sort_by(order)
        if not rows.num_rows:
            continue
        ends = rows.select([name for name, _ in order]).take([0, rows.num_rows - 1]).to_pylist()
        # (Python orders str by code point, as SQLite orders UTF-8 text by its bytes)
        in_order = in_order and (last is None or tuple(ends[0].values()) >= last)
        last = tuple(ends[1].values())
        cursor.execute("BEGIN")
        _executemany_ledger_rows(cursor, _STAGE, _LEDGER_COLUMNS, rows)
        cursor.execute("COMMIT")
        speakers.append(_speaker_lineages(rows))
        shard_paths.update(pc.unique(rows.column("shard_path")).to_pylist())
        total += rows.num_rows
    return total, speakers, sorted(shard_paths), in_order


def _sort_staged_ledger_rows(cursor, in_order: bool) -> None:
    """SQLite: the staged rows as ``_SORTED``, in the order they go into the ledger: as staged when the
    parts came in that order, else sorted in the temporary database with the sort's cache, before the
    store's lock."""
    if not in_order:
        cursor.execute(f"PRAGMA cache_size = -{_SQLITE_SORT_CACHE_KIB}")
    cursor.execute("BEGIN")
    if in_order:
        cursor.execute(f"ALTER TABLE {_STAGE} RENAME TO {_SORTED.removeprefix('temp.')}")
    else:
        cursor.execute(
            f"CREATE TEMP TABLE {_SORTED.removeprefix('temp.')} AS SELECT * FROM {_STAGE} "
            f"ORDER BY {', '.join(_INSERT_ORDER)}"
        )
        cursor.execute(f"DROP TABLE {_STAGE}")
    cursor.execute("COMMIT")


def _bulk_cache_kib(resident_kib: int) -> int:
    """The bulk insert's page cache for a process holding ``resident_kib`` now: what the task's memory
    budget leaves (less the insert's own headroom), at most ``_SQLITE_BULK_CACHE_KIB`` and never less
    than the sort's cache (slower past that, not failing: SQLite then writes pages out sooner)."""
    room = _TASK_MEMORY_KIB - _BULK_HEADROOM_KIB - resident_kib
    return max(_SQLITE_SORT_CACHE_KIB, min(_SQLITE_BULK_CACHE_KIB, room))


def _resident_kib() -> int:
    """This process's resident memory now (Linux ``/proc``); elsewhere its peak so far, which is not less."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() // 1024
    except (OSError, IndexError, ValueError):
        # KiB on Linux; bytes on macOS, which only makes the cache smaller
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _return_free_memory() -> None:
    """Give what freed Arrow buffers and Python objects still hold back to the system (Arrow's pool and,
    with glibc, the allocator's free lists), so a large page cache after it does not add to it."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # malloc_trim: glibc only
        ctypes.CDLL(None).malloc_trim(0)


def _sql(expression) -> str:
    """``expression`` as SQLite text (numbers written in, as ``content_key`` has them)."""
    return str(expression.compile(dialect=sqlite_dialect.dialect()))


def _speaker_lineages(rows: pa.Table) -> pa.Table:
    """The distinct (speaker_key, shard_path) pairs of ledger input ``rows``, in key order."""
    pairs = rows.select(["speaker_key", "shard_path"]).group_by(["speaker_key", "shard_path"]).aggregate([])
    return pairs.select(["speaker_key", "shard_path"]).sort_by(
        [("speaker_key", "ascending"), ("shard_path", "ascending")]
    )


def _of_speakers(dataset: str, keys: Sequence[str]):
    """The condition selecting the ledger rows of speakers ``keys``: by the lineages ``ledger_speakers``
    names for them (the ledger has no index keyed by the speaker alone, see ``store_schema``)."""
    ls = ledger_speakers
    lineages = select(ls.c.shard_id).where(ls.c.dataset == dataset, ls.c.speaker_key.in_(keys))
    return and_(ledger.c.shard_id.in_(lineages), ledger.c.speaker_key.in_(keys))


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


def _executemany_ledger_rows(cursor, table: str, columns: Sequence[str], rows: pa.Table) -> None:
    """SQLite bulk path: ``executemany`` of ``LEDGER_INPUT`` rows into ``columns`` of ``table`` (the
    ledger's, less ``dataset``) on the driver cursor, timestamps formatted like SQLAlchemy stores them."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for batch in rows.to_batches(max_chunksize=_LEDGER_BATCH):
        # the text SQLAlchemy stores for a UTC datetime: "2026-11-25 13:45:12.000000"
        captured, landed = (
            pc.cast(pc.cast(batch.column(name), pa.timestamp("us")), pa.string()).to_pylist()
            for name in ("captured_at", "landed_at")
        )
        cursor.executemany(
            sql,
            zip(
                batch.column("shard_path").to_pylist(),
                batch.column("utterance_id").to_pylist(),
                batch.column("speaker_key").to_pylist(),
                batch.column("content_hash").to_pylist(),
                captured,
                landed,
                batch.column("locale").to_pylist(),
                utterance_keys(batch.column("utterance_id")).to_pylist(),
                strict=True,
            ),
        )


def _with_utterance_keys(rows: pa.Table) -> pa.Table:
    """``LEDGER_INPUT`` rows with their ``utterance_key`` last (``_LEDGER_COLUMNS``' order)."""
    return rows.append_column("utterance_key", utterance_keys(rows.column("utterance_id")))


def _of_utterances(ids: Sequence[str], eras: Sequence[int]):
    """The condition selecting the ledger rows of utterance ``ids``: by their keys in each of the ledger's
    ``eras`` (``ix_ledger_utterance``), then the ids themselves (a key may be shared by chance)."""
    keys = sorted(set(utterance_keys(pa.array(ids, pa.string())).to_pylist()))
    return and_(ledger.c.era.in_(eras), ledger.c.utterance_key.in_(keys), ledger.c.utterance_id.in_(ids))


def _eras(conn: Connection) -> list[int]:
    """The eras the ledger's rows are in (``store_schema``: the part of its indexes keyed by hashes), read
    from the ledger's own index, one seek each: what every lookup by id or content probes."""
    eras: list[int] = []
    while True:
        stmt = select(ledger.c.era).order_by(ledger.c.era).limit(1)
        if eras:
            stmt = stmt.where(ledger.c.era > eras[-1])
        era = conn.scalar(stmt)
        if era is None:
            return eras
        eras.append(int(era))


# A write that looks rows up by era (a purge's ``rewrite_shards``, ``delete_ledger_rows`` by id) reads the eras and
# then writes in one transaction; on PostgreSQL (READ COMMITTED) each statement sees what is committed by then.
# A merge's piece committed between the two could move rows into an era the write did not read (one that a
# compaction or a purge emptied after the merge chose it): the write would miss them. The write holds a shared
# lock from its reading of the eras to its end, a piece an exclusive one while it moves: one waits for the other.
# (Reads are snapshots, REPEATABLE READ: eras and rows of one moment. On SQLite writers queue anyway.)


def _eras_held(conn: Connection) -> list[int]:
    """``_eras`` for a write, no era merge's piece moving rows until the write's transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _ERA_MOVE_LOCK_KEY})
    return _eras(conn)


# a piece of an era merge: ``n`` rows of ``era`` into ``into``, found by the era's part of an index and moved
# by their physical ids (the ledger has no key of its own: SQLite's ``rowid``, PostgreSQL's ``ctid``)
_MOVE_PIECE = {
    "sqlite": text(
        "UPDATE ledger SET era = :into WHERE rowid IN (SELECT rowid FROM ledger WHERE era = :era LIMIT :n)"
    ),
    "postgresql": text(
        "UPDATE ledger SET era = :into WHERE ctid = ANY(ARRAY(SELECT ctid FROM ledger WHERE era = :era LIMIT :n))"
    ),
}


def _era_size(conn: Connection, era: int) -> int:
    """The rows ``era`` holds (its part of ``ix_ledger_utterance``, counted)."""
    return int(conn.scalar(select(func.count()).select_from(ledger).where(ledger.c.era == era)))


def _sql_list(eras: Sequence[int]) -> str:
    """Eras as an SQL list of numbers (integers: nothing to quote). Never empty: a lookup of an empty
    ledger finds nothing (-1 is no era)."""
    return ", ".join(str(int(e)) for e in eras) or "-1"


def _era_taking(conn: Connection, rows: int) -> int:
    """The era a write of ``rows`` new ledger rows goes into, counted in ``ledger_eras``: the youngest
    while it has taken fewer than ``LEDGER_ERA_ROWS`` rows, else a new one (``store_schema``)."""
    counted = conn.scalar(select(func.max(ledger_eras.c.era)))
    youngest = max([*_eras(conn), *([counted] if counted is not None else [])], default=0)
    taken = conn.scalar(select(ledger_eras.c.rows).where(ledger_eras.c.era == youngest)) or 0
    era = youngest if taken < LEDGER_ERA_ROWS else youngest + 1
    _count_era_rows(conn, era, rows)
    return era


def _count_era_rows(conn: Connection, era: int, rows: int) -> None:
    """``rows`` more taken by ``era`` (one statement: two writers opening the same era both count)."""
    upsert = (postgresql_dialect if conn.dialect.name == "postgresql" else sqlite_dialect).insert(ledger_eras)
    upsert = upsert.values(era=era, rows=rows)
    conn.execute(
        upsert.on_conflict_do_update(index_elements=["era"], set_={"rows": ledger_eras.c.rows + rows})
    )


def _copy_rows(conn: Connection, table: str, dataset: str, rows: pa.Table, columns: Sequence[str]) -> None:
    """PostgreSQL bulk path: ``rows`` (its columns in the order of ``columns``) into ``table``'s
    ``dataset`` and ``columns`` by ``COPY ... FROM STDIN``, fed with CSV written by Arrow."""
    sql = f"COPY {table} (dataset, {', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    options = pa_csv.WriteOptions(include_header=False)
    cursor = conn.connection.driver_connection.cursor()
    try:
        for batch in rows.to_batches(max_chunksize=_LEDGER_BATCH):
            with_dataset = pa.Table.from_batches([batch]).add_column(
                0, "dataset", pa.nulls(batch.num_rows, pa.string()).fill_null(dataset)
            )
            buffer = io.BytesIO()
            pa_csv.write_csv(with_dataset, buffer, options)
            _copy_in(cursor, sql, buffer)
    finally:
        cursor.close()


def _copy_in(cursor, sql: str, buffer: io.BytesIO) -> None:
    """``COPY ... FROM STDIN`` of ``buffer``'s bytes with either PostgreSQL driver the lock holds:
    psycopg2 (``copy_expert``) or psycopg 3 (``cursor.copy``)."""
    buffer.seek(0)
    if hasattr(cursor, "copy_expert"):
        cursor.copy_expert(sql, buffer)
        return
    with cursor.copy(sql) as copy:
        while chunk := buffer.read(_COPY_CHUNK_BYTES):
            copy.write(chunk)


def _copy_out(cursor, sql: str) -> io.BytesIO:
    """``COPY ... TO STDOUT`` into a buffer (at its end), with psycopg2 or psycopg 3."""
    buffer = io.BytesIO()
    if hasattr(cursor, "copy_expert"):
        cursor.copy_expert(sql, buffer)
        return buffer
    with cursor.copy(sql) as copy:
        for chunk in copy:
            buffer.write(chunk)
    return buffer
