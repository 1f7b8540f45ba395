"""The publish path's last look at privacy, under the dataset lock (SPEC §7: no destructive interleaving).

``utterances_publish`` decides its batch long before it publishes it. If an opt-out, a deletion
or an unreadable record arrives in between and ``privacy_requests`` purges the live dataset
meanwhile, a publish that trusted its first decision would bring the customer back. So
``publish_version`` calls ``recheck_rows`` under the lock, after any purge that got there first
has switched: the batch is judged again by the privacy core (``privacy.privacy_verdict``, the
same verdict every caller uses) against the privacy state of that moment, and a record that now
blocks publishing stops it. Either the purge ran first and the publish sees its state, or the
publish ran first and the purge, which reads the ledger under the same lock, removes what it
published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from utterance_governance.io.store.deleted import DELETED_RECORDINGS, as_deleted_recordings
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict
from utterance_governance.privacy.keys import ERASED


@dataclass(frozen=True)
class Rechecked:
    rows: pa.Table  # the rows that may still be published
    excluded: pa.Table  # utterance_id, reason: rows the re-check took out
    blocked_reasons: tuple[str, ...]  # non-empty: nothing may be published
    # the rows a listing covers, as the store keeps them (``io.store.deleted``), of rows with content hashes
    deleted: pa.Table = field(default_factory=DELETED_RECORDINGS.empty_table)
    # the rows a delete-all or a range covers, as the store keeps them (``io.store.erased``)
    erased: pa.Table = field(default_factory=ERASED.empty_table)

    @property
    def counts(self) -> Counter:
        return Counter(self.excluded.column("reason").to_pylist())


def recheck_rows(
    rows: pa.Table, state: PrivacyState, policy: Policy, now: datetime, pseudonym_key: bytes
) -> Rechecked:
    """Judge shard rows (``speaker_key``, ``utterance_id``, ``captured_at``, ``landed_at``, ``locale``)
    again against ``state``."""
    verdict = privacy_verdict(rows, state, policy, now, pseudonym_key)
    out = pa.array(verdict.excluded)
    excluded = pa.table(
        {
            "utterance_id": rows.column("utterance_id").filter(out),
            "reason": pa.array(verdict.reasons[verdict.excluded].tolist(), pa.string()),
        }
    )
    deleted = DELETED_RECORDINGS.empty_table()
    if "content_hash" in rows.column_names:
        listed, listings = verdict.listed()
        at = pa.array(listed, pa.int64())
        deleted = as_deleted_recordings(
            rows.column("speaker_key").take(at), rows.column("content_hash").take(at), listings
        )
    return Rechecked(rows.filter(pa.array(verdict.usable)), excluded, tuple(state.blocked_reasons), deleted,
                     verdict.erased())  # fmt: skip
