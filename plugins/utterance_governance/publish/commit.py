"""Versions and their commit protocol (SPEC §6): a version is visible only when complete.

Layout under ``published/<dataset>/``::

    current.json                       {"version": ..., "manifest": ..., "switched_at": ...}
    <version>/manifest.json            every live shard (new or carried over), checksums, counts
    <version>/shards/part-NNNNN.parquet

Publishing, under the dataset lock:

1. ``stage``  — the version is recorded ``staged`` in the governance store, with its input files;
2. ``shards`` — new shards are written (each atomically);
3. ``manifest`` — the manifest lists carried-over and new shards (and its inputs' landing partitions);
4. ``ledger`` — the version's ledger rows are recorded (still ``staged``);
5. ``switch`` — ``current.json`` is replaced in one atomic write: the only step readers see;
6. ``finalize`` — the store marks it live, the parent superseded (manifest too), input files processed.

A crash anywhere before 5 leaves the previous version live; ``reconcile`` (run first by
every publish or purge) drops the abandoned staged version and its files. A crash after 5
leaves the new version live and readable; ``reconcile`` finishes step 6. On object stores
every write is a whole-object PUT, and ``current.json`` is written last.

Before step 1, still under the lock, a ``recheck`` may re-decide the publication against
the privacy state of that moment: a batch decided before an opt-out or a deletion arrived
must not bring the customer back after a purge removed them (``purge.recheck``). A purge
(``purge.published``) holds the lock itself around its whole read → rewrite → switch → clean
section and hands it in as ``lock``, with the shards it writes again without some rows as
``Publication.rewrites``: each rewrite takes its old shard's place in the manifest and its
lineage in the ledger (``GovernanceStore.rewrite_shards``), so only the removed rows are
recorded, as ended in the new version.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from utterance_governance.io.storage import ObjectInfo, Storage
from utterance_governance.io.store import DatasetLock, GovernanceStore
from utterance_governance.privacy.keys import UNRECORDED, KeyMismatch, check_key, live_fingerprint
from utterance_governance.publish.shards import ShardInfo, order_for_shards, write_shard, write_shards
from utterance_governance.schema import TS

log = logging.getLogger(__name__)

Stage = Callable[[str], None]
Recheck = Callable[["Publication"], "Publication"]


def _no_stage(_: str) -> None:
    return None


@dataclass(frozen=True)
class DatasetPaths:
    dataset: str

    @property
    def root(self) -> str:
        return f"published/{self.dataset}"

    @property
    def current(self) -> str:
        return f"{self.root}/current.json"

    def manifest(self, version: str) -> str:
        return f"{self.root}/{version}/manifest.json"

    def shard(self, relative: str) -> str:
        return f"{self.root}/{relative}"


def _dumps(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def read_current(storage: Storage, dataset: str) -> dict | None:
    paths = DatasetPaths(dataset)
    if not storage.exists(paths.current):
        return None
    return json.loads(storage.read_bytes(paths.current))


def live_version(storage: Storage, dataset: str) -> str | None:
    """The version readers see: what ``current.json`` names (the one source of truth)."""
    current = read_current(storage, dataset)
    return current["version"] if current else None


def read_manifest(storage: Storage, dataset: str, version: str) -> dict:
    return json.loads(storage.read_bytes(DatasetPaths(dataset).manifest(version)))


def next_version(store: GovernanceStore, dataset: str) -> str:
    taken = [v["version"] for v in store.versions(dataset)]
    numbers = [int(v[1:]) for v in taken if v.startswith("v") and v[1:].isdigit()]
    return f"v{(max(numbers) + 1) if numbers else 1:06d}"


@dataclass(frozen=True)
class ShardRewrite:
    """A live shard written again without some of its rows (a purge): the new file continues
    the old one's lineage in the ledger, so its kept rows are not recorded again."""

    path: str  # the replaced shard, relative to the dataset folder
    keep: pa.Table  # the rows that stay (``schema.SHARD`` columns), in the shard's order
    removed: tuple[str, ...]  # utterance ids of the rows that go


