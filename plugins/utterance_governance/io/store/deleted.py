"""Recordings a deletion listing erased: ``store_schema.deleted_recordings``.

A listing (a deletion request of scope ``utterances``) names ids. An upstream that delivers at least once
may send a listed recording again under a new id: after the listing was carried out, its live row is gone
and the redelivery duplicates nothing; on the night the listing is decided, the listed row is
``deletion_requested`` and the redelivery is the only publishable row of its content. So the store keeps
the speaker key and content hash of every row a listing covered (``record_deleted_recordings``: the rows a
decision withheld for it, after the publish's switch; the live rows its purge removed), and the dedup reads
them (``deleted_recordings_of``): a row of the same speaker and content repeats a deleted recording, a
``duplicate`` never published. Another speaker's same words are someone else's recording: untouched.

Keyed digests only (no id, no text). A key rotation re-keys them (``rekey_deleted_recordings``); a
delete-all of the customer erases those of the listings they made before it (``listings_a_delete_all_covers``,
``erase_deleted_recordings``): its own rule covers every recording captured before it, redelivered or not.
A listing made after it (the customer used the assistant again) names recordings it does not cover: theirs
stay, however often the delete-all is judged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

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


def as_deleted_recordings(speaker_keys, content_hashes, request_ids: pa.Array) -> pa.Table:
    """``DELETED_RECORDINGS`` of rows with these speaker keys, content hashes and listings' request ids
    (``Verdict.listed``), those with a speaker key and a content hash."""
    return pa.table(
        {"speaker_key": speaker_keys, "content_hash": content_hashes, "request_id": request_ids},
        schema=DELETED_RECORDINGS,
    ).drop_null()


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


_READ_WHOLE = 200_000  # a dataset's recorded rows up to this many are read whole by the dedup


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
        """The recorded (``speaker_key``, ``content_hash``) pairs of ``dataset`` with one of ``content_hashes``:
        the dataset's few read whole and matched here (a content partition's hashes are many: one lookup
        each would cost more than the table), looked up by hash once they are many."""
        d = deleted_recordings
        found: list[tuple[str, str]] = []
        with self._read() as conn:
            held = conn.execute(
                select(func.count()).select_from(d).where(d.c.dataset == dataset)
            ).scalar_one()
            if held and held <= _READ_WHOLE:
                found = list(
                    conn.execute(
                        select(d.c.speaker_key, d.c.content_hash).where(d.c.dataset == dataset)
                    ).tuples()
                )
            elif held:
                for chunk in _chunks(sorted(set(pa.chunked_array([content_hashes]).drop_null().to_pylist()))):
                    stmt = select(d.c.speaker_key, d.c.content_hash).where(
                        d.c.dataset == dataset, d.c.content_hash.in_(chunk)
                    )
                    found.extend(conn.execute(stmt).tuples())
        table = pa.table(
            {"speaker_key": pa.array([s for s, _ in found], pa.string()),
             "content_hash": pa.array([h for _, h in found], pa.string())}
        )  # fmt: skip
        return table.filter(
            pc.is_in(
                table.column("content_hash"), value_set=pa.chunked_array([content_hashes]).combine_chunks()
            )
        )

    def all_deleted_recordings(self) -> pa.Table:
        """Every recorded row, of every dataset (``dataset`` + ``DELETED_RECORDINGS``)."""
        d = deleted_recordings
        with self._read() as conn:
            rows = [
                dict(r)
                for r in conn.execute(
                    select(d.c.dataset, *[d.c[c] for c in DELETED_RECORDINGS.names])
                ).mappings()
            ]
        return pa.Table.from_pylist(rows, schema=pa.schema([("dataset", pa.string()), *DELETED_RECORDINGS]))

    def rekey_deleted_recordings(self, old: pa.Array, new: pa.Array) -> int:
        """Each recorded speaker key replaced by its key under a new pseudonym key (``old`` and ``new``, position
        for position: ``purge.rekey.key_map``); a key that is neither goes (no customer explains it). In one
        transaction. The number kept."""
        held = self.all_deleted_recordings()
        if not held.num_rows:
            return 0
        speakers = held.column("speaker_key")
        at = pc.index_in(speakers, value_set=old)
        mapped = pc.if_else(pc.is_in(speakers, value_set=new.drop_null()), speakers, new.take(at))
        kept = held.set_column(held.schema.get_field_index("speaker_key"), "speaker_key", mapped).drop_null()
        kept = kept.group_by(["dataset", "speaker_key", "content_hash"], use_threads=False).aggregate(
            [("request_id", "min")]
        )
        kept = kept.rename_columns(["dataset", "speaker_key", "content_hash", "request_id"])
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
