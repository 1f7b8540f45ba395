"""Which live rows may no longer be used: the privacy core's verdict on the ledger of the live version.

Under unchanged rules only a customer a deletion request, an opt-out or an unreadable record names
can lose rows that were published once (consent is withdrawn only by an ``opted_out`` event; a
locale's default never changes with new events), so the purge asks the ledger for those customers'
rows by speaker key (``PrivacyState.withdrawing_customers``) and hands them to ``privacy_verdict``
with their capture and landing times and locale — the same verdict publishing, the re-check under
the lock and the audit get.

When the rules change — the policy's opt-in regions or clock skew, or the code's
``privacy.rules.RULES_VERSION`` — any live row may fall: "GB" added to the opt-in regions withdraws
every British row without an opt-in. The first purge after such a change (``rules_in_force`` differs
from what the store recorded, ``store.live_rows_judged_by``) judges every live row, a group of shards
at a time, and the store records the rules it judged by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa

from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict, speaker_keys
from utterance_governance.privacy.rules import RULES_VERSION

AFFECTED = pa.schema([("shard_path", pa.string()), ("utterance_id", pa.string()), ("reason", pa.string())])


@dataclass(frozen=True)
class Affected:
    """The live ledger rows that may no longer be used, with the reason and covering requests."""

    rows: pa.Table  # AFFECTED
    by_request: dict[str, dict[str, int]]  # request_id -> {"published_rows": n}
    ledger: pa.Table  # the affected rows' ledger entries (same order as ``rows``)

    @property
    def shards(self) -> list[str]:
        return sorted(set(self.rows.column("shard_path").to_pylist()))

    def counts(self) -> dict[str, int]:
        reasons = self.rows.column("reason").to_pylist()
        return {reason: reasons.count(reason) for reason in sorted(set(reasons))}

    def ids(self, reason: str) -> set[str]:
        hit = [r == reason for r in self.rows.column("reason").to_pylist()]
        return set(self.rows.column("utterance_id").filter(pa.array(hit, pa.bool_())).to_pylist())


SHARDS_JUDGED_AT_ONCE = 64  # judging every row: ledger rows read per group (64 shards of 20,000 rows)


def rules_in_force(policy: Policy) -> str:
    """The rules a verdict applies now: the code's and the policy's (``store.live_rows_judged_by``)."""
    return f"rules={RULES_VERSION};policy={policy.privacy_fingerprint}"


def find_affected(
    store: GovernanceStore,
    dataset: str,
    version: str,
    state: PrivacyState,
    policy: Policy,
    now: datetime,
    pseudonym_key: bytes,
    *,
    every_row: bool = False,
) -> Affected:
    """The rows of ``version`` (through its ledger) that the privacy verdict now excludes: of the
    customers who may have withdrawn something, or with ``every_row`` of everyone."""
    if every_row:
        paths = store.version_shard_paths(dataset, version)
        groups = [paths[i : i + SHARDS_JUDGED_AT_ONCE] for i in range(0, len(paths), SHARDS_JUDGED_AT_ONCE)]
        parts = [_affected(store.ledger_rows(dataset, version, shard_paths=group), state, policy, now,
                           pseudonym_key) for group in groups]  # fmt: skip
        if not parts:
            return Affected(AFFECTED.empty_table(), {}, pa.table({}))
        return Affected(
            pa.concat_tables([part.rows for part in parts]),
            merge_counts(*(part.by_request for part in parts)),
            pa.concat_tables([part.ledger for part in parts]),
        )
    customers = state.withdrawing_customers
    if len(customers) == 0:
        return Affected(AFFECTED.empty_table(), {}, pa.table({}))
    keys = speaker_keys(customers, pseudonym_key).to_pylist()
    return _affected(
        store.ledger_rows(dataset, version, speaker_keys=keys), state, policy, now, pseudonym_key
    )


def _affected(
    ledger: pa.Table, state: PrivacyState, policy: Policy, now: datetime, pseudonym_key: bytes
) -> Affected:
    verdict = privacy_verdict(ledger, state, policy, now, pseudonym_key)
    hit = np.flatnonzero(verdict.excluded)
    take = pa.array(hit, pa.int64())
    rows = pa.table(
        {
            "shard_path": ledger.column("shard_path").take(take),
            "utterance_id": ledger.column("utterance_id").take(take),
            "reason": pa.array(verdict.reasons[hit].tolist(), pa.string()),
        },
        schema=AFFECTED,
    )
    deleted = hit[verdict.deleted[hit]]
    by_request: dict[str, dict[str, int]] = {}
    count_by_request(verdict.covering_requests(deleted), "published_rows", by_request)
    return Affected(rows, by_request, ledger.take(take))


def count_by_request(covering: Iterable[list[str]], location: str, into: dict[str, dict[str, int]]) -> None:
    """Add one to ``into[request][location]`` for every (row, request) pair."""
    for requests in covering:
        for request_id in requests:
            counts = into.setdefault(request_id, {})
            counts[location] = counts.get(location, 0) + 1


def merge_counts(*parts: Mapping[str, Mapping[str, int]] | None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for part in parts:
        for request_id, counts in (part or {}).items():
            mine = out.setdefault(request_id, {})
            for key, n in counts.items():
                mine[key] = mine.get(key, 0) + int(n)
    return out
