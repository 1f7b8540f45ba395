"""A version is visible only when complete: interrupt publishing at every stage, on both
store backends, and check the previous version stays live and readable and a re-run
converges to exactly what an uninterrupted run publishes."""

from __future__ import annotations

import functools
import hashlib
import shutil

import pytest

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs import publish as job
from utterance_governance.jobs.context import RunContext
from utterance_governance.publish import commit
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.settings import load_settings
from utterance_governance.synth.generator import generate_landing

DATASET = "assistant-sft"
STAGES = ["stage", "shards", "manifest", "ledger", "switch"]


class Crash(RuntimeError):
    pass


def run_job(root, url, run_id: str, crash_at: str | None = None, monkeypatch=None) -> dict:
    """The steps of utterances_publish, in order, as the DAG's tasks call them."""
    env = {
        "UG_DATA_ROOT": str(root),
        "UG_DATABASE_URL": url,
        "UG_PSEUDONYM_KEY": "k",
        "UG_ENV": "development",
    }
    with GovernanceStore(url) as store:  # the deployment's init step (`ug migrate-store`)
        store.migrate()
    ctx = RunContext.create(run_id, "utterances_publish", {}, load_settings(env))
    if crash_at:

        def crash(stage: str) -> None:
            if stage == crash_at:
                raise Crash(f"killed after {stage}")

        monkeypatch.setattr(job, "publish_version", functools.partial(commit.publish_version, on_stage=crash))
    else:
        monkeypatch.setattr(job, "publish_version", commit.publish_version)
    monkeypatch.setenv("UG_DATABASE_URL", url)
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "k")
    job.ingest_privacy(ctx)
    staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
    return job.publish(ctx, staged, job.gate_batch(ctx, staged))


def live_ids(root) -> set[str]:
    storage = Storage(str(root))
    current = read_current(storage, DATASET)
    manifest = read_manifest(storage, DATASET, current["version"])
    ids = []
    for shard in manifest["shards"]:
        data = storage.read_bytes(f"published/{DATASET}/{shard['path']}")
        assert hashlib.sha256(data).hexdigest() == shard["sha256"]
        table = storage.read_parquet(f"published/{DATASET}/{shard['path']}")
        assert table.num_rows == shard["rows"]
        ids += table.column("utterance_id").to_pylist()
    assert len(ids) == len(set(ids)), "an utterance is published twice"
    return set(ids)


@pytest.fixture
def first_version(tmp_path, store_url, monkeypatch):
    root = tmp_path / "lake"
    generate_landing(str(root), 600, seed=21, file_format="jsonl", days=1, files_per_day=2)
    run_job(root, store_url, "run-1", monkeypatch=monkeypatch)
    late = generate_landing(
        str(tmp_path / "late"), 300, seed=22, file_format="parquet", days=1, files_per_day=1
    )
    (rel,) = late.utterance_files
    Storage(str(root)).write_bytes(
        "landing/utterances/dt=2026-11-20/late.parquet", (tmp_path / "late" / rel).read_bytes()
    )
    return root


@pytest.fixture
def expected_after_late_file(first_version, tmp_path, monkeypatch):
    """What uninterrupted runs publish from the same landing files (fresh lake, fresh SQLite store)."""
    reference = tmp_path / "reference"
    shutil.copytree(first_version / "landing", reference / "landing")
    late = reference / "landing/utterances/dt=2026-11-20/late.parquet"
    held_back = tmp_path / "late.parquet"
    shutil.move(late, held_back)  # first run without the late file, as in the lake under test
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    run_job(reference, url, "reference-1", monkeypatch=monkeypatch)
    shutil.move(held_back, late)
    run_job(reference, url, "reference-2", monkeypatch=monkeypatch)
    return live_ids(reference)


@pytest.mark.parametrize("stage", STAGES)
def test_interrupted_publish_keeps_the_previous_version_and_a_rerun_converges(
    first_version, store_url, stage, monkeypatch, tmp_path
):
    root = first_version
    storage = Storage(str(root))
    before = read_current(storage, DATASET)["version"]
    ids_before = live_ids(root)

    with pytest.raises(Crash):
        run_job(root, store_url, "run-2", crash_at=stage, monkeypatch=monkeypatch)

    now = read_current(storage, DATASET)["version"]
    if stage == "switch":  # the switch happened: the new version is live and complete
        assert now != before and live_ids(root) > ids_before
    else:
        assert now == before and live_ids(root) == ids_before

    run_job(root, store_url, "run-2-retry", monkeypatch=monkeypatch)
    converged = live_ids(root)
    assert converged > ids_before

    store = GovernanceStore(store_url)
    statuses = {v["version"]: v["status"] for v in store.versions(DATASET)}
    live = read_current(storage, DATASET)["version"]
    assert statuses[live] == "live" and list(statuses.values()).count("live") == 1
    assert "staged" not in statuses.values()
    for version, status in statuses.items():
        if status == "abandoned":  # nothing of an abandoned version is left in the lake
            assert not storage.exists(f"published/{DATASET}/{version}")
    assert set(store.ledger_rows(DATASET, live).column("utterance_id").to_pylist()) == converged
    # the late file is registered as processed exactly once: another run changes nothing
    run_job(root, store_url, "run-3", monkeypatch=monkeypatch)
    assert read_current(storage, DATASET)["version"] == live


def test_rerun_converges_to_the_same_content_as_an_uninterrupted_run(
    first_version, store_url, expected_after_late_file, monkeypatch
):
    with pytest.raises(Crash):
        run_job(first_version, store_url, "run-2", crash_at="ledger", monkeypatch=monkeypatch)
    run_job(first_version, store_url, "run-2-retry", monkeypatch=monkeypatch)
    assert live_ids(first_version) == expected_after_late_file