@dataclass(frozen=True)
class Publication:
    """What a run asks to publish: new shard rows and what they were decided against."""

    run_id: str
    rows: pa.Table | None  # schema.SHARD rows to add (None: they come in ``parts``)
    counts: Mapping[str, int]  # decisions by reason for this run
    gate: Mapping[str, Any]  # GateResult.to_dict()
    privacy_snapshot: Mapping[str, Any]
    inputs: list[ObjectInfo]  # landing files the rows came from
    target_rows: int
    key_fingerprint: str  # of the pseudonym key the rows' speaker keys were made with
    notes: Mapping[str, Any] | None = None
    rewrites: tuple[ShardRewrite, ...] = ()  # live shards to write again without some rows
    # a night too large to hold: loaders of the new rows, one speaker partition each (no speaker in
    # two), written and recorded one after another; ``part_rows``: their rows in all
    parts: tuple[Callable[[], pa.Table], ...] = ()
    part_rows: int = 0
    # more fields of each new shard's manifest entry (a compaction's ``level``)
    shard_fields: Mapping[str, Any] | None = None
    # how the new shards' ledger rows are recorded, given the staged version and the parts' ledger
    # input (``_ledger_input``); the number recorded. None: ``insert_ledger_parts`` (a compaction
    # copies its rows' ledger rows in the store instead)
    record_ledger: Callable[[str, Iterator[pa.Table]], int] | None = None

    @property
    def new_rows(self) -> int:
        return self.rows.num_rows if self.rows is not None else self.part_rows


def publish_version(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    publication: Publication,
    *,
    replaces: Mapping[str, Any] | None = None,
    on_stage: Stage = _no_stage,
    lock_timeout_s: float = 600.0,
    lock: DatasetLock | None = None,
    recheck: Recheck | None = None,
    rotate_key_from: str | None = None,
    before_switch: Callable[[str], None] | None = None,
) -> dict | None:
    """Publish ``publication`` as a new version on top of the live one; return its manifest.

    Returns ``None`` (and publishes nothing) when there are no new rows and a live version already
    exists; the input files are still registered as processed. A dataset's first publication is
    written even when it holds no row. ``replaces`` (used by purges) names carried-over
    shards to drop and why. ``lock``: the dataset lock, already held by the caller (a purge);
    otherwise it is taken here. ``recheck``: called under the lock, after ``reconcile``, with
    the publication; what it returns is published (it may drop rows, or raise to publish nothing).
    ``rotate_key_from``: only for a re-key (``purge.rekey``): the fingerprint the live dataset must
    have, instead of the publication's own. ``before_switch``: called under the lock once the version is
    written (with its name), before it goes live; it raises to leave it staged (``reconcile`` removes it).
    """
    paths = DatasetPaths(dataset)
    holding = (
        contextlib.nullcontext(lock)
        if lock is not None
        else store.dataset_lock(dataset, owner=publication.run_id, timeout_s=lock_timeout_s)
    )
    with holding as lock:
        lock.assert_held()
        reconcile(storage, store, dataset)
        live = live_version(storage, dataset)
        recorded = live_fingerprint(read_manifest(storage, dataset, live) if live else None)
        if rotate_key_from is None:
            check_key(recorded, publication.key_fingerprint, where=f"publishing {dataset}")
        elif recorded not in (None, UNRECORDED, rotate_key_from):
            raise KeyMismatch(f"re-keying {dataset}: the live key is {recorded}, not {rotate_key_from}")
        if recheck is not None:
            publication = recheck(publication)
        dropped = set((replaces or {}).get("shards", ())) | {rw.path for rw in publication.rewrites}
        # nothing new: no version, but for a dataset's first night, whose empty version gives the
        # lake its outward shape (SPEC §6: a ``current.json`` naming a live manifest) from the start,
        # and for a re-key, whose version records the new key's fingerprint (an empty dataset's too)
        if publication.new_rows == 0 and not dropped and live is not None and rotate_key_from is None:
            store.mark_files_processed(publication.inputs, publication.run_id)
            return None
        parent = live_version(storage, dataset)
        parent_manifest = read_manifest(storage, dataset, parent) if parent else None
        version = next_version(store, dataset)
        created_at = datetime.now(UTC)
        store.record_version(
            dataset, version, parent, publication.run_id, created_at, paths.manifest(version), "staged",
            dict(publication.counts), inputs=publication.inputs,
            purge=(publication.notes or {}).get("kind") == "purge",
        )  # fmt: skip
        on_stage("stage")

        new_shards, new_rows = _write_new_shards(storage, store, dataset, version, publication)
        rewritten: dict[str, ShardInfo | None] = {}
        for index, rewrite in enumerate(publication.rewrites, start=len(new_shards)):
            path = f"{version}/shards/part-{index:05d}.parquet"
            rewritten[rewrite.path] = (
                write_shard(storage, paths.root, path, rewrite.keep) if rewrite.keep.num_rows else None
            )
        on_stage("shards")

        listed, carried = [], []  # the parent's order, each rewritten shard in its old place
        for shard in (parent_manifest or {}).get("shards", []):
            if shard["path"] in rewritten:
                if rewritten[shard["path"]] is not None:  # in its old shard's batch and level
                    listed.append({**rewritten[shard["path"]].to_dict(), **batch_fields(shard)})
            elif shard["path"] not in dropped:
                listed.append(shard)
                carried.append(shard)
        written = [{**s.to_dict(), **(publication.shard_fields or {})} for s in new_shards]
        manifest = {
            "dataset": dataset,
            "version": version,
            "parent_version": parent,
            "created_at": created_at.isoformat(),
            "run_id": publication.run_id,
            "status": "live",
            "key_fingerprint": publication.key_fingerprint,
            "shards": listed + written,
            "rows": sum(s["rows"] for s in listed + written),
            "new_rows": new_rows,
            "new_shards": [s.path for s in new_shards] + [s.path for s in rewritten.values() if s],
            "carried_over_shards": len(carried),
            "counts": dict(publication.counts),
            "privacy_snapshot": dict(publication.privacy_snapshot),
            "quality_gate": dict(publication.gate),
            "inputs": landing_partitions(publication.inputs),
        }
        if rewritten:
            manifest["rewritten_shards"] = {old: new.path if new else None for old, new in rewritten.items()}
        if replaces:
            manifest["replaces"] = dict(replaces)
        if publication.notes:
            manifest["notes"] = dict(publication.notes)
        storage.write_bytes(paths.manifest(version), _dumps(manifest))
        on_stage("manifest")

        if parent:
            store.carry_over(dataset, parent, version, exclude_shards=dropped)
        if rewritten:
            store.rewrite_shards(
                dataset,
                version,
                {old: new.path if new else None for old, new in rewritten.items()},
                {rewrite.path: rewrite.removed for rewrite in publication.rewrites},
            )
        on_stage("ledger")

        if before_switch is not None:
            before_switch(version)
        lock.assert_held()
        storage.write_bytes(
            paths.current,
            _dumps(
                {
                    "version": version,
                    "manifest": f"{version}/manifest.json",
                    "switched_at": created_at.isoformat(),
                }
            ),
        )
        on_stage("switch")

        finalize(storage, store, dataset, version)
        return manifest


