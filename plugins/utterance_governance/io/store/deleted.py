"""Recordings a deletion listing erased: ``store_schema.deleted_recordings``.

A listing (a deletion request of scope ``utterances``) names ids. An upstream that delivers at least once
may send a listed recording again under a new id: after the listing was carried out, its live row is gone
and the redelivery duplicates nothing; on the night the listing is decided, the listed row is
``deletion_requested`` and the redelivery is the only publishable row of its content. So the store keeps
the speaker key and content hash of every row a listing covered (``record_deleted_recordings``), wherever
the listing is carried out: the rows a decision withheld for it (after the publish's switch), the rows the
re-check under the lock withheld for it, the live rows its purge removed, and every other copy its purge
erased (``purge.copies``: a staged, decided or withdrawn row by its keys, a landing or held row by its text,
hashed as a publishable row's is; a listing carried out before any publish read the recording is known
too). The dedup reads
them (``deleted_recordings_of``): a row of the same speaker and content repeats a deleted recording, a
``duplicate`` never published. Another speaker's same words are someone else's recording: untouched.

Keyed digests only (no id, no text). A key rotation re-keys them (``rekey_deleted_recordings``); a row whose
speaker key no known id explains any more (a listing naming ``zed-cust-77`` reached a recording of
``Zed-Cust-77``, whose copies are gone) is kept under its listing's customer instead: the speaker key of
that customer's fold and the keyed digest of the fold (``fold_key``, Alembic 0017), which the store's
case-fold pairs (``io.store.folds``) give every spelling's speaker key; the dedup matches a row through its
pair (``repeats_by_fold``). A
delete-all of the customer erases those of the listings they made before it (``listings_a_delete_all_covers``,
``erase_deleted_recordings``): its own rule covers every recording captured before it, redelivered or not.
A listing made after it (the customer used the assistant again) names recordings it does not cover: theirs
stay, however often the delete-all is judged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, func, select

from utterance_governance.io.store.base import _chunks, _conform
from utterance_governance.io.store_schema import deleted_recordings
from utterance_governance.privacy.identity import canonical_ids, key_of_canonical

# a recording a listing erased: its speaker key, content hash, and the listing's request id
DELETED_RECORDINGS = pa.schema(
    [("speaker_key", pa.string()), ("content_hash", pa.string()), ("request_id", pa.string())]
)
_INSERT_BATCH = 50_000


def as_deleted_recordings(
    speaker_keys, content_hashes, request_ids: pa.Array, captured_at=None, landed_at=None
) -> pa.Table:
    """``DELETED_RECORDINGS`` of rows with these speaker keys, content hashes and listings' request ids
    (``Verdict.listed``), those with all three. ``captured_at`` and ``landed_at``: the recordings' times, for
    rows a run stages until its switch (a deletion's purge meanwhile judges them by these, as any staged row;
    the store keeps no time)."""
    table = pa.table(
        {"speaker_key": speaker_keys, "content_hash": content_hashes, "request_id": request_ids},
        schema=DELETED_RECORDINGS,
    )
    if captured_at is not None:
        table = table.append_column("captured_at", captured_at).append_column("landed_at", landed_at)
    known = [pc.is_valid(table.column(c)) for c in DELETED_RECORDINGS.names]
    return table.filter(pc.and_(pc.and_(known[0], known[1]), known[2]))


def listings_a_delete_all_covers(deletions: pa.Table, margin: timedelta) -> list[str]:
    """The request ids of the listings among ``deletions`` (``schema.DELETION``) made more than ``margin`` (the
    clock skew a capture time may have) before a delete-all of their customer in any case: every recording
    they named was captured before it, so its own rule covers the recording, redelivered or not. A listing
    made later, or with no readable time, is not."""
    scope = pc.utf8_lower(pc.utf8_trim_whitespace(deletions.column("scope")))
    rows = pa.table(
        {
            "request_id": deletions.column("request_id"),
            "fold": key_of_canonical(canonical_ids(deletions.column("customer_id"))),
            "requested_at": deletions.column("requested_at"),
        }
    )
    alls = rows.filter(pc.fill_null(pc.equal(scope, "all"), False)).drop_null()
    if not alls.num_rows:
        return []
    last = alls.group_by("fold", use_threads=False).aggregate([("requested_at", "max")])
    listings = rows.filter(pc.fill_null(pc.equal(scope, "utterances"), False)).join(last, "fold")
    covered = pc.less(
        pc.add(listings.column("requested_at"), pa.scalar(margin, pa.duration("us"))),
        listings.column("requested_at_max"),
    )
    return sorted(
        set(listings.column("request_id").filter(pc.fill_null(covered, False)).to_pylist()) - {None}
    )


# (``listing_folds``): the speaker key and the fold digest of each listing's customer's fold, under one key
LISTING_FOLDS = pa.schema(
    [("request_id", pa.string()), ("speaker_key", pa.string()), ("fold_key", pa.string())]
)

_READ_WHOLE = 200_000  # a dataset's recorded rows up to this many are read whole by the dedup
_FOUND = ("speaker_key", "content_hash", "fold_key")


def _pair_keys(first: pa.Array | pa.ChunkedArray, second: pa.Array | pa.ChunkedArray) -> pa.Array:
    key = pc.binary_join_element_wise(first, second, " ")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def repeats_by_fold(rows: pa.Table, recorded: pa.Table, pairs: pa.Table) -> np.ndarray:
    """Per row of ``rows`` (``speaker_key``, ``content_hash``): whether it repeats a recording kept by its
    customer's fold (``recorded`` rows with a ``fold_key``) through the row's case-fold pair (``pairs``:
    ``FOLD_PAIRS`` of the rows' speaker keys). An id that is its own fold has no pair: the recorded speaker
    key, that fold's, is its own and matches it directly."""
    if not recorded.num_rows or not pairs.num_rows or not rows.num_rows:
        return np.zeros(rows.num_rows, dtype=bool)
    at = pc.index_in(rows.column("speaker_key"), value_set=pairs.column("speaker_key"))
    folds = pairs.column("fold_key").take(at)
    key = _pair_keys(folds, rows.column("content_hash"))
    wanted = _pair_keys(recorded.column("fold_key"), recorded.column("content_hash"))
    return np.asarray(pc.fill_null(pc.is_in(key, value_set=wanted), False), dtype=bool)


class DeletedRecordings:
    """The ``deleted_recordings`` table (a part of ``GovernanceStore``)."""

    def record_deleted_recordings(self, dataset: str, rows: pa.Table) -> int:
        """Record ``rows`` (``DELETED_RECORDINGS``) of ``dataset``; one recorded already stays as it is. The
        number given (distinct, with a speaker key and a content hash)."""
        rows = _conform(rows, DELETED_RECORDINGS).drop_null()
        rows = rows.group_by(["speaker_key", "content_hash"], use_threads=False).aggregate(
            [("request_id", "min")]
        )
        if not rows.num_rows:
            return 0
        rows = rows.rename_columns(["speaker_key", "content_hash", "request_id"]).sort_by("content_hash")
        d = deleted_recordings
        stmt = self._insert(d).on_conflict_do_nothing(
            index_elements=["dataset", "content_hash", "speaker_key"]
        )
        with self._write() as conn:
            for start in range(0, rows.num_rows, _INSERT_BATCH):
                batch = rows.slice(start, _INSERT_BATCH).to_pylist()
                conn.execute(stmt, [{"dataset": dataset, **row} for row in batch])
        return rows.num_rows

    def deleted_recordings_of(self, dataset: str, content_hashes: pa.Array | pa.ChunkedArray) -> pa.Table:
        """The recorded (``speaker_key``, ``content_hash``, ``fold_key``) rows of ``dataset`` with one of
        ``content_hashes``: the dataset's few read whole and matched here (a content partition's hashes are
        many: one lookup each would cost more than the table), looked up by hash once they are many."""
        d = deleted_recordings
        columns = [d.c[c] for c in _FOUND]
        found: list[tuple[str, str, str | None]] = []
        with self._read() as conn:
            held = conn.execute(
                select(func.count()).select_from(d).where(d.c.dataset == dataset)
            ).scalar_one()
            if held and held <= _READ_WHOLE:
                found = list(conn.execute(select(*columns).where(d.c.dataset == dataset)).tuples())
            elif held:
                for chunk in _chunks(sorted(set(pa.chunked_array([content_hashes]).drop_null().to_pylist()))):
                    stmt = select(*columns).where(d.c.dataset == dataset, d.c.content_hash.in_(chunk))
                    found.extend(conn.execute(stmt).tuples())
        table = pa.table({c: pa.array([row[i] for row in found], pa.string()) for i, c in enumerate(_FOUND)})
        return table.filter(
            pc.is_in(
                table.column("content_hash"), value_set=pa.chunked_array([content_hashes]).combine_chunks()
            )
        )

    def all_deleted_recordings(self) -> pa.Table:
        """Every recorded row, of every dataset (``dataset`` + ``DELETED_RECORDINGS`` + ``fold_key``)."""
        d = deleted_recordings
        names = ["dataset", *DELETED_RECORDINGS.names, "fold_key"]
        with self._read() as conn:
            rows = [dict(r) for r in conn.execute(select(*[d.c[c] for c in names])).mappings()]
        return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in names]))

    def rekey_deleted_recordings(self, old: pa.Array, new: pa.Array, listings: pa.Table | None = None) -> int:
        """Each recorded speaker key replaced by its key under a new pseudonym key (``old`` and ``new``, position
        for position: ``purge.rekey.key_map``). A row no customer explains, or kept by its fold already, is kept
        under its listing's customer's fold (``listings``: ``LISTING_FOLDS`` under the new key); a row of
        neither goes. In one transaction. The number kept."""
        held = self.all_deleted_recordings()
        if not held.num_rows:
            return 0
        listings = LISTING_FOLDS.empty_table() if listings is None else _conform(listings, LISTING_FOLDS)
        speakers = held.column("speaker_key")
        at = pc.index_in(speakers, value_set=old)
        mapped = pc.if_else(pc.is_in(speakers, value_set=new.drop_null()), speakers, new.take(at))
        by_fold = pc.or_(pc.is_valid(held.column("fold_key")), pc.is_null(mapped))
        of = pc.index_in(held.column("request_id"), value_set=listings.column("request_id"))
        kept = pa.table(
            {
                "dataset": held.column("dataset"),
                "speaker_key": pc.if_else(by_fold, listings.column("speaker_key").take(of), mapped),
                "content_hash": held.column("content_hash"),
                "request_id": held.column("request_id"),
                "fold_key": pc.if_else(
                    by_fold, listings.column("fold_key").take(of), pa.nulls(held.num_rows, pa.string())
                ),
            }
        )
        kept = kept.filter(pc.is_valid(kept.column("speaker_key")))
        # (an exact row and a fold row of one speaker key and content: one row, matched by its fold too)
        kept = kept.group_by(["dataset", "speaker_key", "content_hash"], use_threads=False).aggregate(
            [("request_id", "min"), ("fold_key", "max")]
        )
        kept = kept.rename_columns(["dataset", "speaker_key", "content_hash", "request_id", "fold_key"])
        d = deleted_recordings
        with self._write() as conn:
            conn.execute(delete(d))
            for start in range(0, kept.num_rows, _INSERT_BATCH):
                conn.execute(d.insert(), kept.slice(start, _INSERT_BATCH).to_pylist())
        return kept.num_rows

    def erase_deleted_recordings(self, dataset: str, request_ids: Sequence[str]) -> int:
        """Erase the recorded rows of the listings ``request_ids`` (``listings_a_delete_all_covers``); the
        number erased."""
        d = deleted_recordings
        erased = 0
        with self._write() as conn:
            for chunk in _chunks(sorted({r for r in request_ids if r})):
                erased += conn.execute(
                    delete(d).where(d.c.dataset == dataset, d.c.request_id.in_(chunk))
                ).rowcount
        return erased
