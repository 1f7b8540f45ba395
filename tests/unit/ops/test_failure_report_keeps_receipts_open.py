"""The DAG's failure callback writes ``failure.json``, a copy of the gate's samples (they name utterances), after
the run's steps stopped (a failed gate drops its mark at once): a privacy run searching between the two
completed its receipt, and the failure report written after named the deleted utterance. The callback marks
the run in flight again while it writes, and records its end after its last write."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

import utterance_governance.jobs.failures as failures
from utterance_governance.io.storage import Storage


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def test_a_failure_report_written_after_a_privacy_runs_search_keeps_its_receipt_open(lake, monkeypatch):
    import utterance_governance.decide as decide
    from utterance_governance.jobs.publish import GateFailed

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-gone-77", "zed", "mail me at zed.person@example.com please")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    captured = {}
    real_context = lake.context

    def context(dag_id, *a, **k):
        ctx = real_context(dag_id, *a, **k)
        captured.setdefault(dag_id, ctx)
        return ctx

    monkeypatch.setattr(lake, "context", context)
    with monkeypatch.context() as m:  # a redaction regression: the gate stops the batch
        m.setattr(decide, "redact_array", lambda values, *a, **k: values)
        with pytest.raises(GateFailed):
            lake.publish()
    pub = captured["utterances_publish"]
    gate = json.loads(lake.storage.read_bytes(f"reports/{pub.run_key}/gate.json"))
    assert "u-gone-77" in json.dumps(gate)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))

    ran = {}

    class Interleaved(Storage):
        def read_bytes(self, path, *a, **k):
            data = super().read_bytes(path, *a, **k)
            if path.endswith("/gate.json") and not ran:
                # the callback has recorded the end and removed the mark; the hourly privacy run runs now
                ran["privacy"] = lake.privacy()
            return data

    monkeypatch.setattr(failures, "Storage", Interleaved)
    with lake._environment():
        failures.record_failed_run("utterances_publish", pub.run_id, ["gate_batch"], reason="gate failed")
    assert ran
    left = left_in_lake(lake, "u-gone-77")
    assert not (receipt(lake, "d1")["status"] == "completed" and left), left