def shard_batch(shard: Mapping[str, Any]) -> str:
    """The batch a manifest's shard entry belongs to: the version that wrote it (``publish.compact``)."""
    return shard.get("batch") or shard["path"].split("/", 1)[0]


def shard_level(shard: Mapping[str, Any]) -> int:
    """A shard entry's compaction level: 0 for a nightly publish's shards."""
    return int(shard.get("level") or 0)


def batch_fields(shard: Mapping[str, Any]) -> dict[str, Any]:
    """The batch and level a shard written again in ``shard``'s place keeps."""
    return {"batch": shard_batch(shard), "level": shard_level(shard)}


def _write_new_shards(
    storage: Storage, store: GovernanceStore, dataset: str, version: str, publication: Publication
) -> tuple[list[ShardInfo], int]:
    """Write the publication's new shards, one part at a time, and record their ledger rows (still
    ``staged``: a crash before the switch leaves them to ``reconcile``); (shards, rows). The store
    takes the parts' ledger rows as they come and records them together (``insert_ledger_parts``)."""
    root, target = DatasetPaths(dataset).root, publication.target_rows
    parts = publication.parts or ((lambda: publication.rows),)
    shards: list[ShardInfo] = []

    def ledger_parts() -> Iterator[pa.Table]:
        for load in parts:
            rows = load()
            if rows is None or rows.num_rows == 0:
                continue
            rows = order_for_shards(rows, target)  # the written order
            written = write_shards(storage, root, version, rows, target, first_index=len(shards))
            shards.extend(written)
            yield _ledger_input(rows, written)

    if publication.record_ledger is not None:
        return shards, publication.record_ledger(version, ledger_parts())
    return shards, store.insert_ledger_parts(dataset, version, ledger_parts())


