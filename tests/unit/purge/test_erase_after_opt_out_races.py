"""A deletion taken in while an opt-out's purge is under way (the nightly publish's intake takes no dataset lock),
or by a worker whose clock lags: the record's purge dated itself after the state it read, the deletion's intake by
its own worker's clock, and "taken in after" compared the two clocks; such a deletion was never announced as an
erasure. A record now keeps the largest deletion intake batch its purge's state could hold (intakes run one at a
time), and a deletion of a later batch is due, whatever the clocks. On both store backends."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_erase_after_opt_out import announce, published_and_trained, told_to_erase
from tests.unit.purge.test_every_copy_edges import deletion, opt_out, receipt

DATASET = "assistant-sft"


@pytest.fixture
def lake(tmp_path, store_url):
    """A lake on each store backend (SQLite, PostgreSQL)."""
    from tests.pipeline import Lake

    return Lake(str(tmp_path / "lake"), store_url)


def test_a_deletion_taken_in_by_the_nightly_intake_during_the_opt_out_purge_is_announced(lake, monkeypatch):
    from utterance_governance.jobs import publish
    from utterance_governance.purge import published

    used = published_and_trained(lake)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))

    original = published.shard_rewrites
    done = []
    night = lake.context("utterances_publish")

    def nightly_intake_meanwhile(*args, **kwargs):
        # the customer's deletion lands and the nightly publish's intake (no dataset lock) takes it in
        # while this purge reads and rewrites the affected shards (after its state was read)
        if not done:
            done.append(True)
            lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
            with lake._environment():
                done.append(publish.ingest_privacy(night))
        return original(*args, **kwargs)

    monkeypatch.setattr(published, "shard_rewrites", nightly_intake_meanwhile)
    first = lake.privacy(check_deadlines=False)["published"]
    monkeypatch.setattr(published, "shard_rewrites", original)
    assert done and first["new_version"]
    told = [announce(lake, first)]
    # the night's publish finishes (its other steps); the hourly privacy runs go on
    with lake._environment():
        staged = [publish.process_file(night, f) for f in publish.discover_files(night)]
        publish.write_report(
            night, done[1], publish.publish(night, staged, publish.gate_batch(night, staged))
        )
    for _ in range(2):
        told.append(announce(lake, lake.privacy(check_deadlines=False)["published"]))
    assert receipt(lake, "d1")["status"] == "completed"
    erased = told_to_erase(told)
    assert ("t1", used["version"]) in erased, (
        "zed's deletion is completed, yet training run t1 (which consumed a version with zed's rows) was only "
        f"ever told to stop using it, never to erase it: {told}"
    )


def test_a_deletion_taken_in_after_the_opt_out_by_a_worker_whose_clock_lags_is_announced(lake, monkeypatch):
    """``record_withdrawn_speakers`` says it records "the store's clock, as deletions' intake times", but both are
    ``utcnow()`` of the worker that runs the step: the privacy run's worker records the withdrawal, the nightly
    publish's worker (another host) takes the deletion in. A publish worker whose clock is 90 s behind takes in,
    seconds after the opt-out's purge, a deletion the store dates before the record: never due."""
    from datetime import timedelta

    from tests.unit.purge.test_erase_after_opt_out import _trained_then_opted_out

    from utterance_governance.io.store import base as store_base
    from utterance_governance.io.store import privacy as store_privacy

    used = _trained_then_opted_out(lake)  # (the opt-out's purge recorded its withdrawal)
    lagging = lambda: store_base.utcnow() - timedelta(seconds=90)  # noqa: E731  (the other host's clock)
    monkeypatch.setattr(store_privacy, "utcnow", lagging)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.take_in()  # the nightly publish's intake takes the deletion in (its worker's clock)
    monkeypatch.undo()
    told = [announce(lake, lake.privacy(check_deadlines=False)["published"]) for _ in range(2)]
    assert receipt(lake, "d1")["status"] == "completed"
    erased = told_to_erase(told)
    assert ("t1", used["version"]) in erased, f"never told to erase: {told}"
