"""A deletion after an opt-out: the training runs told to stop using a version are told to erase it.

An opt-out's purge revokes the versions holding the customer's rows with ``erase_copies`` false: their training
runs stop using them and may keep them (the customer withdrew consent, and deleted nothing). When the same
customer later asks for a deletion, those copies must go; but the opt-out left nothing live, so the deletion's
purge makes no version and, before this, announced nothing. Now:

1. an opt-out's purge that erases nothing records, before its switch, per speaker it withdrew, the versions it
   revokes (``withdrawal``: from the first batch of a replaced shard to the version it replaces, and those
   compaction merged into the replaced shards: a superset of what its announcement names);
2. every privacy run looks the speakers of the deletions up among those records (``erasures_due``: the customer's
   own speaker key and every spelling's, through the store's case-fold pairs), a record being due when a deletion
   of its speaker was taken in after it; its ``announce`` step tells the training runs of those versions to erase
   their copies
   (``erasure_announcement``: with the purge's own announcement, or alone when the purge made no version);
3. once announced, the records go (``io.store.withdrawn``).

A deletion of any scope announces the erasure of every version the opt-out revoked for that speaker: which of
the withdrawn rows a range or a listing covers is not known any more (their ledger rows are erased), and
erasing more is what fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import PrivacyState, canonical_ids, speaker_keys
from utterance_governance.publish.commit import shard_batch
from utterance_governance.publish.compact import merged_versions
from utterance_governance.purge.affected import Affected


def withdrawal(
    storage: Storage, dataset: str, parent: Mapping[str, Any], affected: Affected
) -> tuple[list[str], tuple[str, str, list[str]]]:
    """(the speakers ``affected`` withdraws for an opt-out, (the first and last version of the range the purge
    revokes, the versions compaction merged into its replaced shards))."""
    reasons = affected.rows.column("reason")
    opted_out = pc.fill_null(pc.equal(reasons, S.OPTED_OUT), False)
    speakers = pc.unique(affected.ledger.column("speaker_key").filter(opted_out)).drop_null().to_pylist()
    by_path = {s["path"]: s for s in parent.get("shards", [])}
    replaced = [p for p in affected.shards if p in by_path]
    first = min((shard_batch(by_path[p]) for p in replaced), default=parent["version"])
    merged = sorted(merged_versions(storage, dataset, parent, replaced))
    return sorted(speakers), (first, parent["version"], merged)


def _deleting_speakers(
    state: PrivacyState, key: bytes, ingested: Mapping[str, datetime]
) -> dict[str, datetime]:
    """Each speaker key a deletion reaches (its customer's own, and every spelling's the store pairs with the fold
    of one of their ids: ``PrivacyState.speaker_folds``), with when the latest such deletion was taken in."""
    deletions = state.deletions
    if not deletions.num_rows:
        return {}
    latest: dict[str, datetime] = {}
    for request, customer in zip(
        deletions.column("request_id").to_pylist(),
        canonical_ids(deletions.column("customer_id")).to_pylist(),
        strict=True,
    ):
        at = ingested.get(request)
        if customer is not None and at is not None and (customer not in latest or at > latest[customer]):
            latest[customer] = at
    customers = pa.array(sorted(latest), pa.string())
    found: dict[str, datetime] = {}

    def reach(speaker: str | None, at: datetime) -> None:
        if speaker is not None and (speaker not in found or at > found[speaker]):
            found[speaker] = at

    for customer, speaker in zip(
        customers.to_pylist(), speaker_keys(customers, key).to_pylist(), strict=True
    ):
        reach(speaker, latest[customer])
    # the folds a deletion's customer has (``Folds.deleting``: fold position, customer code), and the speakers paired
    folds, codes = state.folds.deleting
    speakers, positions = state.speaker_folds(key)
    named = state.customers.to_pylist()
    by_fold: dict[int, list[str]] = {}
    for speaker, position in zip(speakers.to_pylist(), positions.tolist(), strict=True):
        by_fold.setdefault(position, []).append(speaker)
    for fold, code in zip(folds.tolist(), codes.tolist(), strict=True):
        at = latest.get(named[code])
        for speaker in by_fold.get(fold, []) if at is not None else []:
            reach(speaker, at)
    return found


def erasures_due(store: GovernanceStore, dataset: str, state: PrivacyState, key: bytes) -> list[dict]:
    """The withdrawal records (``io.store.withdrawn``) a deletion taken in after them reaches: versions whose
    training runs were told to stop using them, and must now be told to erase them. (A deletion taken in before
    the opt-out's purge covered what it covers then; a record stays until its erasure is announced, whatever
    became of the deletion's receipt.) JSON-ready: no times."""
    reached = _deleting_speakers(state, key, store.deletion_ingest_times())
    records = store.withdrawn_speakers_of(dataset, reached)
    return [
        {field: record[field] for field in ("speaker_key", "first_version", "last_version", "merged")}
        for record in records
        if reached[record["speaker_key"]] >= record["recorded_at"]
    ]


def erased_versions(store: GovernanceStore, dataset: str, records: list[dict]) -> list[str]:
    """The versions ``records`` name: each range's versions the store knows, and the merged ones."""
    known = [v["version"] for v in store.versions(dataset)]
    versions: set[str] = set()
    for record in records:
        versions |= {v for v in known if record["first_version"] <= v <= record["last_version"]}
        versions |= set(record["merged"] or ())
    return sorted(versions)


def erasure_announcement(
    store: GovernanceStore, data_root: str, dataset: str, live: str | None, records: list[dict]
) -> dict:
    """The asset event's extra of a deletion that found nothing live of a speaker an opt-out withdrew: the
    versions to erase and their training runs (no new version: ``version`` is the one live now). Names no one."""
    from utterance_governance.publish.lineage import consumers, dataset_url, manifest_url

    versions = erased_versions(store, dataset, records)
    return {
        "version": live,
        "replaces": None,
        "reason": [S.DELETION_REQUESTED],
        "erase_copies": True,
        "erase_only": True,
        "dataset": dataset,
        "dataset_url": dataset_url(data_root, dataset),
        "manifest": manifest_url(data_root, dataset, live) if live else None,
        "revoked_versions": versions,
        "revoked_manifests": [manifest_url(data_root, dataset, v) for v in versions],
        "speakers": len({r["speaker_key"] for r in records}),
        "training_runs": consumers(store, dataset, versions),
    }
