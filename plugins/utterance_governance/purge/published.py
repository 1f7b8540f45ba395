"""Purge the published dataset: affected shards rewritten into a new version, old files removed.

Under the dataset lock, for the whole read → rewrite → switch → clean-up section (a publish
waits for it, and re-checks its batch after it: ``purge.recheck``):

1. ``reconcile`` (an interrupted publish or purge is finished or dropped), then the clean-up
   of step 5 for a purge that was interrupted after its switch;
2. the live version's ledger rows of every customer a deletion request or an opt-out names
   (by speaker key) are decided with the rules (``purge.affected``); their shards are the
   affected ones. The first purge after the rules changed (the policy's opt-in regions or clock
   skew, or the code's) decides every live row, and records the rules it decided by. While a
   delete-all has no completed receipt, every live shard's messages are read for its customer's id
   said by someone else (``live_rows_naming``): those rows are affected too
   (``privacy.said.NAMES_DELETED_CUSTOMER``). A listing reaches the live row of a recording it names
   under another id (the store's recording twins: ``PrivacyState.deletions_with_twins``), counted on it;
3. each affected shard is read (its sha256 checked against the manifest) and written again,
   shard for shard, without the rows that may no longer be used, into a version published on
   top of the live one (``commit.publish_version`` with ``rewrites``): the unaffected shards are
   carried over by reference, never copied. A rewritten shard continues its old shard's lineage
   in the ledger, so its kept rows are not recorded again; the removed rows are marked ended in
   the new version;
4. the switch of ``current.json`` makes it live;
5. the replaced shard files are removed. Every version whose manifest names one of them is
   marked ``revoked`` (store and manifest, with the list of its shards that are gone), and the
   ledger rows the purge ended are erased from every version.

**Revoked, not superseded.** The version a purge replaces is always marked ``revoked``: it holds
rows that may no longer be used (a deletion, or an opt-out in force now) and its affected shard
files are removed, so it can be neither used nor loaded. ``superseded`` stays what it means for
an ordinary publish: a complete, loadable version that is simply not the newest. ``replaces``
in the new manifest (and the asset event) says why: ``reason`` lists ``deletion_requested``
and/or ``opted_out``, and ``erase_copies`` is true when a deletion removed rows, i.e. downstream
copies of the replaced version must be erased, not just no longer used.

A crash before the switch leaves the previous version live and ``reconcile`` drops the staged
one; a crash after it leaves the new version live, and the next purge finishes step 5.

**Cost.** A purge reads and writes the affected shards (a speaker sits in one shard per
publish: ``publish.shards``) and touches the ledger only for the rows it removes; carrying the
rest over is one row per shard. ``bench/bench_purge.py`` measures it against a full republish. A
run with a delete-all whose receipt is not completed also reads the ``utterance_id`` and
``messages`` of every live shard, one at a time: a delete-all on 99k live rows (8 shards) took
0.56 s instead of 0.24 s (median of 3, SQLite store, the synth lake of ``bench_purge.py``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.privacy import PrivacyState, check_key, key_fingerprint, live_fingerprint
from utterance_governance.privacy.said import NAMES_DELETED_CUSTOMER, SaidIds, delete_all_spellings
from utterance_governance.publish.commit import (
    PRIVACY_DAG,
    WENT_LIVE,
    DatasetPaths,
    Publication,
    ShardRewrite,
    Stage,
    live_version,
    publish_version,
    purging_dag,
    put_live_by,
    read_manifest,
    reconcile,
    revoke_version,
)
from utterance_governance.purge.affected import (
    Affected,
    find_affected,
    naming_requests,
    rules_in_force,
    with_rows_naming,
)
from utterance_governance.purge.withdrawn import backfill, erasures_due, withdrawal

log = logging.getLogger(__name__)

PURGE_GATE = {
    "success": True,
    "skipped": True,
    "reason": "a purge only removes rows; every remaining row passed the gate of the version that first published it",
}


class ShardCorrupt(RuntimeError):
    """A live shard does not match its manifest: it is not rewritten (the audit reports it)."""


def _no_stage(_: str) -> None:
    return None


def _read_verified(storage: Storage, dataset: str, shard: dict) -> pa.Table:
    path = DatasetPaths(dataset).shard(shard["path"])
    data = storage.read_bytes(path)
    if hashlib.sha256(data).hexdigest() != shard["sha256"] or len(data) != shard["bytes"]:
        raise ShardCorrupt(
            f"live shard {storage.url(path)} does not match its manifest (sha256/bytes): not rewriting it; "
            "restore it or let governance_audit report it"
        )
    table = pq.read_table(pa.BufferReader(data))
    if table.num_rows != shard["rows"]:
        raise ShardCorrupt(
            f"live shard {storage.url(path)} has {table.num_rows} rows, its manifest says {shard['rows']}"
        )
    return table


def shard_rewrites(
    storage: Storage, dataset: str, manifest: dict, affected: Affected
) -> tuple[tuple[ShardRewrite, ...], pa.Table]:
    """Each affected shard read (checksum verified) and filtered: the rows that stay, in its order;
    and the removed rows (``schema.SHARD``)."""
    by_path = {s["path"]: s for s in manifest["shards"]}
    drop = affected.rows.column("utterance_id").combine_chunks()
    wanted: dict[str, set[str | None]] = {}
    for path, uid in zip(affected.rows.column("shard_path").to_pylist(), drop.to_pylist(), strict=True):
        wanted.setdefault(path, set()).add(uid)
    rewrites, removed = [], [S.SHARD.empty_table()]
    for path in affected.shards:
        if path not in by_path:
            raise ShardCorrupt(f"the ledger lists shard {path} in the live version; its manifest does not")
        table = _read_verified(storage, dataset, by_path[path]).select(S.SHARD.names)
        gone = pc.fill_null(pc.is_in(table.column("utterance_id"), value_set=drop), False)
        found = set(table.column("utterance_id").filter(gone).to_pylist())
        if missing := len(wanted[path] - found):
            # a row the ledger says is there and the purge cannot name (an id read back as another, or
            # none): rewriting the shard without it would keep it live under a completed receipt
            raise ShardCorrupt(
                f"the ledger names {len(wanted[path])} rows of shard {path} to remove; {missing} of them are "
                "not found in it by their utterance id"
            )
        rewrites.append(
            ShardRewrite(
                path=path,
                keep=table.filter(pc.invert(gone)),
                removed=tuple(table.filter(gone).column("utterance_id").to_pylist()),
            )
        )
        removed.append(table.filter(gone).cast(S.SHARD))
    return tuple(rewrites), pa.concat_tables(removed)


# a live row saying the id of a delete-all's customer, and those requests (``affected.naming_requests``)
NAMING = pa.schema([("shard_path", pa.string()), ("utterance_id", pa.string()),
                    ("requests", pa.list_(pa.string()))])  # fmt: skip


def live_rows_naming(
    storage: Storage, store: GovernanceStore, dataset: str, version: str, manifest: dict, affected: Affected,
    said: dict[str, list[str]],
) -> Affected:  # fmt: skip
    """``affected`` and the live rows of ``version`` whose messages say an id of ``said``
    (``privacy.said.delete_all_spellings``), read from every shard of ``manifest``, one at a time (its
    ``utterance_id`` and ``messages``). A shard that cannot be read fails the purge: whether it says
    a deleted customer's id cannot be shown (the receipts stay open; the audit names the shard)."""
    if not said:
        return affected
    said = SaidIds(said)  # (made ready once, for every shard)
    paths = DatasetPaths(dataset)
    found = [NAMING.empty_table()]
    for shard in manifest["shards"]:
        try:
            table = storage.read_parquet(paths.shard(shard["path"]), columns=["utterance_id", "messages"])
        except Exception as exc:
            raise ShardCorrupt(
                f"live shard {storage.url(paths.shard(shard['path']))} cannot be read for the ids of deleted "
                f"customers ({type(exc).__name__}): restore it or let governance_audit report it"
            ) from exc
        named = naming_requests(table.column("messages"), said, table.column("utterance_id"))
        hit = pa.array(list(named), pa.int64())
        found.append(pa.table({
            "shard_path": pa.repeat(pa.scalar(shard["path"], pa.string()), len(named)),
            "utterance_id": table.column("utterance_id").take(hit),
            "requests": pa.array(list(named.values()), pa.list_(pa.string())),
        }))  # fmt: skip
    naming = pa.concat_tables(found)
    if not naming.num_rows:
        return affected
    shards = sorted(set(naming.column("shard_path").to_pylist()))
    ledger = store.ledger_rows(dataset, version, shard_paths=shards)
    out = with_rows_naming(affected, naming, ledger)
    log.info("%d live rows of %s say the id of a customer with a delete-all: withdrawn with them",
             out.rows.num_rows - affected.rows.num_rows, dataset)  # fmt: skip
    return out


