"""The publish path's last look at privacy, under the dataset lock (SPEC §7: no destructive interleaving).

``utterances_publish`` decides its batch long before it publishes it. If an opt-out or a
deletion arrives in between and ``privacy_requests`` purges the live dataset meanwhile, a
publish that trusted its first decision would bring the customer back. So ``publish_version``
calls ``recheck_rows`` under the lock, after any purge that got there first has switched:
the batch is re-decided against the privacy state of that moment with the same rules a purge
uses (deletion, opt-out) plus the hold-back rule, and a record that now blocks publishing
stops it. Either the purge ran first and the publish sees its state, or the publish ran first
and the purge, which reads the ledger under the same lock, removes what it published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.policy import Policy
from utterance_governance.purge.affected import privacy_speakers, speaker_index, speaker_removal_reasons
from utterance_governance.rules.privacy_state import PrivacyState


@dataclass(frozen=True)
class Rechecked:
    rows: pa.Table  # the rows that may still be published
    excluded: pa.Table  # utterance_id, reason: rows the re-check took out
    blocked_reasons: tuple[str, ...]  # non-empty: nothing may be published

    @property
    def counts(self) -> Counter:
        return Counter(self.excluded.column("reason").to_pylist())


def recheck_rows(
    rows: pa.Table, state: PrivacyState, policy: Policy, now: datetime, pseudonym_key: bytes
) -> Rechecked:
    """Re-decide shard rows (``speaker_key``, ``utterance_id``, ``captured_at``) against ``state``."""
    reasons = speaker_removal_reasons(rows, state, policy, now, privacy_speakers(state, pseudonym_key))
    if state.held_customers and rows.num_rows:
        held = speaker_index(pa.array(sorted(state.held_customers), pa.string()), pseudonym_key)
        is_held = np.asarray(pc.fill_null(pc.is_in(rows.column("speaker_key"), value_set=held.column("speaker_key")), False))  # fmt: skip
        reasons[is_held & np.equal(reasons, None)] = S.HELD_BACK
    out = ~np.equal(reasons, None)
    excluded = pa.table(
        {
            "utterance_id": rows.column("utterance_id").filter(pa.array(out)),
            "reason": pa.array(reasons[out].tolist(), pa.string()),
        }
    )
    return Rechecked(rows.filter(pa.array(~out)), excluded, tuple(state.blocked_reasons))