def _ledger_input(rows: pa.Table, shards: list[ShardInfo]) -> pa.Table:
    shard_of_row = []
    for shard in shards:
        shard_of_row.extend([shard.path] * shard.rows)
    return pa.table(
        {
            "shard_path": pa.array(shard_of_row, pa.string()),
            "utterance_id": rows.column("utterance_id"),
            "speaker_key": rows.column("speaker_key"),
            "content_hash": rows.column("content_hash"),
            "captured_at": _captured_at(rows),
            "landed_at": rows.column("landed_at")
            if "landed_at" in rows.column_names
            else pa.nulls(rows.num_rows, TS),
            "locale": rows.column("locale"),
        }
    )


def _captured_at(rows: pa.Table) -> pa.Array:
    if "captured_at" in rows.column_names:
        return rows.column("captured_at")
    return rows.column("captured_date").cast(pa.timestamp("s")).cast(pa.timestamp("us", tz="UTC"))


# statuses of a version that went live (a staged or abandoned one never did)
WENT_LIVE = ("live", "superseded", "revoked")


def put_live_by(
    storage: Storage,
    store: GovernanceStore,
    dataset: str,
    run_id: str,
    *,
    purge: bool,
    dag_id: str | None = None,
) -> dict | None:
    """The manifest of the version ``run_id`` put live (live now, or superseded or revoked since),
    if it did: its purge's (``purge``) or its publish's. A retry past its switch finds it. Both
    kinds are asked for: Airflow names both DAGs' scheduled runs after their time
    ("scheduled__<D>T02:00:00+00:00"), so the hourly purge and the nightly publish may share one;
    and both DAGs purge (the nightly publish before it publishes), so a purge's is also asked for
    its DAG (``dag_id``; a manifest that names none is the privacy DAG's, as every purge was before
    the publish purged)."""
    for v in reversed(store.versions(dataset)):  # the latest: a run cleared may publish again
        if v["run_id"] == run_id and v["status"] in WENT_LIVE:
            manifest = read_manifest(storage, dataset, v["version"])
            notes = manifest.get("notes") or {}
            if (notes.get("kind") == "purge") != purge:
                continue
            if purge and dag_id is not None and purging_dag(manifest) != dag_id:
                continue
            return manifest
    return None


PRIVACY_DAG = "privacy_requests"


def purging_dag(manifest: dict) -> str:
    """The DAG whose purge made the version of ``manifest`` (the privacy DAG's when it names none)."""
    return str((manifest.get("notes") or {}).get("dag_id") or PRIVACY_DAG)


_DATE_FOLDER = re.compile(r"dt=\d{4}-\d{2}-\d{2}")


def landing_partitions(inputs: Iterable[ObjectInfo]) -> list[dict[str, Any]]:
    """A manifest's ``inputs``: each landing partition (``landing/utterances/dt=…``) the new rows were
    read from, with its files and bytes. Never a file's path: an export partitioned by customer names
    its customer there (``dt=…/customer_id=zed-4417/part-0.jsonl``; a folder above the date one is
    shown as ``*``), and the manifest is published; the paths are the store's (``version_inputs``)."""
    partitions: dict[str, dict[str, Any]] = {}
    for info in inputs:
        parts = info.path.split("/")
        date = next((i for i, part in enumerate(parts[:-1]) if i >= 2 and _DATE_FOLDER.fullmatch(part)), None)
        # the folders between the prefix and the date, any of which may be a customer's, as ``*``
        folder = "/".join(parts[:2] + ["*"] * (date - 2) + [parts[date]] if date is not None else parts[:2])
        entry = partitions.setdefault(folder, {"partition": folder, "files": 0, "bytes": 0})
        entry["files"] += 1
        entry["bytes"] += info.size
    return [partitions[folder] for folder in sorted(partitions)]


def version_inputs(
    store: GovernanceStore, dataset: str, version: str, manifest: Mapping[str, Any]
) -> list[ObjectInfo]:
    """The landing files ``version``'s new rows were read from: the store's record, or for a version
    published before the store kept them, the paths its manifest listed."""
    recorded = store.version_inputs(dataset, version)
    if recorded is not None:
        return recorded
    return [
        ObjectInfo(i["path"], i["size"], i["fingerprint"]) for i in manifest.get("inputs", []) if "path" in i
    ]


