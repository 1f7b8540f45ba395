"""A privacy file that cannot be read: the other files' deletions still get their receipts and their
deadlines, and an unread version it replaced keeps blocking until acknowledged (review of 2026-12-07)."""

from __future__ import annotations

import json

import pytest
from tests.unit.privacy.test_read_failure_of_a_replaced_version import CONSENT, _fails_once, _opt
from tests.unit.purge.test_every_copy_edges import line


def test_unread_version_keeps_blocking_when_the_next_version_also_fails_once(lake, monkeypatch):
    """Version A (zed's opt-out) fails to read; the export is overwritten by version B, whose reading fails
    once too and then succeeds. Nobody ever read A: its block must stay until acknowledged (README)."""
    from utterance_governance.jobs.publish import PublishingBlocked

    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(CONSENT, _opt("e1", "zed", "opted_out"))  # version A, never read
    _fails_once(lake, monkeypatch, CONSENT)
    lake.storage.write_bytes(CONSENT, _opt("e2", "bob", "opted_in") + b"\n")  # version B
    _fails_once(lake, monkeypatch, CONSENT)  # B's reading fails once too ...
    lake.privacy()  # ... and is read now
    with lake.store() as store:
        reasons = store.privacy_blocked_reasons()
    # Before: [] -- B's failure row replaced A's at (kind, file, line 0), and reading B settled it
    assert any("read_failed" in r for r in reasons), reasons
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-zed-2", "zed", "call me later", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    with pytest.raises(PublishingBlocked):
        lake.publish()
    assert "u-zed-2" not in lake.live_ids()


def _privacy_run_with_an_unreadable_file(lake, monkeypatch, path: str):
    """privacy_requests as the DAG runs it (purges ALL_DONE after a failed ingest) while reading ``path``
    keeps failing (a permission error, a file the object store cannot serve)."""
    from utterance_governance.jobs import privacy, publish

    read = publish.read_landing_file

    def failing(storage, rel, *args, **kwargs):
        if rel == path:
            raise PermissionError("permission denied")
        return read(storage, rel, *args, **kwargs)

    with monkeypatch.context() as m, lake._environment():
        m.setattr(publish, "read_landing_file", failing)
        ctx = lake.context("privacy_requests")
        with pytest.raises(publish.PrivacyIntakeFailed):
            privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        copied = privacy.purge_copies(ctx)
        issued = privacy.issue_receipts(ctx, purged, copied)
        privacy.write_report(ctx, None, purged, copied, issued)
        return ctx, issued


def _deletion(request_id: str, customer: str, requested_at: str) -> bytes:
    return json.dumps({"request_id": request_id, "customer_id": customer, "scope": "all",
                       "requested_at": requested_at}).encode() + b"\n"  # fmt: skip


def test_one_unreadable_privacy_file_does_not_withhold_other_customers_receipts(lake, monkeypatch):
    """bob's consent file cannot be read (permission denied, every run). zed's delete-all, in another
    file, is taken in and carried out: every copy of zed is gone. Its receipt must say so (SPEC §1: a
    deletion ... with a receipt; §4.1: one bad record never stops other customers' deletions)."""
    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion("r-zed", "zed", "2026-11-25T00:00:00Z"))
    lake.storage.write_bytes("landing/consent/bob.jsonl", _opt("e-bob", "bob", "opted_out"))
    for _ in range(2):  # two hourly runs: the file stays unreadable
        _privacy_run_with_an_unreadable_file(lake, monkeypatch, "landing/consent/bob.jsonl")
    assert "u-zed" not in lake.live_ids()  # carried out ...
    with lake.store() as store:
        receipt = store.receipt("r-zed")
    # Before: None -- receipts are opened only at the end of a successful ``ingest`` step; while any one
    # privacy file fails to read, no new deletion gets a receipt (nor ever completes)
    assert receipt is not None and receipt["status"] == "completed", receipt


def test_an_overdue_request_no_run_has_receipted_yet_is_reported_overdue(lake):
    """zed asked 40 days ago (the request reached the lake late, past its 30-day deadline) and the nightly
    publish took it in: no privacy run has receipted it yet. The deadline check counts it all the same
    (README: "The run fails loudly when a request is overdue"), as the audit's deadline table does.
    Before: ``deadline_report`` listed receipted requests only."""
    from datetime import UTC, datetime, timedelta

    from utterance_governance.purge.receipts import DeletionOverdue, deadline_report, raise_if_overdue

    now = datetime.now(UTC)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", line("u-bob", "bob", "what time is it")
    )
    lake.storage.write_bytes("landing/deletions/d.jsonl",
                             _deletion("r-zed", "zed", (now - timedelta(days=40)).isoformat()))  # fmt: skip
    lake.publish()
    with lake.store() as store, lake._environment():
        assert store.receipt("r-zed") is None  # (the nightly publish opens no receipt)
        report = deadline_report(store, now, lake.context("privacy_requests").policy)
    assert [(d["request_id"], d["status"]) for d in report["overdue"]] == [("r-zed", "no_receipt")]
    with pytest.raises(DeletionOverdue, match="r-zed"):
        raise_if_overdue(report)
