"""Which live rows may no longer be used: the privacy core's verdict on the ledger of the live version.

Under unchanged rules only a customer a deletion request, an opt-out or an unreadable record names
can lose rows that were published once (consent is withdrawn only by an ``opted_out`` event; a
locale's default never changes with new events), so the purge asks the ledger for those customers'
rows by speaker key (``PrivacyState.withdrawing_customers``, and the speakers the store pairs with the
fold of their ids: ``PrivacyState.speaker_folds``) and hands them to ``privacy_verdict``
with their capture and landing times and locale — the same verdict publishing, the re-check under
the lock and the audit get.

When the rules change — the policy's opt-in regions or clock skew, or the code's
``privacy.rules.RULES_VERSION`` — any live row may fall: "GB" added to the opt-in regions withdraws
every British row without an opt-in. The first purge after such a change (``rules_in_force`` differs
from what the store recorded, ``store.live_rows_judged_by``) judges every live row, a group of shards
at a time, and the store records the rules it judged by.

**A deleted customer's id in another's words.** A delete-all (scope ``all``) also withdraws the live
rows whose messages (user or assistant) say the customer's id, whoever spoke: "share my playlist with
canary-cust-7Q4Z please", or the reply "It was shared by canary-cust-7Q4Z." (SPEC §3.1: a customer id
never appears in published output). The ledger knows rows by speaker key only, so the live shards'
text is read (``purge.published``), and only while a delete-all has no completed receipt: once when
it arrives, again if its run fails. An id is said as the quality rule ``quality:turn_names_speaker``
reads a turn naming its own speaker (``rules.quality.says_id``), in every spelling the purge knows
(``privacy.state.other_spellings``); an id shorter than that rule looks for (``bob``) is an ordinary
word and is not looked for. Such a row is withdrawn with ``NAMES_DELETED_CUSTOMER`` and counted on
the request whose id it says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store.deleted import DELETED_RECORDINGS, as_deleted_recordings
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, privacy_verdict, speaker_keys
from utterance_governance.privacy.keys import ERASED
from utterance_governance.privacy.rules import RULES_VERSION
from utterance_governance.privacy.said import NAMES_DELETED_CUSTOMER, SaidIds

AFFECTED = pa.schema([("shard_path", pa.string()), ("utterance_id", pa.string()), ("reason", pa.string())])


@dataclass(frozen=True)
class Affected:
    """The live ledger rows that may no longer be used, with the reason and covering requests."""

    rows: pa.Table  # AFFECTED
    by_request: dict[str, dict[str, int]]  # request_id -> {"published_rows": n}
    ledger: pa.Table  # the affected rows' ledger entries (same order as ``rows``)
    # the recordings a deletion listing covers among them (``io.store.deleted``): a redelivery never publishes
    deleted: pa.Table = field(default_factory=DELETED_RECORDINGS.empty_table)
    # those a delete-all or a range covers (``io.store.erased``): sent again with another time, never published
    erased: pa.Table = field(default_factory=ERASED.empty_table)

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
            pa.concat_tables([part.deleted for part in parts]),
            pa.concat_tables([part.erased for part in parts]),
        )
    customers = state.withdrawing_customers
    if len(customers) == 0:
        return Affected(AFFECTED.empty_table(), {}, pa.table({}))
    # ... and every speaker the store pairs with the fold of one of their ids (``PrivacyState.speaker_folds``:
    # ``Zed-Cust-77``'s rows for a request naming ``zed-cust-77``)
    folded, _ = state.speaker_folds(pseudonym_key)
    keys = [*speaker_keys(customers, pseudonym_key).to_pylist(), *folded.to_pylist()]
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
    listed, listings = verdict.listed()
    at = pa.array(listed, pa.int64())
    recordings = as_deleted_recordings(
        ledger.column("speaker_key").take(at), ledger.column("content_hash").take(at), listings
    )
    return Affected(rows, by_request, ledger.take(take), recordings, verdict.erased(deleted))


def naming_requests(
    messages: pa.Array | pa.ChunkedArray,
    said: Mapping[str, list[str]] | SaidIds,
    utterance_ids: pa.Array | pa.ChunkedArray | None = None,
) -> dict[int, list[str]]:
    """The rows (positions) whose messages (``schema.SHARD``'s ``messages``), or whose ``utterance_ids`` (an
    upstream that keys a household's utterances by its owner's account: published too), say the id of a
    delete-all's customer (``said``: ``privacy.said.delete_all_spellings``, or those made ready once:
    ``SaidIds``), each with those requests; said as ``rules.quality.says_id`` reads it (``privacy.said``)."""
    said = said if isinstance(said, SaidIds) else SaidIds(said)
    messages = messages.combine_chunks() if isinstance(messages, pa.ChunkedArray) else messages
    if not said or not len(messages):
        return {}
    contents = pc.struct_field(pc.list_flatten(messages), "content")
    parents = np.asarray(pc.list_parent_indices(messages).to_numpy(zero_copy_only=False))
    out: dict[int, set[str]] = {}
    for at, names in said.found(contents).items():
        out.setdefault(int(parents[at]), set()).update(names)
    for at, names in (said.found_whole(utterance_ids) if utterance_ids is not None else {}).items():
        out.setdefault(int(at), set()).update(names)
    return {row: said.requests_of(names) for row, names in sorted(out.items())}


def with_rows_naming(affected: Affected, naming: pa.Table, ledger: pa.Table) -> Affected:
    """``affected`` and the live rows ``naming`` (``shard_path``, ``utterance_id``, ``requests``: the
    delete-all requests whose customer the row says) it does not hold already: the first reason wins,
    and each such row counts on the requests it names. ``ledger``: the ledger rows of ``naming``'s shards."""
    if naming.num_rows and affected.rows.num_rows:
        taken = _row_keys(affected.rows)
        naming = naming.filter(pc.invert(pc.fill_null(pc.is_in(_row_keys(naming), value_set=taken), False)))
    if not naming.num_rows:
        return affected
    naming = naming.sort_by([("shard_path", "ascending"), ("utterance_id", "ascending")])
    rows = pa.table({"shard_path": naming.column("shard_path"), "utterance_id": naming.column("utterance_id"),
                     "reason": pa.repeat(pa.scalar(NAMES_DELETED_CUSTOMER), naming.num_rows)}, schema=AFFECTED)  # fmt: skip
    keys = ledger.select(["shard_path", "utterance_id"]).append_column(
        "_at", pa.array(np.arange(ledger.num_rows), pa.int64())
    )
    at = (
        rows.select(["shard_path", "utterance_id"])
        .append_column("_row", pa.array(np.arange(rows.num_rows), pa.int64()))
        .join(keys, ["shard_path", "utterance_id"], join_type="left outer")
        .sort_by("_row")
        .column("_at")
    )
    # (a live row its ledger does not record, which the audit names ``not_in_ledger``, is withdrawn all the
    # same: its ledger entry here is empty)
    by_request = merge_counts(affected.by_request)
    count_by_request(naming.column("requests").to_pylist(), "published_rows", by_request)
    parts = [affected.ledger, ledger.take(at)] if affected.rows.num_rows else [ledger.take(at)]
    return Affected(
        pa.concat_tables([affected.rows, rows]),
        by_request,
        pa.concat_tables(parts, promote_options="default"),
        affected.deleted,
        affected.erased,
    )


def _row_keys(rows: pa.Table) -> pa.ChunkedArray:
    """Each row's shard path and utterance id as one value."""
    return pc.binary_join_element_wise(rows.column("shard_path"), rows.column("utterance_id"), "\x00")


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
