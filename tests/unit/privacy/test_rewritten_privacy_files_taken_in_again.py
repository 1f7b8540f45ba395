"""A consent file holding a conflicting resend (an event id sent again with other content), read again (a
re-export, a retry): the comparison of an unreadable record with the one stored at its line read a column
the conflict's row does not have, and every intake crashed from then on: no deletion was taken in."""

from __future__ import annotations

from tests.unit.privacy import test_holds_after_rewrites as holds
from tests.unit.privacy.test_holds_after_rewrites import DT, line, write

lake = holds.lake  # the fixture: a lake on either backend

OPT_IN = {
    "event_id": "e1",
    "customer_id": "c1",
    "purpose": "model_training",
    "status": "opted_in",
    "effective_at": "2026-11-01T00:00:00Z",
    "recorded_at": "2026-11-01T00:00:00Z",
    "source": "app",
}


def test_a_rewritten_file_holding_a_conflicting_resend_is_taken_in_again(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the kitchen"))
    write(lake, "landing/consent/a.jsonl", OPT_IN)
    lake.privacy(check_deadlines=False)
    # latest.jsonl: e1 sent again with other content (an opt-out): a conflicting record, c1 held
    conflicting = {**OPT_IN, "status": "opted_out", "recorded_at": "2026-11-21T00:00:00Z"}
    write(lake, "landing/consent/latest.jsonl", conflicting)
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert "c1" in store.held_customers()
    # upstream re-exports latest.jsonl with one more event appended: the file is read again
    write(
        lake, "landing/consent/latest.jsonl", conflicting, {**OPT_IN, "event_id": "e2", "customer_id": "c2"}
    )
    lake.privacy(check_deadlines=False)  # KeyError: 'record_states'
    lake.publish()
    assert "u1" not in lake.live_ids()


def test_after_that_a_deletion_is_taken_in_and_its_row_withdrawn(lake):
    """The consequence: consent is taken in before deletions (PRIVACY_KINDS), so from then on every run's
    intake stops at latest.jsonl; a deletion landed later is never taken in (no receipt, no deadline), no
    purge removes its customer's live row."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u1", "c1", "play some jazz in the kitchen") + line("u9", "c9", "what is the weather in town"),
    )
    write(lake, "landing/consent/a.jsonl", OPT_IN)
    lake.privacy(check_deadlines=False)
    lake.publish()
    assert "u9" in lake.live_ids()
    conflicting = {**OPT_IN, "status": "opted_out", "recorded_at": "2026-11-21T00:00:00Z"}
    write(lake, "landing/consent/latest.jsonl", conflicting)
    lake.privacy(check_deadlines=False)
    write(
        lake, "landing/consent/latest.jsonl", conflicting, {**OPT_IN, "event_id": "e2", "customer_id": "c2"}
    )
    write(
        lake,
        "landing/deletions/d.jsonl",
        {"request_id": "d9", "customer_id": "c9", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"},
    )
    errors = []
    for _ in range(2):  # two hourly privacy runs
        try:
            lake.privacy(check_deadlines=False)
        except Exception as exc:
            errors.append(repr(exc))
    with lake.store() as store:
        taken = (
            store.deletion_requests().column("request_id").to_pylist()
            if hasattr(store, "deletion_requests")
            else None
        )
    assert "u9" not in lake.live_ids(), (errors, taken)
