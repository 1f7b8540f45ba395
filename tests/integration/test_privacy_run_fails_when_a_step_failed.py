"""privacy_requests and the dataset lock: a purge step that cannot take the lock (a publish holds it)
must fail the run, not leave it green."""

from __future__ import annotations

import json
import threading

import pytest

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.io.store.locks import LockTimeout
from utterance_governance.purge.receipts import PurgeIncomplete
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"


def test_purge_copies_timing_out_on_the_lock_fails_the_run(run_dag, lake_env, monkeypatch, task_errors):
    """Expected: when purge_copies cannot take the dataset lock (a publish took it after purge_published
    released it) and fails with LockTimeout, the privacy_requests run is failed (its on_failure_callback
    records it failed, the grid shows red).
    Before: the run is marked SUCCESS: purge_copies is not upstream of any leaf task that runs only on
    success (the leaves are announce, which depends on purge_published alone, and check_deadlines with
    trigger_rule ALL_DONE), so Airflow's leaf-based run state ignores the failed purge
    (dags/privacy_requests.py wiring)."""
    generate_landing(str(lake_env), 300, seed=5, file_format="jsonl", days=1, files_per_day=1)
    assert run_dag("utterances_publish").state == "success"
    storage = Storage(str(lake_env))
    request = {"request_id": "review-del-1", "customer_id": "cus-review-nobody", "scope": "all",
               "requested_at": "2026-12-01T00:00:00Z"}  # fmt: skip
    storage.write_bytes("landing/deletions/review-del-1.jsonl", json.dumps(request).encode() + b"\n")

    from utterance_governance.jobs import privacy

    monkeypatch.setattr(privacy, "LOCK_TIMEOUT_S", 1.0)
    holder = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    held, release = threading.Event(), threading.Event()

    def a_publish_holding_the_lock():
        with holder.dataset_lock(DATASET, owner="utterances_publish/another-run", timeout_s=30):
            held.set()
            release.wait(120)

    original = privacy.purge_published

    def purge_then_a_publish_takes_the_lock(ctx):
        out = original(ctx)
        threading.Thread(target=a_publish_holding_the_lock, daemon=True).start()
        assert held.wait(30)
        return out

    monkeypatch.setattr(privacy, "purge_published", purge_then_a_publish_takes_the_lock)
    try:
        run = run_dag("privacy_requests")
    finally:
        release.set()
    assert {t: type(e) for t, e in task_errors.items()} == {
        "purge_copies": LockTimeout,
        "any_step_failed": PurgeIncomplete,
    }
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["purge_copies"] == "failed"
    assert run.state == "failed", states
    holder.dispose()