WITHDRAWN = "quarantine/withdrawn"


def withdrawn_path(replaced_version: str) -> str:
    return f"{WITHDRAWN}/after-{replaced_version}.parquet"


def park_withdrawn(
    storage: Storage, replaced_version: str, removed: pa.Table, affected: Affected
) -> str | None:
    """Keep the live rows withdrawn because their customer is held back (an unreadable record: doubt,
    not a request), so a publish can restore them once a valid record releases the hold.

    Written before the version that drops them goes live; named after the version they leave, so
    a retried purge writes the same file. Shard columns plus the ledger's capture and landing times.
    """
    held = affected.ids(S.HELD_BACK)
    if not held:
        return None
    rows = removed.filter(
        pc.is_in(removed.column("utterance_id"), value_set=pa.array(sorted(held), pa.string()))
    )
    times = affected.ledger
    at = pc.index_in(rows.column("utterance_id"), value_set=times.column("utterance_id"))
    rows = rows.append_column("captured_at", times.column("captured_at").take(at))
    rows = rows.append_column("landed_at", times.column("landed_at").take(at)).sort_by("utterance_id")
    path = withdrawn_path(replaced_version)
    storage.write_parquet(path, S.as_held(rows, S.HELD_WITHDRAWN))
    log.info("withdrew %d live rows of held-back customers; kept at %s until their hold is released",
             rows.num_rows, storage.url(path))  # fmt: skip
    return path