def finalize(storage: Storage, store: GovernanceStore, dataset: str, version: str) -> None:
    """Record ``version`` (already named by ``current.json``) live everywhere. Idempotent.

    The version's own status is written last: ``reconcile`` finishes a finalize that a crash cut
    short by seeing the store's live version differ from ``current.json``, so everything before it
    (its inputs processed, its parent superseded or revoked) is redone until that last write."""
    manifest = read_manifest(storage, dataset, version)
    parent = manifest.get("parent_version")
    parent_status = "revoked" if (manifest.get("replaces") or {}).get("revoke") else "superseded"
    inputs = version_inputs(store, dataset, version, manifest)
    if inputs:
        store.mark_files_processed(inputs, manifest["run_id"])
    if parent:
        store.set_version_status(dataset, parent, parent_status)
        _set_manifest_status(storage, dataset, parent, parent_status)
    store.set_version_status(dataset, version, "live")


def _set_manifest_status(
    storage: Storage, dataset: str, version: str, status: str, details: Mapping[str, Any] | None = None
) -> None:
    path = DatasetPaths(dataset).manifest(version)
    if not storage.exists(path):
        return
    manifest = json.loads(storage.read_bytes(path))
    changed = False
    if manifest.get("status") != status:
        manifest["status"] = status
        manifest[f"{status}_at"] = datetime.now(UTC).isoformat()
        changed = True
    for key, value in (details or {}).items():
        if manifest.get(key) != value:
            manifest[key] = value
            changed = True
    if changed:
        storage.write_bytes(path, _dumps(manifest))


def revoke_version(
    storage: Storage, store: GovernanceStore, dataset: str, version: str, details: Mapping[str, Any]
) -> None:
    """Mark a version that is not live ``revoked`` in the store and in its manifest (idempotent).

    ``details`` are recorded in the manifest (e.g. why, and which of its shard files are gone).
    """
    if version == live_version(storage, dataset):
        raise ValueError(f"version {version!r} of {dataset!r} is live: publish its replacement first")
    store.set_version_status(dataset, version, "revoked")
    _set_manifest_status(storage, dataset, version, "revoked", details)


def reconcile(storage: Storage, store: GovernanceStore, dataset: str) -> dict[str, list[str]]:
    """Bring the store in line with ``current.json`` after a crash. Call under the dataset lock.

    A staged version that ``current.json`` names is finalized; any other staged version
    was abandoned before its switch: its ledger rows and files are removed.
    """
    live = live_version(storage, dataset)
    done: dict[str, list[str]] = {"finalized": [], "abandoned": []}
    for row in store.versions(dataset):
        version = row["version"]
        if row["status"] != "staged":
            continue
        if version == live:
            finalize(storage, store, dataset, version)
            done["finalized"].append(version)
            continue
        store.delete_ledger_rows(dataset, version)
        storage.remove(f"{DatasetPaths(dataset).root}/{version}")
        store.set_version_status(dataset, version, "abandoned")
        done["abandoned"].append(version)
    if live and store.live_version(dataset) != live:
        finalize(storage, store, dataset, live)
        done["finalized"].append(live)
    if done["finalized"] or done["abandoned"]:
        log.warning("reconciled dataset %s after an interrupted run: %s", dataset, done)
    for row in store.versions(dataset):
        if row["inputs"] is None and row["status"] != "staged":
            _inputs_out_of_manifest(storage, store, dataset, row["version"])
    return done


def _inputs_out_of_manifest(storage: Storage, store: GovernanceStore, dataset: str, version: str) -> None:
    """A version recorded before revision 0009 lists its landing files' paths in its manifest, and a path
    may name its customer (``landing_partitions``): they move into the store, and the manifest is written
    again with the partitions instead, once (under the dataset lock, as ``reconcile`` runs)."""
    path = DatasetPaths(dataset).manifest(version)
    manifest = json.loads(storage.read_bytes(path)) if storage.exists(path) else {}
    listed = version_inputs(store, dataset, version, manifest)
    named = any("path" in item for item in manifest.get("inputs", []))

    def rewrite() -> None:
        if named:
            storage.write_bytes(path, _dumps({**manifest, "inputs": landing_partitions(listed)}))

    if store.move_version_inputs(dataset, version, listed, rewrite) and named:
        log.info("version %s of %s: its manifest names landing partitions now, not files", version, dataset)
