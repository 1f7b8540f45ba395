"""A version a compaction superseded, in its grace period, never lists files its manifest no longer describes:
a privacy run that erases deleted rows from them (a shard has no capture time, so a range deletion erases its
customer's rows whole) revokes the version first."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, line

import utterance_governance.jobs.publish as publish_mod
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest

DATASET = "assistant-sft"
DAYS = ("2026-11-18", "2026-11-19")


@pytest.fixture
def clake(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"compaction_fanout": 2, "shard_target_rows": 2, "compaction_grace_hours": 48})
    )
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(policy))


def publish_nights_and_compact(lake: Lake) -> dict:
    for n, day in enumerate(DAYS):
        lake.storage.write_bytes(
            f"landing/utterances/dt={day}/n{n}.jsonl",
            b"".join(
                line(f"u{n}-{c}", c, f"what is the weather number {n} {c}").replace(
                    b"2026-11-20", day.encode()
                )
                for c in ("amy", "bob", "cat")
            ),
        )
        lake.publish()
    with lake._environment():
        result = publish_mod.compact(lake.context("utterances_publish"))
    assert result["new_version"], result
    return result


def mismatches(lake: Lake, version: str) -> list[str]:
    """The shards of ``version`` whose file is missing or does not match the manifest (sha256, bytes, rows)."""
    storage = lake.storage
    manifest = read_manifest(storage, DATASET, version)
    bad = []
    for shard in manifest["shards"]:
        path = DatasetPaths(DATASET).shard(shard["path"])
        if not storage.exists(path):
            bad.append(f"{shard['path']}: missing")
            continue
        data = storage.read_bytes(path)
        if hashlib.sha256(data).hexdigest() != shard["sha256"] or len(data) != shard["bytes"]:
            bad.append(f"{shard['path']}: checksum")
        rows = storage.read_parquet(path).num_rows
        if rows != shard["rows"]:
            bad.append(f"{shard['path']}: {rows} rows, manifest {shard['rows']}")
    return bad


def test_a_superseded_version_in_its_grace_period_keeps_files_matching_its_manifest_after_a_privacy_run(
    clake,
):
    """Expected: while a version superseded by a compaction is in its grace period and not revoked (a training
    job may be reading it: docs/publishing.md "Compaction by speaker"), its shards match its manifest (sha256, bytes,
    rows), or, if a privacy run must change them, the version is revoked first.
    Before: a range deletion that covers none of the customer's live rows left the live version alone
    (purge_published removed nothing, so the grace period went on), but the copies purge
    (purge.traces._published_files) rewrote the merged-away shard files in place, without the customer's
    rows: the superseded version (store and manifest still 'superseded') listed shards whose sha256 and
    row counts were wrong, so a training job reading it failed its row check or silently got other data."""
    publish_nights_and_compact(clake)
    with clake.store() as store:
        old = [v["version"] for v in store.versions(DATASET) if v["status"] == "superseded"]
    assert old and all(mismatches(clake, v) == [] for v in old)
    live_before = read_current(clake.storage, DATASET)["version"]

    # amy asks to delete a week in which she said nothing
    clake.storage.write_bytes(
        "landing/deletions/d1.jsonl",
        deletion("d1", "amy", "range", **{"from": "2026-11-01T00:00:00Z", "to": "2026-11-07T23:59:59Z"}),
    )
    clake.privacy()

    assert read_current(clake.storage, DATASET)["version"] == live_before  # nothing live was removed
    with clake.store() as store:
        status = {v["version"]: v["status"] for v in store.versions(DATASET)}
    broken = {v: mismatches(clake, v) for v in old if status[v] != "revoked"}
    assert all(not b for b in broken.values()), broken
    revoked = [v for v in old if status[v] == "revoked"]
    assert revoked, status  # (the files were written again: their versions revoked first)
    assert all(read_manifest(clake.storage, DATASET, v)["status"] == "revoked" for v in revoked)
