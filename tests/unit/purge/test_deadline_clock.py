"""When a deletion's deadline clock starts: no later than when the pipeline first took the request in (or
first saw an unreadable version of it), whatever time the upstream wrote; and an unreadable version the
same request sent again readable released is no request of its own in the deadline table. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line, receipt

DT = "landing/utterances/dt=2026-11-20"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _request(requested_at: str, request_id: str = "d1", scope: str = "all") -> bytes:
    return json.dumps({"request_id": request_id, "customer_id": "zed", "scope": scope,
                       "requested_at": requested_at}).encode() + b"\n"  # fmt: skip


def _unsearchable_copy(lake: Lake) -> None:
    """A landing copy no reader takes (``z.JSONL``): the receipt of a deletion of zed stays open."""
    lake.storage.write_bytes(f"{DT}/z.JSONL", line("u-zed-1", "zed", "my locker code is 4417"))


def test_a_request_stamped_years_ahead_is_still_due_within_the_deadline_of_its_intake(lake):
    """A deletion's deadline was counted from the ``requested_at`` upstream wrote, however far ahead (the
    reader takes any time before 2200): a request stamped 2125 that could not be completed was never at
    risk nor overdue, and neither the privacy run nor the audit ever failed for it (review 13, F2)."""
    from utterance_governance.jobs.audit import AuditFailed

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what time is it"))
    lake.publish()
    _unsearchable_copy(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", _request("2125-11-25T00:00:00Z"))
    before = datetime.now(UTC)
    lake.privacy()
    after = datetime.now(UTC)
    document = receipt(lake, "d1")
    assert document["status"] != "completed"
    assert document["requested_at"] == "2125-11-25T00:00:00+00:00"  # as the request states it
    received = datetime.fromisoformat(document["received_at"])
    assert before <= received <= after  # when it was taken in
    assert datetime.fromisoformat(document["deadline_at"]) == received + timedelta(days=30)
    with pytest.raises(AuditFailed, match="deletion_overdue"):
        lake.audit(now=after + timedelta(days=31))


def test_a_receipt_counted_from_a_clock_ahead_is_brought_back_to_its_intake(lake):
    """(review 13, F2) A receipt opened before the mend, counted from a ``requested_at`` ahead of its
    intake, is counted from its intake by the next privacy run; one counted from an earlier time stays."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what time is it"))
    lake.publish()
    _unsearchable_copy(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl",
                             _request("2125-11-25T00:00:00Z") + _request("2026-11-25T00:00:00Z", "d2"))  # fmt: skip
    before = datetime.now(UTC)
    lake.privacy()
    after = datetime.now(UTC)
    ahead = datetime(2125, 11, 25, tzinfo=UTC)
    with lake.store() as store:  # as open_receipts wrote it before
        store.upsert_receipt("d1", received_at=ahead, deadline_at=ahead + timedelta(days=30))
    lake.privacy()
    taken_in = datetime.fromisoformat(receipt(lake, "d1")["received_at"])
    assert before <= taken_in <= after
    assert receipt(lake, "d1")["deadline_at"] == (taken_in + timedelta(days=30)).isoformat()
    assert receipt(lake, "d2")["received_at"] == "2026-11-25T00:00:00+00:00"


@pytest.mark.parametrize("where", ["same_file", "another_file"])
def test_a_deletion_sent_again_readable_and_completed_is_not_overdue_a_month_later(lake, monkeypatch, where):
    """An unreadable deletion record released by the same request sent again readable stayed open in the
    deadline table after that request's receipt completed: 30 days after it was first seen every privacy
    run failed with ``DeletionOverdue`` and the audit with ``deletion_overdue`` (review 13, F5)."""
    from utterance_governance.jobs import privacy

    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-zed", "zed", "call me") + line("u-bob", "bob", "what time is it")
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", _request("2026-11-25T00:00:00Z", "d0", "everything")
    )
    lake.privacy()
    again = "landing/deletions/d.jsonl" if where == "same_file" else "landing/deletions/d2.jsonl"
    lake.storage.write_bytes(again, _request("2026-11-25T00:00:00Z", "d0"))
    lake.privacy()
    assert receipt(lake, "d0")["status"] == "completed"
    assert "u-zed" not in lake.live_ids()

    later = datetime.now(UTC) + timedelta(days=31)
    monkeypatch.setattr(privacy, "_now", lambda: later)
    report = lake.privacy(now=later)  # no DeletionOverdue: the request was completed
    assert report["receipts"]["deadlines"]["unreadable_deletion_records"] == []
    lake.audit(now=later)  # no deletion_overdue


def test_a_request_sent_again_readable_is_due_from_when_its_unreadable_version_was_seen(lake, monkeypatch):
    """(review 13, F5) Sending a deletion again readable does not start its clock again: its deadline counts
    from when the unreadable version was first seen; a request of another id is no version of it."""
    from utterance_governance.io.store import privacy as store_privacy

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what time is it"))
    lake.publish()
    _unsearchable_copy(lake)
    seen = datetime.now(UTC) - timedelta(days=20)
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", _request("2125-11-25T00:00:00Z", "d0", "everything")
    )
    with monkeypatch.context() as m:
        m.setattr(store_privacy, "utcnow", lambda: seen)
        lake.privacy(check_deadlines=False)
    lake.storage.write_bytes("landing/deletions/d2.jsonl",
                             _request("2125-11-25T00:00:00Z", "d0") + _request("2125-11-25T00:00:00Z", "d9"))  # fmt: skip
    lake.privacy()
    assert receipt(lake, "d0")["status"] != "completed"
    assert receipt(lake, "d0")["received_at"] == seen.isoformat()
    assert receipt(lake, "d0")["deadline_at"] == (seen + timedelta(days=30)).isoformat()
    assert datetime.fromisoformat(receipt(lake, "d9")["received_at"]) > seen + timedelta(days=19)
