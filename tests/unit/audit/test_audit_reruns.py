"""A cleared audit run and checks that race a purge: the audit passes only on findings of this
attempt, about one live version."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs import audit
from utterance_governance.publish.commit import read_current, read_manifest

DT = "landing/utterances/dt=2026-11-20"
TEXTS = ["what time does the bakery open", "play some jazz in the kitchen", "turn off the hallway lights"]


def seeded(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", b"".join(
        json.dumps({"utterance_id": f"u{i}", "customer_id": f"c{i}", "captured_at": "2026-11-20T10:00:00Z",
                    "locale": "en-US", "transcript": f"{text} number {i}", "response": "Done.",
                    "asr_confidence": 0.9}).encode() + b"\n"
        for i, text in enumerate(TEXTS)
    ))  # fmt: skip
    lake.publish()
    return lake


def delete_all(lake: Lake, customer: str) -> None:
    asked = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(
        {"request_id": "req-1", "customer_id": customer, "scope": "all", "requested_at": asked}).encode() + b"\n")  # fmt: skip


def test_a_cleared_check_that_fails_leaves_the_audit_incomplete(tmp_path, store_url, monkeypatch):
    lake = seeded(tmp_path, store_url)
    with lake._environment():
        ctx = lake.context("governance_audit")
        for check in (audit.check_publication, audit.scan_live_rows, audit.check_deadlines):
            check(ctx)
        assert audit.write_findings(ctx)["passed"]
        delete_all(lake, "c1")  # a deletion ingested, not yet purged: a live row it covers
        from utterance_governance.jobs import publish

        publish.ingest_privacy(lake.context("utterances_publish"))

        def times_out(*args, **kwargs):
            raise TimeoutError("the dataset lock was not free in time")

        monkeypatch.setattr(audit, "_consistent_view", times_out)
        audit.check_deadlines(ctx)  # the operator cleared the run's checks; the row scan fails now
        with pytest.raises(TimeoutError):
            audit.scan_live_rows(ctx)
        result = audit.write_findings(ctx)
    assert not result["passed"] and "rows" in result["incomplete"]


def test_prepare_of_a_cleared_run_removes_the_earlier_findings(tmp_path, store_url):
    lake = seeded(tmp_path, store_url)
    with lake._environment():
        ctx = lake.context("governance_audit")
        audit.scan_live_rows(ctx)
        assert lake.storage.exists(f"reports/{ctx.run_key}/audit/rows.json")
        audit.prepare(ctx.run_id, {})
        assert not lake.storage.exists(f"reports/{ctx.run_key}/audit/rows.json")


def test_checks_that_read_different_versions_do_not_pass(tmp_path, store_url):
    lake = seeded(tmp_path, store_url)
    with lake._environment():
        ctx = lake.context("governance_audit")
        audit.check_publication(ctx)  # reads v000001
        delete_all(lake, "c1")
        lake.privacy()  # the hourly purge switches v000002 live meanwhile
        live = read_current(lake.storage, "assistant-sft")["version"]
        shard = read_manifest(lake.storage, "assistant-sft", live)["shards"][0]["path"]
        lake.storage.remove(f"published/assistant-sft/{shard}")  # and a shard of it is lost
        audit.scan_live_rows(ctx)  # reads v000002 (a missing shard is check_publication's to name)
        audit.check_deadlines(ctx)
        result = audit.write_findings(ctx)
    assert live == "v000002" and not result["passed"]
    assert "different live versions" in result["message"]


def test_a_privacy_file_no_run_took_in_fails_the_audit_once_it_waited_past_a_run(tmp_path, store_url):
    """The audit reads the store only: with privacy_requests paused, a delete-all waiting in landing was
    invisible (the audit passed 40 days on, with no deadline warning)."""
    import os

    lake = seeded(tmp_path, store_url)
    delete_all(lake, "c0")
    lake.audit()  # just arrived: the next hourly run takes it in
    path = os.path.join(lake.root, "landing/deletions/d.jsonl")
    three_hours_ago = (datetime.now(UTC) - timedelta(hours=3)).timestamp()
    os.utime(path, (three_hours_ago, three_hours_ago))
    with pytest.raises(audit.AuditFailed, match="privacy_file_waiting"):
        lake.audit()
    lake.privacy()
    lake.audit()  # taken in, purged: nothing waits


def test_a_live_dataset_of_another_name_fails_the_audit(tmp_path, store_url):
    """After UG_DATASET changed, the old dataset stayed live and loadable, with an opted-out customer's
    rows: the privacy runs purge the configured dataset only, and the audit passed."""
    lake = seeded(tmp_path, store_url)
    current = lake.storage.read_bytes("published/assistant-sft/current.json")
    lake.storage.write_bytes("published/assistant-sft-old/current.json", current)
    with pytest.raises(audit.AuditFailed, match="other_dataset_live"):
        lake.audit()
    lake.storage.remove("published/assistant-sft-old/current.json")  # retired
    lake.audit()


def test_an_unreadable_privacy_file_an_operator_acknowledged_no_longer_fails_the_audit(tmp_path, store_url):
    """It is never taken in (read again on every run), and acknowledging it is the documented way out:
    the audit failed every day all the same."""
    import os

    lake = seeded(tmp_path, store_url)
    lake.storage.write_bytes("landing/deletions/bad.jsonl.gz", b"\x1f\x8b\x08\x00not gzip at all")
    lake.privacy()
    with lake.store() as store:
        assert [row["source_file"] for row in store.privacy_quarantine()] == [
            "landing/deletions/bad.jsonl.gz"
        ]
    old = (datetime.now(UTC) - timedelta(hours=3)).timestamp()
    os.utime(os.path.join(lake.root, "landing/deletions/bad.jsonl.gz"), (old, old))
    with pytest.raises(audit.AuditFailed, match="privacy_file_waiting"):
        lake.audit()  # unreadable, not acknowledged: it waits
    with lake.store() as store:
        ids = [row["id"] for row in store.privacy_quarantine()]
        assert store.acknowledge_privacy_quarantine(ids, by="operator") == 1
    lake.audit()
