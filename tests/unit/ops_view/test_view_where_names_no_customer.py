"""The governance view showed an unreadable deletion record's "where" as its raw ``source_file`` (review 13,
F4: the view's part): a deletion export partitioned by customer (``landing/deletions/customer_id=zed-4417/``)
put the customer id on the page and in ``snapshot.json``. It is shown as reports show paths
(``readers.shown_path``)."""

from __future__ import annotations

from datetime import UTC, datetime

from utterance_governance.reports import deadlines


def test_an_unreadable_deletion_record_is_shown_where_it_is_without_its_customer(monkeypatch):
    from ug_airflow.governance_view import data

    unreadable = deadlines.UnreadableRecord(
        quarantine_id=1, source_file="landing/deletions/customer_id=zed-4417/d.jsonl", line=3,
        detail="malformed_json", customer_readable=False,
    )  # fmt: skip
    pending = deadlines.Deadline(
        request_id="unreadable:1", scope="unknown", requested_at="2026-11-25T00:00:00+00:00",
        deadline_at="2026-12-25T00:00:00+00:00", days_left=20.0, state="open", receipt_status=None,
        unreadable=unreadable,
    )  # fmt: skip
    monkeypatch.setattr(deadlines, "load_deadlines", lambda store, policy, now: [pending])
    monkeypatch.setattr(deadlines, "deadline_counts", lambda table: {"open": len(table)})
    rows, _ = data._deadlines(None, None, datetime.now(UTC))
    assert [row["where"] for row in rows] == ["landing/deletions/customer_id=[customer]/d.jsonl line 3"]
