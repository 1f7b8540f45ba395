"""A misplaced privacy record in an utterance file (it holds its customer), re-exported with another customer's
record at that line: the first record's row was overwritten, and the first customer released though their
record never arrived where it belongs nor was acknowledged. Both now stay, and both hold."""

from __future__ import annotations

import json

from tests.unit.privacy import test_holds_after_rewrites as holds
from tests.unit.privacy.test_holds_after_rewrites import DT, line

lake = holds.lake  # the fixture: a lake on either backend


def rec(d) -> bytes:
    return json.dumps(d).encode() + b"\n"


def test_a_reexport_with_another_misplaced_record_at_the_line_keeps_the_first_customer_held(lake):
    u0 = line("u0", "c3", "what is the weather like in lisbon")
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        u0
        + rec(
            {"request_id": "r7", "customer_id": "c1", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}
        ),
    )
    lake.storage.write_bytes(f"{DT}/c.jsonl", line("u1", "c1", "play some jazz in the kitchen"))
    lake.publish()
    with lake.store() as store:
        assert "c1" in store.held_customers()
    assert "u1" not in lake.live_ids()
    # upstream re-exports a.jsonl: line 2 is now a misplaced delete-all of c2 (r7 was never delivered)
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        u0
        + rec(
            {"request_id": "r8", "customer_id": "c2", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}
        ),
    )
    lake.publish()
    lake.publish()  # (the next night: released held sets are published)
    with lake.store() as store:
        held = store.held_customers()
        rows = store.privacy_quarantine(open_only=False)
    live = lake.live_ids()
    assert "c1" in held and "u1" not in live, f"held={held} live={live} rows={rows}"
