"""Compaction by speaker: how many shards hold one customer's rows stays bounded as the dataset ages.

Each nightly publish puts a speaker in one shard of its own (``publish.shards``), so a customer
who speaks every night is in one shard per night, and a purge of them reads and writes that many:
after a year, 365 shards for one deletion, close to a republish. Compaction merges shards the way a
log-structured merge tree does:

- a nightly publish's shards are a *batch* of level 0 (``commit.shard_batch``: the version that
  wrote them; a purge's rewrite of a shard keeps its batch and level);
- when the live version holds ``policy.compaction_fanout`` batches of one level, all their shards
  are merged into one batch of the next level: every row moved, cut into speaker partitions and
  written as the nightly publish writes them, so each speaker is in one shard of the new batch.

A speaker is then in at most ``fanout - 1`` batches of each level but the top one, about
``(fanout - 1) * log_fanout(nights)`` shards (8 and a year of nights: at most 22, where it would
be 365), and a row is rewritten once per level it climbs: the night's cost grows with the
logarithm of the dataset's age, not with its size.

The merge goes live like any version, on top of the live one (under the dataset lock, the parent
``superseded``, its rows unchanged: no decision is taken again, a purge decides). Its merged shards
drop out of the new version's list, and their ledger rows go once it is live (the rows are recorded
again under the new shards' lineages): the compaction pays for the rows it moves, never the purge
after it. The versions before it still list the merged shards, without ledger rows. Their files stay for ``policy.compaction_grace_hours``, so a
training job that is reading an older version finishes; then the next compaction or purge removes
them and revokes the versions that listed them (no longer loadable). A purge that removes rows
removes them at once, grace or not: they may hold the rows it removes (``purge.published``).

Fail closed: every merged shard is read against its manifest's checksum, and the merged shards must
hold exactly the rows (utterance and content) their ledger rows list; the new shards' ledger rows are
those rows, copied in the store into the new lineages (``copy_lineage_rows``: the capture and landing
times a deletion by range is decided on stay the ledger's own), and the copy must place every one of
them. Otherwise nothing is compacted and the error says why (``governance_audit`` names the shards). The rows travel between the two passes as Parquet under ``staging/<run>/compact/`` (a copy
of published text: ``purge_copies`` searches it, and the run removes it), one speaker partition in
memory at a time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import (
    WENT_LIVE,
    DatasetPaths,
    Publication,
    Stage,
    live_version,
    publish_version,
    put_live_by,
    read_manifest,
    reconcile,
    shard_batch,
    shard_level,
)
from utterance_governance.publish.partitions import partition_count, read_partition, write_partitioned
from utterance_governance.publish.shards import SORT_KEYS, as_shard

log = logging.getLogger(__name__)

KIND = "compaction"
COMPACTION_GATE = {
    "success": True,
    "skipped": True,
    "reason": "a compaction only moves rows; every row passed the gate of the version that first published it",
}
_FLUSH_ROWS = 200_000  # merged shards' rows gathered before they are cut into partitions


class CompactionRefused(RuntimeError):
    """A shard to merge does not match its manifest or its ledger rows: nothing was compacted."""


@dataclass(frozen=True)
class Plan:
    """What one compaction merges: every live shard of ``batches`` (all of level ``level``)."""

    level: int
    batches: tuple[str, ...]
    shards: tuple[dict, ...]  # manifest entries

    @property
    def rows(self) -> int:
        return sum(int(s["rows"]) for s in self.shards)


def plan(manifest: Mapping[str, Any], fanout: int) -> Plan | None:
    """The merge the live version is due for: the lowest level holding ``fanout`` batches or more
    (all of them merged), or None. ``fanout`` below 2 turns compaction off."""
    if fanout < 2:
        return None
    by_level: dict[int, dict[str, list[dict]]] = {}
    for shard in manifest.get("shards", []):
        by_level.setdefault(shard_level(shard), {}).setdefault(shard_batch(shard), []).append(shard)
    for level in sorted(by_level):
        batches = by_level[level]
        if len(batches) >= fanout:
            names = tuple(sorted(batches))
            return Plan(level, names, tuple(s for name in names for s in batches[name]))
    return None


def batches_by_level(manifest: Mapping[str, Any]) -> dict[str, int]:
    """How many batches of each level the live version holds (for the run's report: no identifiers)."""
    levels: dict[int, set[str]] = {}
    for shard in manifest.get("shards", []):
        levels.setdefault(shard_level(shard), set()).add(shard_batch(shard))
    return {f"level_{level}": len(batches) for level, batches in sorted(levels.items())}


def compact(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    *,
    run_id: str,
    policy: Policy,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    dry_run: bool = False,
    lock_timeout_s: float = 600.0,
    on_stage: Stage = lambda _: None,
    run_key: str | None = None,
) -> dict:
    """Merge the batches the live version is due to merge (``plan``), if any; return what was done.

    First removes the files of earlier merges whose grace period is over. ``run_id``: the run's own
    (the version records ``<run_id>/compact``); a retry past the switch reports the merge it finished.
    """
    from utterance_governance.purge.published import remove_replaced_shards

    owner = f"{run_id}/compact"
    with store.dataset_lock(dataset, owner=owner, timeout_s=lock_timeout_s) as lock:
        if not dry_run:
            reconcile(storage, store, dataset)
        live = live_version(storage, dataset)
        result: dict[str, Any] = {
            "dataset": dataset,
            "dry_run": dry_run,
            "new_version": False,
            "version": live,
        }
        if live is None:
            return result
        at = now()
        result["cleanup"] = remove_replaced_shards(storage, store, dataset, live, dry_run=dry_run, now=at)
        done = put_live_by(storage, store, dataset, owner, purge=False)  # (its own run id: no publish has it)
        if done is not None:  # a retry: this run's merge went live before the failure
            dropped = _drop_merged_lineages(store, dataset, done)
            return {**result, **_summary(done), "ledger_rows_moved": dropped, "retried_after_switch": True}
        manifest = read_manifest(storage, dataset, live)
        due = plan(manifest, policy.compaction_fanout)
        result["batches_by_level"] = batches_by_level(manifest)
        if due is None:
            return result
        result.update(level=due.level + 1, batches_merged=len(due.batches), shards_merged=len(due.shards),
                      rows_moved=due.rows)  # fmt: skip
        if dry_run:
            return result
        stage_dir = f"staging/{run_key or _safe(run_id)}/compact"  # (the run's folder: ``jobs.run_keys``)
        storage.remove(stage_dir)  # an earlier attempt's partitions
        try:
            partitions = _stage_rows(storage, store, dataset, live, due, stage_dir, policy)
            on_stage("staged")
            grace_until = at + timedelta(hours=policy.compaction_grace_hours)
            # the versions that list the merged files: a deletion later purged from the merge's shards
            # tells their training runs too (``lineage.revocation_announcement``), after the files are gone
            listing = store.versions_listing(dataset, [s["path"] for s in due.shards])
            merged_from = sorted({v for versions in listing.values() for v in versions})
            publication = Publication(
                run_id=owner,
                rows=None,
                parts=tuple(functools.partial(_load, storage, stage_dir, p) for p in range(partitions)),
                part_rows=due.rows,
                counts={},
                gate=COMPACTION_GATE,
                privacy_snapshot=store.privacy_snapshot(),
                inputs=[],
                target_rows=policy.shard_target_rows,
                key_fingerprint=manifest.get("key_fingerprint"),
                notes={
                    "kind": KIND,
                    "level": due.level + 1,
                    "merged_batches": list(due.batches),
                    "merged_from": merged_from,
                    "grace_until": grace_until.isoformat(),
                },
                shard_fields={"level": due.level + 1},
                record_ledger=_recorder(store, dataset, live, due),
            )
            replaces = {
                "version": live,
                "status": "superseded",
                "revoke": False,
                "reason": [KIND],
                "erase_copies": False,
                "shards": [s["path"] for s in due.shards],
            }
            new = publish_version(storage, store, dataset, publication, replaces=replaces, lock=lock)
            on_stage("switched")
            lock.assert_held()
            result["ledger_rows_moved"] = _drop_merged_lineages(store, dataset, new)
        finally:
            storage.remove(stage_dir)
        log.info("compacted %s: %d batches of level %d (%d shards, %d rows) into %d shards of %s; the old files "
                 "stay until %s", dataset, len(due.batches), due.level, len(due.shards), due.rows,
                 len(new["new_shards"]), new["version"], grace_until.isoformat())  # fmt: skip
        return {**result, **_summary(new)}


# the kind of a key rotation's version (``purge.rekey``): it wrote every live row again, with the new key, into
# shards of its own; its notes name the versions that listed the shards it replaced (``rewritten_from``)
REKEY_KIND = "rekey"


def merged_versions(
    storage: Storage, dataset: str, manifest: Mapping[str, Any], shards: Sequence[str]
) -> set[str]:
    """The versions whose files a compaction merged, or a key rotation wrote again, into ``shards`` of
    ``manifest``, at any depth: their rows are among those shards' rows (their training runs hold copies of
    them)."""
    by_path = {s["path"]: s for s in manifest.get("shards", [])}
    batches = {shard_batch(by_path[p]): shard_level(by_path[p]) for p in shards if p in by_path}
    # a compaction's shards are of a level above 0; a rotation's of level 0, like a night's: its notes say
    todo = set(batches)
    seen: set[str] = set()
    found: set[str] = set()
    while todo:
        merge = todo.pop()
        if merge in seen:
            continue
        seen.add(merge)
        try:
            merged = read_manifest(storage, dataset, merge)
            notes = merged.get("notes") or {}
        except FileNotFoundError:  # a night's version whose manifest is gone: was it a rotation? unknown
            if batches.get(merge, 0) > 0:
                raise
            log.warning("the manifest of %s, which wrote shards a purge replaced, is gone: the training runs of "
                        "the versions before it, if it was a key rotation, are not named", merge)  # fmt: skip
            continue
        if notes.get("kind") == REKEY_KIND:
            found.update(notes.get("rewritten_from") or [])  # (its own ancestors' too: ``purge.rekey``)
        elif notes.get("kind") == KIND:
            found.update(notes.get("merged_from") or [])
            # ... and every version from the first merged batch to the merge's parent: each carried one of the
            # merged lineages, though a purge may have written its file again since (an opt-out of another
            # customer of the shard: the versions listing the old file are no longer in ``merged_from``)
            found.update(
                _versions_between(min(notes.get("merged_batches") or [""]), merged.get("parent_version"))
            )
            todo.update(notes.get("merged_batches") or [])  # a merge of merges: theirs too
    return found


def _versions_between(first: str, last: str | None) -> set[str]:
    """The version names from ``first`` to ``last``, both included (``commit.next_version``'s ``v000001``
    names); none when either is no such name."""
    if not last or not all(v.startswith("v") and v[1:].isdigit() for v in (first, last)):
        return set()
    return {f"v{n:06d}" for n in range(int(first[1:]), int(last[1:]) + 1)}


def _summary(manifest: Mapping[str, Any]) -> dict[str, Any]:
    notes = manifest.get("notes") or {}
    return {
        "new_version": True,
        "version": manifest["version"],
        "parent_version": manifest.get("parent_version"),
        "level": notes.get("level"),
        "batches_merged": len(notes.get("merged_batches") or ()),
        "shards_merged": len((manifest.get("replaces") or {}).get("shards") or ()),
        "shards_written": len(manifest.get("new_shards") or ()),
        "rows": manifest.get("rows"),
        "grace_until": notes.get("grace_until"),
    }


def _drop_merged_lineages(store: GovernanceStore, dataset: str, manifest: Mapping[str, Any]) -> int:
    """The ledger rows of the shards the merge ``manifest`` replaced (moved to its own lineages)."""
    replaced = manifest.get("replaces") or {}
    return store.drop_lineage_rows(dataset, replaced["version"], replaced.get("shards") or [])


def _safe(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)


def _stage_rows(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    live: str,
    due: Plan,
    stage_dir: str,
    policy: Policy,
) -> int:
    """Every merged shard's rows cut by speaker into partitions under ``stage_dir``; the number of
    partitions (sized like the night's: ``policy.partition_bytes``). Refused unless the shards hold,
    row for row, the utterances and content their ledger rows list (the ledger rows are what the new
    shards are recorded with)."""
    from utterance_governance.purge.published import ShardCorrupt, _read_verified

    paths = DatasetPaths(dataset)
    partitions = partition_count(((paths.shard(s["path"]), int(s["bytes"])) for s in due.shards),
                                 policy.partition_bytes)  # fmt: skip
    pending: list[pa.Table] = []
    held: list[pa.Table] = []  # (utterance_id, content_hash) of every row read
    flushed = 0

    def flush() -> None:
        nonlocal flushed
        if pending:
            write_partitioned(storage, stage_dir, f"m-{flushed:05d}", pa.concat_tables(pending),
                              "speaker_key", partitions)  # fmt: skip
            flushed += 1
            pending.clear()

    for shard in due.shards:
        try:
            # (as_shard: a rotation before 2026-12-07 wrote its shards with a nullable speaker key)
            rows = as_shard(_read_verified(storage, dataset, shard))
        except ShardCorrupt as exc:
            raise CompactionRefused(f"not compacting {dataset}: {exc}") from exc
        pending.append(rows)
        held.append(rows.select(["utterance_id", "content_hash"]))
        if sum(t.num_rows for t in pending) >= _FLUSH_ROWS:
            flush()
    flush()
    listed = store.lineage_contents(dataset, live, [s["path"] for s in due.shards])
    rows = pa.concat_tables(held).sort_by("utterance_id")
    if rows.num_rows != listed.num_rows or not all(
        rows.column(c).combine_chunks().equals(listed.column(c).combine_chunks()) for c in listed.column_names
    ):
        raise CompactionRefused(
            f"not compacting {dataset}: the {len(due.shards)} shards to merge hold other rows than their ledger "
            f"rows ({sum(t.num_rows for t in held)} against {listed.num_rows}); governance_audit names the shards"
        )
    return partitions


def _recorder(store: GovernanceStore, dataset: str, live: str, due: Plan):
    """``Publication.record_ledger`` of a merge: the new shards' (speaker, shard) placement, and the
    merged lineages' ledger rows copied into it by the store."""
    from utterance_governance.io.store import LedgerMismatch

    def record(version: str, parts: Iterator[pa.Table]) -> int:
        pairs = [part.select(["speaker_key", "shard_path"]).group_by(["speaker_key", "shard_path"]).aggregate([])
                 for part in parts]  # fmt: skip
        placement = pa.concat_tables(pairs) if pairs else pa.table({"speaker_key": [], "shard_path": []})
        try:
            return store.copy_lineage_rows(dataset, version, live, [s["path"] for s in due.shards], placement,
                                           expected=due.rows)  # fmt: skip
        except LedgerMismatch as exc:
            raise CompactionRefused(f"not compacting {dataset}: {exc}") from exc

    return record


def _load(storage: Storage, stage_dir: str, partition: int) -> pa.Table:
    """One speaker partition of the merged rows, in the published order (``shards.SORT_KEYS``)."""
    return read_partition(storage, stage_dir, partition, S.SHARD).sort_by(SORT_KEYS)


def compacted_in_grace(
    storage: Storage, store: GovernanceStore, dataset: str, left: Mapping[str, Sequence[str]], now: datetime
) -> dict[str, str]:
    """Of the shards ``left`` behind (no longer live; each with the versions listing it), those a
    compaction merged whose grace period runs past ``now``, and that no purge has followed: shard ->
    the merge's version.

    The version that dropped a shard is the one published on top of the newest version listing it. A
    version that went live after the merge and removed rows (a purge or a re-key: ``replaces.revoke``)
    ends the grace period: the merged files may hold the rows it removed.
    """
    versions = [v for v in store.versions(dataset) if v["status"] in WENT_LIVE]
    order = {v["version"]: i for i, v in enumerate(versions)}
    children = {v["parent_version"]: v["version"] for v in versions if v.get("parent_version")}
    manifests: dict[str, dict] = {}

    def manifest(version: str) -> dict:
        if version not in manifests:
            manifests[version] = read_manifest(storage, dataset, version)
        return manifests[version]

    def in_grace(merge: str) -> bool:
        notes = manifest(merge).get("notes") or {}
        if notes.get("kind") != KIND or datetime.fromisoformat(notes["grace_until"]) <= now:
            return False
        later = [v["version"] for v in versions[order[merge] + 1 :]]
        return not any((manifest(v).get("replaces") or {}).get("revoke") for v in later)

    kept: dict[str, str] = {}
    for shard, listed_by in sorted(left.items()):
        child = children.get(max(listed_by))
        if child is not None and in_grace(child):
            kept[shard] = child
    return kept
