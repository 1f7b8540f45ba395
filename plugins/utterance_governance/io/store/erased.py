"""Recordings a delete-all or a range deletion erased: ``store_schema.erased_utterances``.

A delete-all covers what was captured (give or take the clock skew) or landed before it; a range, what was
captured in it. An upstream may send an erased recording again under its own id with another capture time:
stamped when it was sent again, or written with a wrong UTC offset. No time rule covers it. So wherever such a
request is carried out (the rows a decision withheld for it, the rows the re-check under the lock withheld,
the live rows its purge removed, every other copy its purge erased), the store keeps the digest of the
request id and each covered row's utterance id (``privacy.keys.erased_digests``; ``Verdict.erased``), and the
deletion rule covers a row of the request's customer whose id it names (``privacy.rules``), whatever the
row's time: wherever the verdict is taken (decide, re-check, purge, audit).

A digest, not a speaker key: a completed delete-all leaves no speaker key of its customer in the store
(``io.store.folds``), and a key rotation leaves the digest as valid as it was. A listing's recordings are kept
by speaker key and content (``io.store.deleted``): their redelivery comes under a new id.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pyarrow as pa
from sqlalchemy import select

from utterance_governance.io.store.base import StoreBase, _chunks, _conform
from utterance_governance.io.store_schema import erased_utterances
from utterance_governance.privacy.keys import ERASED

_INSERT_BATCH = 50_000


class ErasedUtterances(StoreBase):
    """The digests of the recordings a delete-all or a range erased."""

    def record_erased_utterances(self, rows: pa.Table) -> int:
        """Record ``rows`` (``ERASED``); one recorded already stays. The number of distinct digests given."""
        rows = _conform(rows, ERASED).drop_null()
        rows = rows.group_by("id_digest", use_threads=False).aggregate([("request_id", "min")])
        if not rows.num_rows:
            return 0
        rows = rows.rename_columns(["id_digest", "request_id"]).sort_by("id_digest")
        stmt = self._insert(erased_utterances).on_conflict_do_nothing(index_elements=["id_digest"])
        with self._write() as conn:
            for start in range(0, rows.num_rows, _INSERT_BATCH):
                conn.execute(stmt, rows.slice(start, _INSERT_BATCH).to_pylist())
        return rows.num_rows

    def erased_among(self, digests: Sequence[str]) -> Collection[str]:
        """Those of ``digests`` the store holds."""
        e = erased_utterances
        found: set[str] = set()
        with self._read() as conn:
            for chunk in _chunks(sorted({d for d in digests if d})):
                found.update(conn.execute(select(e.c.id_digest).where(e.c.id_digest.in_(chunk))).scalars())
        return found
