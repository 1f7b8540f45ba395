"""The deadline table names an unreadable deletion record by its file as ``shown_path`` shows it: a
customer-partition folder (``customer_id=zed-4417``) is ``customer_id=[customer]`` in every privacy run's
report, the ``DeletionOverdue`` message and the pages, which outlive the customer's delete-all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import left_in_lake, line, receipt

FOLDER = "landing/deletions/customer_id=zed-4417"
SHOWN = "landing/deletions/customer_id=[customer]/d.jsonl"
BROKEN = {"request_id": "d0", "scope": "everything", "requested_at": "2026-11-25T00:00:00Z"}


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")


def _published_with_an_unreadable_deletion(lake: Lake) -> None:
    lake.storage.write_bytes("landing/utterances/dt=2026-11-20/a.jsonl",
                             line("u-zed", "zed-4417", "call me") + line("u-bob", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(f"{FOLDER}/d.jsonl", json.dumps(BROKEN).encode() + b"\n")


def test_an_unreadable_deletion_record_in_a_customer_partition_leaves_no_raw_id_in_reports(lake):
    """``UnreadableRecord.source_file`` was the raw landing path: every privacy run's report
    (``deadlines.unreadable_deletion_records``) and the governance view's "where" carried the customer id
    its folder names, after that customer's delete-all completed (review 13, F4)."""
    _published_with_an_unreadable_deletion(lake)
    report = lake.privacy()
    (record,) = report["receipts"]["deadlines"]["unreadable_deletion_records"]
    assert record["source_file"] == SHOWN
    # the same request sent again readable releases it; the delete-all completes
    lake.storage.write_bytes(f"{FOLDER}/d.jsonl", json.dumps({**BROKEN, "scope": "all"}).encode() + b"\n")
    lake.privacy()
    assert receipt(lake, "d0")["status"] == "completed"
    assert [p for p in left_in_lake(lake, "zed-4417") if not p.startswith("landing/")] == []


def test_an_overdue_unreadable_deletion_record_is_named_without_its_customer(lake, monkeypatch):
    """(review 13, F4) ``DeletionOverdue`` (kept whole in the store's run record and ``failure.json``) and
    the audit name the overdue unreadable record by its shown path."""
    from utterance_governance.jobs import privacy
    from utterance_governance.jobs.audit import AuditFailed
    from utterance_governance.purge.receipts import DeletionOverdue

    _published_with_an_unreadable_deletion(lake)
    lake.privacy()
    later = datetime.now(UTC) + timedelta(days=31)
    monkeypatch.setattr(privacy, "_now", lambda: later)
    with pytest.raises(DeletionOverdue) as caught:
        lake.privacy(now=later)
    assert SHOWN in str(caught.value) and "zed-4417" not in str(caught.value)
    with pytest.raises(AuditFailed, match="deletion_overdue"):
        lake.audit(now=later)
    assert [p for p in left_in_lake(lake, "zed-4417") if p.startswith("reports/")] == []
