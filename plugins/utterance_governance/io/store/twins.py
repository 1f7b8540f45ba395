"""Recording twins: a dropped duplicate and the live row of the same speaker it repeats.

An upstream that delivers at least once sends a recording again under a new ``utterance_id``; dedup
publishes one of the two. The publish records the pair (``record_twins``), so that a deletion listing
either id reaches the other (``twins_of_listed``, read into ``PrivacyState.twins``). Only the few pairs
of one speaker are kept, by id as the ledger keeps them: no speaker key (a key rotation would leave it
stale; the publish compared the speakers), no text.

A pair goes when the listing that reaches it is carried out (``forget_twins_of_requests``: its receipt
completed, every copy of both ids erased), or with its live row's ledger rows (``forget_twins_of_erased``:
a purge ended the row, for a delete-all, an opt-out, a range; not while an open listing names it). So the
table holds the pairs of live rows, and of rows a listing not yet carried out names: it grows with the live
dataset's redeliveries, never without bound.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, delete, func, or_, select

from utterance_governance.io.store.base import _chunks, _conform
from utterance_governance.io.store_schema import deletion_receipts, deletion_requests, recording_twins

log = logging.getLogger(__name__)

TWIN_PAIRS = pa.schema([("utterance_id", pa.string()), ("twin_of", pa.string())])
# (``PrivacyState.twins``) an id as the ledger keeps it, and another id of its recording
LISTED_TWINS = pa.schema([("utterance_id", pa.string()), ("twin_id", pa.string())])


class RecordingTwins:
    """The ``recording_twins`` table (a part of ``GovernanceStore``)."""

    def record_twins(self, dataset: str, pairs: pa.Table) -> int:
        """Record ``pairs`` (``TWIN_PAIRS``: a duplicate's id, the id of the live row it repeats) of
        ``dataset``; a pair recorded before is replaced (a retried publish converges). Bulk path:
        ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
        from utterance_governance.io.store.ledger import _copy_rows

        rows = _conform(pairs, TWIN_PAIRS)
        if not rows.num_rows:
            return 0
        t = recording_twins
        ids = sorted(set(rows.column("utterance_id").to_pylist()))
        with self._write() as conn:
            for chunk in _chunks(ids):
                conn.execute(delete(t).where(t.c.dataset == dataset, t.c.utterance_id.in_(chunk)))
            if self.backend == "postgresql":
                _copy_rows(conn, "recording_twins", dataset, rows, TWIN_PAIRS.names)
            else:
                cursor = conn.connection.driver_connection.cursor()
                try:
                    columns = [rows.column(c).to_pylist() for c in TWIN_PAIRS.names]
                    cursor.executemany(
                        "INSERT INTO recording_twins (dataset, utterance_id, twin_of) VALUES (?, ?, ?)",
                        zip([dataset] * rows.num_rows, *columns, strict=True),
                    )
                finally:
                    cursor.close()
        return rows.num_rows

    def recorded_twins(self, dataset: str | None = None) -> pa.Table:
        """Every pair recorded (``TWIN_PAIRS``; of ``dataset`` only when given), sorted."""
        t = recording_twins
        stmt = select(t.c.utterance_id, t.c.twin_of).order_by(t.c.utterance_id, t.c.twin_of)
        if dataset is not None:
            stmt = stmt.where(t.c.dataset == dataset)
        with self._read() as conn:
            rows = [dict(row) for row in conn.execute(stmt).mappings()]
        return pa.Table.from_pylist(rows, schema=TWIN_PAIRS)

    def twins_of_listed(self, ids: Iterable[str]) -> pa.Table:
        """``LISTED_TWINS`` of ``ids`` (``_twins_of_listed``)."""
        with self._read() as conn:
            return self._twins_of_listed(conn, ids)

    @staticmethod
    def _groups(conn: Connection, ids: Iterable[str]) -> list[tuple[str, str]]:
        """The recorded pairs (duplicate, live row) of the recordings ``ids`` name: pairs naming an id of
        ``ids`` and pairs of the live rows those repeat (every delivery of one recording)."""
        t = recording_twins
        ids = sorted({i for i in ids if i})
        kept = set(ids)
        for chunk in _chunks(ids):
            kept.update(conn.execute(select(t.c.twin_of).where(t.c.utterance_id.in_(chunk))).scalars())
        pairs: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(kept)):
            pairs.update(
                (row.utterance_id, row.twin_of)
                for row in conn.execute(select(t.c.utterance_id, t.c.twin_of).where(t.c.twin_of.in_(chunk)))
            )
        return sorted(pairs)

    def _twins_of_listed(self, conn: Connection, ids: Iterable[str]) -> pa.Table:
        """(``LISTED_TWINS``) each id of ``ids`` that a recorded pair names (as recorded), with every other
        id of its recording: one live row and the duplicates that repeat it, whichever of them is named."""
        ids = {i for i in ids if i}
        # the listing is compared case-folded (``listed_key``): the recorded ids of the same fold are looked up too
        looked_up = ids | self._recorded_of_fold(conn, ids)
        members: dict[str, set[str]] = {}
        for duplicate, live in self._groups(conn, looked_up):
            members.setdefault(live, {live}).add(duplicate)
        out: dict[str, set[str]] = {}
        for group in members.values():
            for member in group & looked_up:
                out.setdefault(member, set()).update(group - {member})
        named = sorted((member, twin) for member, twins in out.items() for twin in twins)
        return pa.table(
            {"utterance_id": pa.array([m for m, _ in named], pa.string()),
             "twin_id": pa.array([t for _, t in named], pa.string())},
            schema=LISTED_TWINS,
        )  # fmt: skip

    @staticmethod
    def _recorded_of_fold(conn: Connection, ids: Iterable[str]) -> set[str]:
        """The ids the pairs record (as recorded) whose fold (``listed_key``: case folded as ids are, every notation
        of a UUID one) is the fold of one of ``ids``: "ΤΑΪ́ΖΩ-0001" listed names the recorded "ταΐζω-0001",
        "U-STRASSE-1" names "u-straße-1", which no other case of the listed spelling is. Every recorded id is read:
        the table holds the pairs of redeliveries only."""
        from utterance_governance.privacy.identity import listed_key

        ids = sorted({i for i in ids if i})
        if not ids:
            return set()
        t = recording_twins
        recorded = sorted(
            {i for (i,) in conn.execute(select(t.c.utterance_id).distinct())}
            | {i for (i,) in conn.execute(select(t.c.twin_of).distinct())}
        )
        if not recorded:
            return set()
        wanted = pc.unique(listed_key(pa.array(ids, pa.string()))).drop_null()
        folds = listed_key(pa.array(recorded, pa.string()))
        hit = pc.fill_null(pc.is_in(folds, value_set=wanted), False)
        return set(pa.array(recorded, pa.string()).filter(hit).to_pylist())

    @staticmethod
    def _open_listed_ids(conn: Connection) -> list[str]:
        """The ids listed by the deletion requests of scope ``utterances`` without a completed receipt."""
        d, r = deletion_requests, deletion_receipts
        completed = select(r.c.request_id).where(r.c.status == "completed")
        stmt = select(d.c.utterance_ids).where(
            func.lower(func.trim(d.c.scope)) == "utterances", d.c.request_id.not_in(completed)
        )
        return sorted({i for (listed,) in conn.execute(stmt) for i in (listed or []) if isinstance(i, str)})

    def forget_twins_of_requests(self, request_ids: Iterable[str]) -> int:
        """Erase the pairs of the recordings the listings ``request_ids`` name (their receipts completed:
        every copy of each id was erased), except those an open listing still names; return how many."""
        d = deletion_requests
        request_ids = sorted(set(request_ids))
        if not request_ids:
            return 0
        with self._write() as conn:
            listed: set[str] = set()
            for chunk in _chunks(request_ids):
                stmt = select(d.c.utterance_ids).where(
                    d.c.request_id.in_(chunk), func.lower(func.trim(d.c.scope)) == "utterances"
                )
                listed.update(i for (ids,) in conn.execute(stmt) for i in (ids or []) if isinstance(i, str))
            if not listed:
                return 0
            listed |= self._recorded_of_fold(conn, listed)
            pairs = set(self._groups(conn, listed))
            if pairs:  # a recording another listing names and whose receipt is open keeps its pairs
                still = set(self._groups(conn, self._open_listed_ids(conn)))
                pairs -= still
            erased = self._erase_pairs(conn, pairs)
        if erased:
            log.info("erased %d recording twin pairs of completed listings", erased)
        return erased

    def forget_twins_of_erased(self, conn: Connection, dataset: str, utterance_ids: Iterable[str]) -> int:
        """In ``conn``'s transaction: erase the pairs whose live row (``twin_of``) is among the ledger rows
        ``utterance_ids`` being erased (a purge ended them: a delete-all, an opt-out, a listing), except
        those an open listing names: the copies purge of the same run still needs them, and the listing's
        completion erases them."""
        t = recording_twins
        ids = sorted(set(utterance_ids))
        pairs: set[tuple[str, str]] = set()
        for chunk in _chunks(ids):
            pairs.update(
                (row.utterance_id, row.twin_of)
                for row in conn.execute(
                    select(t.c.utterance_id, t.c.twin_of).where(
                        t.c.dataset == dataset, t.c.twin_of.in_(chunk)
                    )
                )
            )
        if not pairs:
            return 0
        pairs -= set(self._groups(conn, self._open_listed_ids(conn)))
        return self._erase_pairs(conn, pairs)

    @staticmethod
    def _erase_pairs(conn: Connection, pairs: Iterable[tuple[str, str]]) -> int:
        t = recording_twins
        erased = 0
        for chunk in _chunks(sorted(pairs)):
            erased += conn.execute(
                delete(t).where(or_(*(
                    (t.c.utterance_id == duplicate) & (t.c.twin_of == live) for duplicate, live in chunk
                )))
            ).rowcount  # fmt: skip
        return erased


def twin_pairs(duplicates: pa.Table, live: pa.Table) -> pa.Table:
    """(``TWIN_PAIRS``) each duplicate (``utterance_id``, ``speaker_key``, ``content_hash``) whose content
    is live (``live``: the same columns) under the same speaker key and another id."""
    if not duplicates.num_rows or not live.num_rows:
        return TWIN_PAIRS.empty_table()
    joined = duplicates.select(["utterance_id", "speaker_key", "content_hash"]).join(
        live.select(["utterance_id", "speaker_key", "content_hash"]).rename_columns(
            ["twin_of", "speaker_key", "content_hash"]
        ),
        ["speaker_key", "content_hash"],
        join_type="inner",
    )
    joined = joined.filter(pc.not_equal(joined.column("utterance_id"), joined.column("twin_of")))
    return (
        joined.select(TWIN_PAIRS.names)
        .group_by(TWIN_PAIRS.names, use_threads=False)
        .aggregate([])
        .select(TWIN_PAIRS.names)
        .sort_by([("utterance_id", "ascending"), ("twin_of", "ascending")])
        .cast(TWIN_PAIRS)
    )