def remove_replaced_shards(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    live: str,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> dict:
    """Remove the shard files a purge or a compaction replaced (listed by some version, not by the
    live one).

    ``now``: the files a compaction merged stay until its grace period is over (``publish.compact``:
    older versions stay loadable for training jobs reading them). Without it every one goes: a purge
    that removed rows calls it so, since a merged file may hold the rows it removed.

    Each version naming one is revoked first (store and manifest, with ``purged_shards``), then
    the files go, then their ledger rows: a crash in between is finished by the next call.
    """
    from utterance_governance.publish.compact import compacted_in_grace

    left = store.shards_left_behind(dataset, live)
    kept = {} if now is None else compacted_in_grace(storage, store, dataset, left, now)
    left = {shard: versions for shard, versions in left.items() if shard not in kept}
    if dry_run:
        return {"removed_shards": sorted(left), "revoked_versions": [], "kept_in_grace": len(kept)}
    by_version: dict[str, list[str]] = {}
    for shard, versions in left.items():
        for version in versions:
            by_version.setdefault(version, []).append(shard)
    at = datetime.now(UTC).isoformat()
    for version, shards in sorted(by_version.items()):
        revoke_version(storage, store, dataset, version, {
            "revoked_reason": "held rows that may no longer be used (a deletion or an opt-out), or its shards "
                              "were merged by a compaction whose grace period is over; its shard files "
                              "listed in purged_shards were removed",
            "purged_shards": sorted(shards),
            "purged_at": at,
            "live_version_at_purge": live,
        })  # fmt: skip
    paths = DatasetPaths(dataset)
    for shard in sorted(left):
        storage.remove(paths.shard(shard))
    erased = store.delete_ledger_rows(dataset, shard_paths=sorted(left)) if left else 0
    # the rows a purge removed from a shard's lineage go once no file holding them is left
    # (also when an earlier call stopped just before this)
    erased += store.erase_ended_ledger_rows(dataset, live)
    if left:
        log.info("removed %d replaced shard files of %s; revoked %s; erased %d ledger rows",
                 len(left), dataset, sorted(by_version), erased)  # fmt: skip
    return {
        "removed_shards": sorted(left),
        "revoked_versions": sorted(by_version),
        "ledger_rows_erased": erased,
        "kept_in_grace": len(kept),
    }


def purge_published(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    *,
    run_id: str,
    policy: Policy,
    pseudonym_key: bytes,
    state: Callable[[], PrivacyState],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    dry_run: bool = False,
    lock_timeout_s: float = 600.0,
    on_stage: Stage = _no_stage,
    dag_id: str = PRIVACY_DAG,
) -> dict:
    """Remove every live row that may no longer be used; return what was done (no identifiers).

    ``run_id`` and ``dag_id``: the run purging (Airflow may give the nightly publish, which purges before it
    publishes, and the hourly privacy run one run id: a retry finds its own purge by both). When another
    run's purge went live and was never handed on, this call reports that one instead and says so
    (``reported_for``): it purges nothing more.

    ``state`` is called under the lock: the privacy state the purge decides against is the one
    of that moment, so a publish that takes the lock after it sees at least as much.
    """
    with store.dataset_lock(dataset, owner=f"{run_id}/purge", timeout_s=lock_timeout_s) as lock:
        if not dry_run:
            reconcile(storage, store, dataset)
        live = live_version(storage, dataset)
        result: dict = {"dataset": dataset, "dry_run": dry_run, "live_before": live, "new_version": False,
                        "version": live, "rows_removed": {}, "by_request": {}, "shards_replaced": [],
                        "decided_requests": []}  # fmt: skip
        rules = rules_in_force(policy)
        if live is None:
            result["searched"] = [] if dry_run else ["published", "governance_store"]  # nothing published yet
            result["decided_requests"] = _requests_of(state())
            if not dry_run:
                store.mark_live_rows_judged(dataset, rules)
            return result
        fingerprint = key_fingerprint(pseudonym_key)
        live_manifest = read_manifest(storage, dataset, live)
        check_key(live_fingerprint(live_manifest), fingerprint, where=f"purging {dataset}")
        earlier = None if dry_run else _unreported_purge(storage, store, dataset, run_id, dag_id)
        if earlier is not None:
            result = _after_own_switch(storage, store, dataset, earlier, live, result)
            if earlier.get("run_id") != run_id or purging_dag(earlier) != dag_id:
                # another run's: this run's own requests are not purged by it (the caller decides)
                result["reported_for"] = {"dag_id": purging_dag(earlier), "run_id": earlier.get("run_id")}
            result["erase_withdrawn"] = erasures_due(store, dataset, state(), pseudonym_key)
            return _reported(store, dataset, result)
        decided_at = now()
        # (a compaction's files in their grace period stay, unless this purge removes rows: below)
        result["cleanup_before"] = remove_replaced_shards(
            storage, store, dataset, live, dry_run=dry_run, now=decided_at
        )
        # (read before the state: a deletion taken in after it is of a batch above this mark)
        deletions_seen = store.deletion_batch_mark()
        privacy = state()
        result["decided_requests"] = _requests_of(privacy)
        if not dry_run and store.withdrawals_to_backfill(dataset):  # (a store upgraded to Alembic 0019)
            result["withdrawals_backfilled"] = backfill(store, dataset, privacy, pseudonym_key, live)
            store.withdrawals_backfilled(dataset)
        # the rules changed since every live row was last judged: any of them may fall now
        every_row = store.live_rows_judged_by(dataset) != rules
        if every_row:
            log.info(
                "the privacy rules changed since the live rows of %s were judged: judging every one", dataset
            )
        affected = find_affected(
            store, dataset, live, privacy, policy, decided_at, pseudonym_key, every_row=every_row
        )
        # the delete-alls not yet carried out: their customers' ids said by others are withdrawn too
        completed = {r["request_id"] for r in store.receipts() if r["status"] == "completed"}
        said = delete_all_spellings(privacy.deletions, leaving_out=completed)
        affected = live_rows_naming(storage, store, dataset, live, live_manifest, affected, said)
        on_stage("affected")
        result.update(rows_removed=affected.counts(), by_request=affected.by_request, shards_replaced=affected.shards,
                      decided_at=decided_at.isoformat(), judged_every_row=every_row,
                      # the live dataset and its ledger rows: rewritten below, erased by the clean-up
                      searched=[] if dry_run else ["published", "governance_store"])  # fmt: skip
        if dry_run:
            result["erase_withdrawn"] = erasures_due(store, dataset, privacy, pseudonym_key)
            return result
        if not affected.rows.num_rows:
            store.mark_live_rows_judged(dataset, rules)
            result["erase_withdrawn"] = erasures_due(store, dataset, privacy, pseudonym_key)
            return result
        # before the switch: a redelivery of a recording a listing erases is a duplicate from now on (kept
        # when the purge then fails: the listing stands, and the purge runs again)
        store.record_deleted_recordings(dataset, affected.deleted)
        store.record_erased_utterances(
            affected.erased
        )  # (and of a delete-all's or a range's: ``io.store.erased``)
        # (the clean-up above revokes only versions other than the live one: its manifest is as read)
        rewrites, removed = shard_rewrites(storage, dataset, live_manifest, affected)
        on_stage("read")
        parked = park_withdrawn(storage, live, removed, affected)
        counts = affected.counts()
        # (a row saying a deleted customer's id holds what the deletion erases: its copies go too)
        erase = S.DELETION_REQUESTED in counts or NAMES_DELETED_CUSTOMER in counts
        if (
            not erase
        ):  # (before the switch: a deletion after it tells their training runs to erase: ``withdrawn``)
            speakers, (first, last, merged) = withdrawal(storage, dataset, live_manifest, affected)
            store.record_withdrawn_speakers(dataset, speakers, first, last, merged, deletions_seen)
        replaces = {
            "version": live,
            "status": "revoked",
            "revoke": True,
            "reason": sorted(counts),
            "erase_copies": erase,
            "shards": affected.shards,
            "rows_removed": counts,
            "requests": sorted(affected.by_request),
            # what each request removed: a retry past the switch reports it again (no identifier)
            "by_request": affected.by_request,
        }
        publication = Publication(
            run_id=run_id,
            rows=S.SHARD.empty_table(),
            rewrites=rewrites,
            counts=counts,
            gate=PURGE_GATE,
            privacy_snapshot=store.privacy_snapshot(),
            inputs=[],
            target_rows=policy.shard_target_rows,
            key_fingerprint=fingerprint,
            # (the requests it decided against: a retry past the switch completes those receipts only)
            notes={
                "kind": "purge",
                "dag_id": dag_id,
                "decided_at": decided_at.isoformat(),
                "decided_requests": result["decided_requests"],
            },
        )
        new = publish_version(
            storage, store, dataset, publication, replaces=replaces, lock=lock, on_stage=on_stage
        )
        on_stage("purged")
        lock.assert_held()
        store.mark_live_rows_judged(dataset, rules)
        cleanup = remove_replaced_shards(storage, store, dataset, new["version"])
        result.update(
            new_version=True,
            version=new["version"],
            parent_version=live,
            replaced_status="revoked",
            reason=replaces["reason"],
            erase_copies=erase,
            rows=new["rows"],
            shards=len(new["shards"]),
            shards_written=new["new_shards"],
            rows_rewritten=sum(rewrite.keep.num_rows for rewrite in rewrites),
            manifest=DatasetPaths(dataset).manifest(new["version"]),
            cleanup=cleanup,
            withdrawn_held=parked,
            erase_withdrawn=erasures_due(store, dataset, state(), pseudonym_key),
        )
        log.info("purged %s: %s removed from %d shards; %s replaces %s (revoked)", dataset, counts,
                 len(affected.shards), new["version"], live)  # fmt: skip
        return _reported(store, dataset, result)


def _unreported_purge(
    storage: Storage, store: GovernanceStore, dataset: str, run_id: str, dag_id: str
) -> dict | None:
    """The manifest of a purge's version that went live but was never handed on: this run's (a retry
    past its switch), else the oldest another run left (it failed for good past its switch: its
    receipts and revocation event never came). This run reports it instead of purging; the next run
    purges what is left (the nightly publish's purge purges then: ``jobs.privacy.withdraw_live``)."""
    own = put_live_by(storage, store, dataset, run_id, purge=True, dag_id=dag_id)
    if own is not None:
        log.warning("purge of run %s already switched %s live (this is a retry): finishing its clean-up",
                    run_id, own["version"])  # fmt: skip
        return own
    for version in store.unreported_purges(dataset, WENT_LIVE):
        manifest = read_manifest(storage, dataset, version)
        log.warning("the purge of run %s put %s live and was never reported (its run failed past the switch): "
                    "reporting it now; this run purges nothing more", manifest.get("run_id"), version)  # fmt: skip
        return manifest
    return None


def _reported(store: GovernanceStore, dataset: str, result: dict) -> dict:
    """``result``, its purge's version marked handed on (the run returns it to receipts and the announcement)."""
    store.mark_reported(dataset, result["version"])
    return result


def _requests_of(privacy: PrivacyState) -> list[str]:
    return sorted(set(privacy.deletions.column("request_id").to_pylist()) - {None})


def _revoked_while_live(storage: Storage, store: GovernanceStore, dataset: str, version: str) -> list[str]:
    """The versions a clean-up revoked while ``version`` was live (``remove_replaced_shards`` writes it into
    each revoked manifest as ``live_version_at_purge``)."""
    revoked = [v["version"] for v in store.versions(dataset) if v["status"] == "revoked"]
    return [v for v in revoked if read_manifest(storage, dataset, v).get("live_version_at_purge") == version]


def _after_own_switch(
    storage: Storage, store: GovernanceStore, dataset: str, manifest: dict, live: str, result: dict
) -> dict:
    """The result of a purge that put its version live, read back from that version (this run's
    retry, or a run that failed past its switch: ``_unreported_purge``), with the clean-up
    the failed attempt did not finish (against the version live now): the revocation is announced
    and the receipts count what it removed, as if the first attempt had returned."""
    replaces = manifest.get("replaces") or {}
    cleanup = remove_replaced_shards(storage, store, dataset, live)
    # an attempt that died after its clean-up revoked the older versions left this one nothing to revoke:
    # those versions are still the purge's (the training runs that consumed them hold the removed rows)
    cleanup["revoked_versions"] = sorted(
        {
            *cleanup.get("revoked_versions", []),
            *_revoked_while_live(storage, store, dataset, manifest["version"]),
        }
    )
    result.update(
        new_version=True,
        version=manifest["version"],
        live_before=replaces.get("version"),
        parent_version=replaces.get("version"),
        replaced_status=replaces.get("status"),
        reason=replaces.get("reason", []),
        erase_copies=bool(replaces.get("erase_copies")),
        rows_removed=dict(replaces.get("rows_removed") or {}),
        by_request={request: dict(counts) for request, counts in (replaces.get("by_request") or {}).items()},
        shards_replaced=list(replaces.get("shards") or []),
        rows=manifest.get("rows"),
        shards=len(manifest.get("shards") or ()),
        manifest=DatasetPaths(dataset).manifest(manifest["version"]),
        cleanup=cleanup,
        searched=["published", "governance_store"],
        retried_after_switch=True,
        decided_requests=list((manifest.get("notes") or {}).get("decided_requests") or []),
    )
    return result
