"""Deletion receipts and deadlines, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow as pa
import pytest
from tests.unit.lakes import KEY, add_privacy, deletion, speaker, ts

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.policy import Policy
from utterance_governance.purge import receipts

POLICY = Policy(deletion_deadline_days=30, deletion_at_risk_days=7)
EVERYWHERE = sorted(receipts.PLACES)


def test_every_request_gets_a_receipt_with_its_deadline(store):
    add_privacy(store, deletions=[deletion("d1", "c1", "all", at=0),
                                  deletion("d2", "c2", "range", at=24, start=ts(-5), end=ts(-1))])  # fmt: skip
    assert sorted(receipts.open_receipts(store, POLICY)) == ["d1", "d2"]
    assert receipts.open_receipts(store, POLICY) == []  # idempotent
    d1 = store.receipt("d1")
    assert d1["status"] == "open" and d1["received_at"] == ts(0)
    assert d1["deadline_at"] == ts(0) + timedelta(days=30)


def test_receipts_complete_only_when_every_purge_step_succeeded(store):
    add_privacy(store, deletions=[deletion("d1", "c1", "all", at=0), deletion("d2", "c2", "all", at=0)])
    receipts.open_receipts(store, POLICY)
    removed = {"d1": {"published_rows": 2, "landing_rows": 3}}
    changed = receipts.settle_receipts(
        store, ts(1), complete=False, removed=removed, versions_rewritten=["v1"]
    )
    assert changed == {"completed": [], "in_progress": ["d1"], "late_copies": []}
    assert store.receipt("d1")["status"] == "in_progress" and store.receipt("d2")["status"] == "open"

    # every step succeeded, but not every place was searched: still not completed
    changed = receipts.settle_receipts(store, ts(2), complete=True, removed={}, versions_rewritten=[],
                                       searched=[p for p in receipts.PLACES if p != "access_reports"])  # fmt: skip
    assert changed["completed"] == [] and store.receipt("d1")["status"] == "in_progress"

    changed = receipts.settle_receipts(store, ts(2), complete=True, removed={"d1": {"staging_rows": 1}},
                                       versions_rewritten=[], searched=EVERYWHERE)  # fmt: skip
    assert sorted(changed["completed"]) == ["d1", "d2"]
    d1 = store.receipt("d1")
    assert d1["status"] == "completed" and d1["completed_at"] == ts(2) and d1["versions_rewritten"] == ["v1"]
    assert d1["removed_counts"] == {"published_rows": 2, "landing_rows": 3, "staging_rows": 1, "quarantine_rows": 0,
                                    "decisions_rows": 0, "published_files_rows": 0, "access_report_utterances": 0}  # fmt: skip
    assert d1["searched"] == EVERYWHERE

    # a late copy found after completion is added to the receipt; it stays completed
    changed = receipts.settle_receipts(store, ts(3), complete=True, removed={"d1": {"landing_rows": 1}},
                                       versions_rewritten=[], searched=EVERYWHERE)  # fmt: skip
    assert changed["late_copies"] == ["d1"] and store.receipt("d1")["removed_counts"]["landing_rows"] == 4
    assert store.receipt("d1")["completed_at"] == ts(2)
    assert receipts.settle_receipts(store, ts(4), complete=True, removed={}, versions_rewritten=[],
                                    searched=EVERYWHERE) == {
        "completed": [], "in_progress": [], "late_copies": []}  # fmt: skip


def test_a_run_retried_after_settling_counts_nothing_twice(store):
    """issue_receipts committed, then writing the receipt files failed and Airflow retried it: the
    same run's removals are on the receipts already. Cleared after a failed purge step ran again,
    the run adds what that step removed and settles the status."""
    add_privacy(store, deletions=[deletion("d1", "c1", "all", at=0)])
    receipts.open_receipts(store, POLICY)

    def settle(run_id: str, removed: dict, complete: bool = True) -> dict:
        return receipts.settle_receipts(store, ts(2), complete=complete, removed=removed, versions_rewritten=["v1"],
                                        searched=EVERYWHERE, run_id=run_id)  # fmt: skip

    assert settle("run-1", {"d1": {"published_rows": 1}}, complete=False)["in_progress"] == ["d1"]
    settle("run-1", {"d1": {"published_rows": 1}}, complete=False)  # the retry
    assert store.receipt("d1")["removed_counts"]["published_rows"] == 1
    # the failed copies step is cleared and runs again: the run settles with what it removed
    assert settle("run-1", {"d1": {"published_rows": 1, "landing_rows": 2}})["completed"] == ["d1"]
    counts = store.receipt("d1")["removed_counts"]
    assert counts["published_rows"] == 1 and counts["landing_rows"] == 2
    assert settle("run-2", {"d1": {"landing_rows": 1}})["late_copies"] == ["d1"]  # the next run counts
    assert store.receipt("d1")["removed_counts"]["landing_rows"] == 3


def test_receipt_files_name_no_customer_and_are_written_only_when_they_change(store, tmp_path):
    storage = Storage(str(tmp_path / "lake"))
    add_privacy(
        store, deletions=[deletion("d/1", "cust-secret-1", "utterances", at=0, ids=["utt-x", "utt-y"])]
    )
    receipts.open_receipts(store, POLICY)
    receipts.settle_receipts(store, ts(1), complete=True, removed={"d/1": {"published_rows": 1}},
                             versions_rewritten=["v000002"], searched=EVERYWHERE)  # fmt: skip
    path = receipts.receipt_path("d/1")
    assert path.startswith("reports/receipts/d_1.") and path.endswith(".json")
    assert receipts.write_receipt_files(storage, store, "ds", KEY) == [path]
    raw = storage.read_bytes(path).decode()
    assert "cust-secret-1" not in raw and "utt-x" not in raw
    document = json.loads(raw)
    assert document == {
        "request_id": "d/1", "dataset": "ds", "speaker_key": speaker("cust-secret-1"), "status": "completed",
        "scope": "utterances", "utterances_listed": 2, "requested_at": ts(0).isoformat(),
        "received_at": ts(0).isoformat(), "deadline_at": (ts(0) + timedelta(days=30)).isoformat(),
        "completed_at": ts(1).isoformat(), "completed_late": False,
        "removed": {"published_rows": 1, "landing_rows": 0, "staging_rows": 0, "quarantine_rows": 0,
                    "decisions_rows": 0, "published_files_rows": 0, "access_report_utterances": 0},
        "versions_rewritten": ["v000002"], "searched": EVERYWHERE,
    }  # fmt: skip
    assert receipts.write_receipt_files(storage, store, "ds", KEY) == []


def test_deadlines_at_risk_and_overdue_fail_the_run(store):
    add_privacy(store, deletions=[deletion("late", "c1", "all", at=0), deletion("soon", "c2", "all", at=24 * 5),
                                  deletion("fine", "c3", "all", at=24 * 25)])  # fmt: skip
    receipts.open_receipts(store, POLICY)
    now = ts(24 * 31)
    report = receipts.deadline_report(store, now, POLICY)
    assert [r["request_id"] for r in report["overdue"]] == ["late"]
    assert [r["request_id"] for r in report["at_risk"]] == ["soon"]
    with pytest.raises(receipts.DeletionOverdue, match="late"):
        receipts.raise_if_overdue(report)

    receipts.settle_receipts(
        store, now, complete=True, removed={}, versions_rewritten=[], searched=EVERYWHERE
    )
    report = receipts.deadline_report(store, now, POLICY)
    assert report["overdue"] == [] and report["at_risk"] == [] and report["completed_late"] == ["late"]
    receipts.raise_if_overdue(report)


def test_an_unreadable_deletion_record_has_a_deadline_too(store):
    quarantined = pa.table({"source_file": ["landing/deletions/x.jsonl"], "line": [3], "record_id": [None],
                            "customer_id": [None], "reason": [S.MALFORMED], "detail": ["unparseable_json"],
                            "raw": ["{"]}, schema=S.QUARANTINE)  # fmt: skip
    store.record_privacy_quarantine("deletion", quarantined)
    recorded = store.privacy_quarantine()[0]["recorded_at"]
    report = receipts.deadline_report(store, recorded + timedelta(days=31), POLICY)
    (entry,) = report["unreadable_deletion_records"]
    assert entry["overdue"] and entry["customer_readable"] is False
    with pytest.raises(receipts.DeletionOverdue, match="unreadable"):
        receipts.raise_if_overdue(report)


def test_receipts_of_many_requests_are_written_in_one_transaction(store):
    """A burst of requests opens and settles its receipts together: the same receipts as one by one,
    and a batch the store refuses in part leaves every receipt of it as it was."""
    add_privacy(store, deletions=[deletion(f"d{i}", f"c{i}", "all", at=i) for i in range(40)])
    assert sorted(receipts.open_receipts(store, POLICY)) == sorted(f"d{i}" for i in range(40))
    assert [(r["request_id"], r["status"], r["deadline_at"]) for r in store.receipts()] == [
        (f"d{i}", "open", ts(i) + timedelta(days=30))
        for i in sorted(range(40), key=lambda i: (ts(i), f"d{i}"))
    ]
    removed = {f"d{i}": {"published_rows": i + 1} for i in range(0, 40, 2)}
    changed = receipts.settle_receipts(store, ts(50), complete=True, removed=removed, versions_rewritten=["v1"],
                                       searched=EVERYWHERE)  # fmt: skip
    assert sorted(changed["completed"]) == sorted(f"d{i}" for i in range(40))
    for i in range(40):
        receipt = store.receipt(f"d{i}")
        assert receipt["status"] == "completed" and receipt["completed_at"] == ts(50)
        assert receipt["removed_counts"]["published_rows"] == (i + 1 if i % 2 == 0 else 0)
        assert receipt["versions_rewritten"] == (["v1"] if i % 2 == 0 else [])

    before = store.receipts()
    with pytest.raises(KeyError, match="no receipt for deletion request 'nobody'"):
        store.upsert_receipts(
            [{"request_id": "d1", "status": "in_progress"}, {"request_id": "nobody", "status": "open"}]
        )
    assert store.receipts() == before


def test_receipt_files_of_ids_a_path_cannot_hold_never_collide():
    """ "req/1", "req 1" and "req_1" all wrote reports/receipts/req_1.json: three customers' receipts, one file."""
    from utterance_governance.purge.receipts import receipt_path

    ids = ["req/1", "req 1", "req_1", "req:1", "..", "x" * 300]
    paths = [receipt_path(i) for i in ids]
    assert len(set(paths)) == len(ids)
    assert receipt_path("req_1") == "reports/receipts/req_1.json"  # an id a path holds keeps its name
    assert all(
        len(p.rsplit("/", 1)[1]) <= 200 and "/" not in p.removeprefix("reports/receipts/") for p in paths
    )
