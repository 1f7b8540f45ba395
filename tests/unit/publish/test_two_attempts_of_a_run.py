"""Two attempts of one publish run at once: a zombie (its worker lost, its process still going) and the run
cleared and started again by the operator, with the same run id and so the same staging folder.

The cleared attempt's ``discover_files`` starts the staging afresh and names itself in it; a step of the
zombie that comes after finds the staging no longer its own and stops (``StagingReplaced``) instead of
taking the new attempt's rows, or their absence, for its own: before, a zombie inside its publish switched
a version with none of the night's rows (its partitions removed under it), counted them
``deletion_requested`` with no deletion there, and marked the files processed: the night was never published.
"""

from __future__ import annotations

import functools
import hashlib

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.jobs import publish
from utterance_governance.publish import commit
from utterance_governance.publish.commit import read_current, read_manifest

DATASET = "assistant-sft"
T = "2026-11-20T10:00:00Z"


def _line(uid: str, customer: str, text: str) -> bytes:
    return line(uid, customer, text, captured_at=T)  # (``test_every_copy_edges.line``)


FIRST = {
    "u-al-1": ("cust-al", "remind me about the lesson"),
    "u-bo-1": ("cust-bo", "what is the weather in lisbon"),
}
SECOND = {
    "u-al-2": ("cust-al", "order more jam please"),
    "u-ca-1": ("cust-ca", "play the radio in the kitchen"),
    "u-bo-2": ("cust-bo", "set a timer for ten minutes"),
}


def _land(lake: Lake, dt: str, name: str, rows: dict) -> None:
    body = b"".join(_line(uid, customer, text) for uid, (customer, text) in rows.items())
    lake.storage.write_bytes(f"landing/utterances/dt={dt}/{name}", body)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    _land(lake, "2026-11-20", "a.jsonl", FIRST)
    lake.publish()
    _land(lake, "2026-11-21", "b.jsonl", SECOND)
    return lake


def _live_ids(lake: Lake) -> list[str]:
    """The live rows' ids, each shard's checksum verified (a row twice shows twice)."""
    manifest = read_manifest(lake.storage, DATASET, read_current(lake.storage, DATASET)["version"])
    ids = []
    for shard in manifest["shards"]:
        path = f"published/{DATASET}/{shard['path']}"
        assert hashlib.sha256(lake.storage.read_bytes(path)).hexdigest() == shard["sha256"], path
        ids += lake.storage.read_parquet(path).column("utterance_id").to_pylist()
    return sorted(ids)


def _lock_free(lake: Lake) -> bool:
    with lake.store() as store:
        return store.lock_holder(DATASET) is None


def test_a_zombie_publish_beside_its_cleared_run_stops_and_the_cleared_run_publishes_the_night(
    lake, monkeypatch
):
    ctx = lake.context("utterances_publish")
    cleared: dict = {}

    def meanwhile(stage: str) -> None:
        if stage == "stage" and not cleared:  # the zombie is inside publish_version, under the lock
            cleared["ingested"] = publish.ingest_privacy(ctx)
            cleared["staged"] = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]

    with lake._environment():
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        monkeypatch.setattr(
            publish, "publish_version", functools.partial(commit.publish_version, on_stage=meanwhile)
        )
        with pytest.raises(publish.StagingReplaced):
            publish.publish(ctx, staged, gated)
        monkeypatch.setattr(publish, "publish_version", commit.publish_version)
        assert _live_ids(lake) == sorted(FIRST)  # the zombie's version never went live
        gated = publish.gate_batch(ctx, cleared["staged"])
        published = publish.publish(ctx, cleared["staged"], gated)
        publish.write_report(ctx, cleared["ingested"], published)
    assert _live_ids(lake) == sorted([*FIRST, *SECOND])
    assert published["counts"].get("deletion_requested", 0) == 0, published["counts"]
    lake.publish()  # the next night: nothing new, nothing lost
    assert _live_ids(lake) == sorted([*FIRST, *SECOND])
    assert _lock_free(lake)


def test_a_zombie_step_after_the_run_was_cleared_stages_nothing_into_the_new_attempt(lake):
    ctx = lake.context("utterances_publish")
    with lake._environment():
        publish.ingest_privacy(ctx)
        zombie_files = publish.discover_files(ctx)
        fresh_files = publish.discover_files(ctx)  # the run cleared: its discovery runs again
        with pytest.raises(publish.StagingReplaced):
            publish.process_file(ctx, zombie_files[0])
        with pytest.raises(publish.StagingReplaced):
            publish.dedup_content(
                ctx, {"partition": 0, "partitions": 1, "attempt": zombie_files[0]["attempt"]}
            )
        staged = [publish.process_file(ctx, f) for f in fresh_files]
        published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
    assert published["new_rows"] == len(SECOND)
    assert _live_ids(lake) == sorted([*FIRST, *SECOND])


def test_a_failed_publish_retried_in_the_same_attempt_still_publishes(lake, monkeypatch):
    """Clearing only the failed ``publish`` task (the usual retry) keeps the attempt: its staging is its own."""
    ctx = lake.context("utterances_publish")

    def fail_once(stage: str) -> None:
        if stage == "ledger":
            raise RuntimeError("worker lost")

    with lake._environment():
        publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        gated = publish.gate_batch(ctx, staged)
        monkeypatch.setattr(
            publish, "publish_version", functools.partial(commit.publish_version, on_stage=fail_once)
        )
        with pytest.raises(RuntimeError, match="worker lost"):
            publish.publish(ctx, staged, gated)
        monkeypatch.setattr(publish, "publish_version", commit.publish_version)
        publish.publish(ctx, staged, gated)
    assert _live_ids(lake) == sorted([*FIRST, *SECOND])


def test_items_of_an_earlier_release_name_no_attempt_and_are_not_checked(lake):
    ctx = lake.context("utterances_publish")
    with lake._environment():
        publish.ingest_privacy(ctx)
        files = [{k: v for k, v in f.items() if k != "attempt"} for f in publish.discover_files(ctx)]
        staged = [publish.process_file(ctx, f) for f in files]
        publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
    assert _live_ids(lake) == sorted([*FIRST, *SECOND])
