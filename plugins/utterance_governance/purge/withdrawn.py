"""A deletion after an opt-out: the training runs told to stop using a version are told to erase it.

An opt-out's purge revokes the versions holding the customer's rows with ``erase_copies`` false: their training
runs stop using them and may keep them (the customer withdrew consent, and deleted nothing). When the same
customer later asks for a deletion, those copies must go; but the opt-out left nothing live, so the deletion's
purge makes no version and, before this, announced nothing. Now:

1. an opt-out's purge that erases nothing records, before its switch, per speaker it withdrew, the versions it
   revokes (``withdrawal``: from the first batch of a replaced shard to the version it replaces, and those
   compaction merged into the replaced shards: a superset of what its announcement names);
2. every privacy run looks the speakers of the deletions up among those records (``erasures_due``: the customer's
   own speaker key and every spelling's, through the store's case-fold pairs or the fold digest a record keeps), a
   record being due when a deletion of its speaker was taken in after its purge read the privacy state (an intake
   batch above the one it saw: intakes run one at a time, so no worker's clock decides); its ``announce`` step
   tells the training runs of those versions to erase their copies
   (``erasure_announcement``: with the purge's own announcement, or alone when the purge made no version);
3. once announced, the records go (``io.store.withdrawn``).

A deletion of any scope announces the erasure of every version the opt-out revoked for that speaker: which of
the withdrawn rows a range or a listing covers is not known any more (their ledger rows are erased), and
erasing more is what fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.privacy import PrivacyState, canonical_ids, speaker_keys
from utterance_governance.privacy.keys import fold_digests
from utterance_governance.publish.commit import shard_batch
from utterance_governance.publish.compact import merged_versions
from utterance_governance.purge.affected import Affected


def withdrawal(
    storage: Storage, dataset: str, parent: Mapping[str, Any], affected: Affected
) -> tuple[list[str], tuple[str, str, list[str]]]:
    """(the speakers ``affected`` withdraws, (the first and last version of the range the purge revokes, the
    versions compaction merged into its replaced shards)), of a purge that erases nothing: an opt-out, a hold
    (an unreadable record withdraws as an opt-out would), a rule that changed."""
    speakers = pc.unique(affected.ledger.column("speaker_key")).drop_null().to_pylist()
    by_path = {s["path"]: s for s in parent.get("shards", [])}
    replaced = [p for p in affected.shards if p in by_path]
    first = min((shard_batch(by_path[p]) for p in replaced), default=parent["version"])
    merged = sorted(merged_versions(storage, dataset, parent, replaced))
    return sorted(speakers), (first, parent["version"], merged)


def _deleting(
    state: PrivacyState, key: bytes, ingested: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """(each speaker key a deletion reaches: its customer's own, and every spelling's the store pairs with the fold
    of one of their ids, ``PrivacyState.speaker_folds``; the keyed digest of each of those folds), each with the intake
    batch of the latest such deletion (``deletion_batches``)."""
    deletions = state.deletions
    if not deletions.num_rows:
        return {}, {}
    latest: dict[str, int] = {}
    requests = deletions.column("request_id").to_pylist()
    for request, customer in zip(
        requests, canonical_ids(deletions.column("customer_id")).to_pylist(), strict=True
    ):
        at = ingested.get(request)
        if customer is not None and at is not None and (customer not in latest or at > latest[customer]):
            latest[customer] = at
    speakers_found: dict[str, int] = {}
    folds_found: dict[str, int] = {}

    def reach(found: dict[str, int], value: str | None, at: int) -> None:
        if value is not None and (value not in found or at > found[value]):
            found[value] = at

    customers = pa.array(sorted(latest), pa.string())
    for customer, speaker in zip(
        customers.to_pylist(), speaker_keys(customers, key).to_pylist(), strict=True
    ):
        reach(speakers_found, speaker, latest[customer])
    # the folds a deletion's customer has (``Folds.deleting``: fold position, customer code): their digests, and the
    # speakers the store pairs with them
    folds, codes = state.folds.deleting
    values = state.folds.values
    digests = fold_digests(values, key).to_pylist() if len(values) else []
    speakers, positions = state.speaker_folds(key)
    by_fold: dict[int, list[str]] = {}
    for speaker, position in zip(speakers.to_pylist(), positions.tolist(), strict=True):
        by_fold.setdefault(position, []).append(speaker)
    named = state.customers.to_pylist()
    for fold, code in zip(folds.tolist(), codes.tolist(), strict=True):
        at = latest.get(named[code])
        if at is None:
            continue
        reach(folds_found, digests[fold], at)
        for speaker in by_fold.get(fold, []):
            reach(speakers_found, speaker, at)
    return speakers_found, folds_found


def erasures_due(store: GovernanceStore, dataset: str, state: PrivacyState, key: bytes) -> list[dict]:
    """The withdrawal records (``io.store.withdrawn``) a deletion the record's purge did not decide against reaches
    (one of an intake batch above ``deletions_seen``: taken in after the purge read its privacy state), by speaker
    key or by the fold digest the record keeps (the case-fold pairs may be gone: the deletion's own copies purge
    erases them): versions whose training runs were told to stop using them, and must now be told to erase them.
    (A deletion the purge decided against covered what it covers then; a record stays until its erasure is
    announced, whatever became of the deletion's receipt.) JSON-ready: no times."""
    speakers, folds = _deleting(state, key, store.deletion_batches())
    due = []
    for record in store.withdrawn_speakers_of(dataset, speakers, folds):
        taken_in = [found[value] for found, value in ((speakers, record["speaker_key"]), (folds, record["fold_key"]))
                    if value in found]  # fmt: skip
        if taken_in and max(taken_in) > record["deletions_seen"]:
            due.append({f: record[f] for f in ("speaker_key", "first_version", "last_version", "merged")})
    return due


def backfill(store: GovernanceStore, dataset: str, state: PrivacyState, key: bytes, live: str) -> int:
    """Record the withdrawals the purges before Alembic 0019 made (the revision could not: it holds no pseudonym key),
    fail closed: every customer with an opt-out or a hold, their own speaker key and every spelling's the store
    pairs with their folds, over every version of ``dataset`` up to ``live``, each deletion of theirs due
    (``deletions_seen`` 0: one taken in before the upgrade found nothing to erase then either). The number of
    speakers recorded."""
    consent = state.consent
    opted = pc.fill_null(
        pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(consent.column("status"))), "opted_out"), False
    )
    named = [
        canonical_ids(consent.column("customer_id").filter(opted)),
        pa.array(sorted(state.doubted_customers)),
    ]
    customers = pc.unique(pa.chunked_array([a.cast(pa.string()) for a in named], pa.string())).drop_null()
    speakers = set(speaker_keys(customers, key).drop_null().to_pylist())
    folds, _ = state.folds.opting_out
    wanted = {int(f) for f in folds.tolist()} | {int(f) for f in state.folds.holding.tolist()}
    paired, positions = state.speaker_folds(key)
    speakers |= {s for s, p in zip(paired.to_pylist(), positions.tolist(), strict=True) if p in wanted}
    first = min((v["version"] for v in store.versions(dataset)), default=live)
    return store.record_withdrawn_speakers(dataset, speakers, first, live, [], 0)


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
