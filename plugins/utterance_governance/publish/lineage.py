"""Lineage to training: what the dataset's asset events say, and which training runs read which version.

A published version is announced to training jobs by an Airflow asset event (the DAG layer
emits it; ``ug_airflow.lineage``). Its extra is built here from the version's manifest:

- ``dataset_url`` and ``manifest``: absolute URLs (``file://`` for a local lake, ``s3://`` for an
  object store), so a training job anywhere can read the version without knowing the lake's layout;
- ``key_fingerprint``: of the pseudonym key the speaker keys were made with (the manifest's);
- the figures (rows, new rows, shards) and the quality gate's verdict.

A training job records the version it consumed (``consume_version``: the store's
``training_runs``). A purge that revokes versions announces them with the training runs that
consumed them (``revocation_announcement``): a model owner learns which models saw data that
may no longer be used, and from ``erase_copies`` whether their copies must be erased.

Nothing here names a customer or holds text.
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest, shard_batch
from utterance_governance.publish.compact import merged_versions

log = logging.getLogger(__name__)


class VersionNotUsable(RuntimeError):
    """A training job was pointed at a version it must not use (revoked, unknown, another key)."""


def lake_url(data_root: str, rel: str = "") -> str:
    """The absolute URL of ``rel`` inside the lake: ``file:///…`` for a local root, else the root's URL.

    The same rule as ``ug_airflow.dataset_asset`` (which may not import this package at parse time).
    """
    root = data_root.rstrip("/")
    if "://" not in root:
        root = Path(root).absolute().as_uri()
    rel = rel.lstrip("/")
    return f"{root}/{rel}" if rel else root


def dataset_url(data_root: str, dataset: str) -> str:
    """The published dataset's URL: the Asset's URI."""
    return lake_url(data_root, DatasetPaths(dataset).root)


def manifest_url(data_root: str, dataset: str, version: str) -> str:
    return lake_url(data_root, DatasetPaths(dataset).manifest(version))


def _gate_summary(gate: Mapping[str, Any] | None) -> dict[str, Any]:
    gate = gate or {}
    return {k: gate[k] for k in ("success", "skipped", "evaluated", "failed") if k in gate}


def publish_announcement(
    storage: Storage, data_root: str, dataset: str, published: Mapping[str, Any]
) -> dict:
    """The extra of the asset event for a newly published version (``jobs.publish.publish``'s result)."""
    version = published["version"]
    manifest = read_manifest(storage, dataset, version)
    parent = published.get("parent_version")
    return {
        "version": version,
        "parent_version": parent,
        "rows": published["rows"],
        "new_rows": published.get("new_rows"),
        "shards": published.get("shards"),
        "dataset": dataset,
        "dataset_url": dataset_url(data_root, dataset),
        "manifest": manifest_url(data_root, dataset, version),
        "manifest_path": DatasetPaths(dataset).manifest(version),
        "parent_manifest": manifest_url(data_root, dataset, parent) if parent else None,
        "key_fingerprint": manifest.get("key_fingerprint"),
        "quality_gate": _gate_summary(manifest.get("quality_gate")),
        "counts": dict(manifest.get("counts") or {}),
    }


def consumers(store: GovernanceStore, dataset: str, versions: Iterable[str]) -> list[dict[str, Any]]:
    """The training runs that consumed any of ``versions`` (JSON-ready, newest first)."""
    return [
        {
            "dag_id": r["dag_id"],
            "run_id": r["run_id"],
            "version": r["version"],
            "consumed_at": r["consumed_at"].isoformat(),
        }
        for r in store.training_runs(dataset, versions=versions)
    ]


def revocation_announcement(
    storage: Storage, store: GovernanceStore, data_root: str, dataset: str, purged: Mapping[str, Any]
) -> dict:
    """The extra of the asset event of a purge: the new version, the versions it revoked and the
    training runs that consumed them (``purge.published.purge_published``'s result)."""
    revoked = sorted({purged["parent_version"], *(purged.get("cleanup") or {}).get("revoked_versions", [])})
    version = purged["version"]
    manifest = read_manifest(storage, dataset, version)
    # versions whose files a compaction merged into the shards this purge rewrote: revoked when their
    # files went, their training runs still hold the rows the purge removed
    parent = read_manifest(storage, dataset, purged["parent_version"])
    replaced = purged.get("shards_replaced") or []
    merged = sorted(merged_versions(storage, dataset, parent, replaced) - set(revoked))
    # the versions since each replaced shard's batch first wrote it: they all carried its lineage, though an
    # earlier purge may have written it again since (an opt-out of another customer of the shard: their
    # listing of the old file is gone with it, and they were told to stop using it, not to erase it)
    by_path = {s["path"]: s for s in parent.get("shards", [])}
    first = min((shard_batch(by_path[p]) for p in replaced if p in by_path), default=purged["parent_version"])
    between = {
        v["version"] for v in store.versions(dataset) if first <= v["version"] <= purged["parent_version"]
    }
    carried = sorted(between - set(revoked) - set(merged))  # (version names are fixed-width: they sort)
    return {
        "version": version,
        "replaces": purged["parent_version"],
        "replaced_status": purged["replaced_status"],
        "reason": purged["reason"],
        "erase_copies": purged["erase_copies"],
        "rows": purged["rows"],
        "rows_removed": purged["rows_removed"],
        "shards": purged["shards"],
        "dataset": dataset,
        "dataset_url": dataset_url(data_root, dataset),
        "manifest": manifest_url(data_root, dataset, version),
        "manifest_path": purged["manifest"],
        "key_fingerprint": manifest.get("key_fingerprint"),
        "revoked_versions": revoked,
        "revoked_manifests": [manifest_url(data_root, dataset, v) for v in revoked],
        "merged_versions": merged,
        "carried_versions": carried,
        "training_runs": consumers(store, dataset, [*revoked, *merged, *carried]),
    }


def privacy_announcement(
    storage: Storage, store: GovernanceStore, data_root: str, dataset: str, purged: Mapping[str, Any]
) -> dict | None:
    """The extra of the asset event of a privacy run's purge (``purge.published.purge_published``'s result), or
    None when there is nothing to announce: a new version (``revocation_announcement``), and the versions an
    earlier opt-out revoked of a speaker a deletion now names (``purge.withdrawn``: their training runs are told
    to erase them, with the new version's announcement or alone when the purge made none)."""
    from utterance_governance.purge.withdrawn import erased_versions, erasure_announcement

    records = list(purged.get("erase_withdrawn") or [])
    if purged.get("dry_run") or not (purged.get("new_version") or records):
        return None
    if not purged.get("new_version"):
        return erasure_announcement(store, data_root, dataset, purged.get("version"), records)
    extra = revocation_announcement(storage, store, data_root, dataset, purged)
    if records:
        erased = erased_versions(store, dataset, records)
        named = {*extra["revoked_versions"], *extra["merged_versions"], *extra["carried_versions"], *erased}
        extra.update(
            erase_copies=True, erased_versions=erased, training_runs=consumers(store, dataset, sorted(named))
        )
    return extra


def _read_url(url: str) -> bytes:
    import fsspec

    with fsspec.open(url, "rb") as fh:
        return fh.read()


def consume_version(
    store: GovernanceStore,
    data_root: str,
    dataset: str,
    *,
    dag_id: str,
    run_id: str,
    announced: Mapping[str, Any] | None,
    key_fingerprint: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """What a training run does with an announcement: resolve the version, check it may be used,
    and record that this run consumed it. Returns what it used (shard URLs included).

    ``announced``: the asset event's extra; None (a manual run): the live version. The manifest is
    read through its absolute URL, as a training job elsewhere would. A revoked version, or one made
    with another pseudonym key than ``key_fingerprint`` (when given), is refused.
    """
    if announced and announced.get("manifest") and "://" in announced["manifest"]:
        url = announced["manifest"]
    else:
        current = read_current(Storage(data_root), dataset)
        if current is None:
            raise VersionNotUsable(f"dataset {dataset!r} has no live version to train on")
        url = manifest_url(data_root, dataset, current["version"])
    manifest = json.loads(_read_url(url))
    version = manifest["version"]
    status = {v["version"]: v["status"] for v in store.versions(dataset)}.get(version)
    if status in (None, "revoked", "abandoned", "staged") or manifest.get("status") == "revoked":
        raise VersionNotUsable(f"{dataset} {version} is {status or 'unknown'}: it must not be trained on")
    recorded = manifest.get("key_fingerprint")
    if announced and announced.get("key_fingerprint") not in (None, recorded):
        raise VersionNotUsable(
            f"the announcement's key fingerprint {announced['key_fingerprint']} is not the manifest's {recorded}"
        )
    if key_fingerprint is not None and recorded != key_fingerprint:
        raise VersionNotUsable(f"{dataset} {version} was made with key {recorded}, not {key_fingerprint}")
    base = posixpath.dirname(posixpath.dirname(url))  # …/published/<dataset>
    shards = [f"{base}/{s['path']}" for s in manifest["shards"]]
    consumed_at = now or datetime.now(UTC)
    store.record_training_run(
        dataset, version, dag_id=dag_id, run_id=run_id, consumed_at=consumed_at, manifest_url=url,
        key_fingerprint=recorded, rows=manifest["rows"],
        details={"shards": len(shards), "announced": bool(announced), "status_at_consumption": status},
    )  # fmt: skip
    # recorded first, then looked at again: a purge revoking the version between the look above and the
    # record announced a revocation that could not name this run, so the run must not train on it (the
    # record stays: the governance view lists it under the revoked version)
    after = {v["version"]: v["status"] for v in store.versions(dataset)}.get(version)
    if after in (None, "revoked", "abandoned", "staged"):
        raise VersionNotUsable(f"{dataset} {version} became {after or 'unknown'} while this run consumed it: it must "
                               "not be trained on")  # fmt: skip
    log.info("%s %s consumed %s %s (%d rows in %d shards, key %s)", dag_id, run_id, dataset, version,
             manifest["rows"], len(shards), recorded)  # fmt: skip
    return {"version": version, "manifest": url, "rows": manifest["rows"], "shards": shards,
            "key_fingerprint": recorded, "status": status}  # fmt: skip
