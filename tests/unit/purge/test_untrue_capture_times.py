"""A row whose capture time cannot be true (a device whose clock jumped years ahead, or reset to 1970)
was not captured then: its capture time is unknown, which every range and every delete-all of its
customer covers (``privacy.rules``), in landing and in quarantine alike."""

import json

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, receipt

DT = "landing/utterances/dt=2026-11-20"  # upstream's own partition says: captured on 2026-11-20


def row(uid, customer, text, captured_at="2026-11-20T10:00:00Z"):
    return (
        json.dumps(
            {
                "utterance_id": uid,
                "customer_id": customer,
                "captured_at": captured_at,
                "locale": "en-US",
                "transcript": text,
                "response": "Done.",
                "asr_confidence": 0.9,
            }
        ).encode()
        + b"\n"
    )


@pytest.mark.parametrize("scope", ["all", "range"])
def test_a_row_with_an_impossible_capture_time_is_erased_by_its_customers_deletion(lake, scope):
    extra = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"} if scope == "range" else {}
    # the request (2026-11-25) is taken in first; the late file of 2026-11-20 lands after it
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", scope, **extra))
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(
        f"{DT}/late.jsonl",
        row("u-zed-1", "zed-4417", "my locker code is zebracornflakes", captured_at="2036-01-01T00:00:00Z")
        + row("u-bob-1", "bob", "what is the weather"),
    )
    lake.publish()
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []


def test_a_row_with_a_zero_clock_capture_time_is_erased_by_a_range_deletion_of_its_days(lake):
    """A device whose clock reset (1970-01-01) sends words captured on 2026-11-20 (its partition says
    so): ``implausible_timestamp:captured_at``. The customer deletes November; the quarantined row is
    judged captured in 1970, outside the range, and stays."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        row("u-zed-1", "zed-4417", "my locker code is zebracornflakes", captured_at="1970-01-01T00:00:00Z")
        + row("u-bob-1", "bob", "what is the weather"),
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("d1", "zed-4417", "range", **{"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"}),
    )
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []


def test_a_range_covers_the_clock_skew_on_either_side_of_it(lake):
    """A range deletion covered exactly its capture times, while a delete-all covers the clock skew after the
    request: words said just inside the range on a device whose clock runs behind (before its start) or
    ahead (after its end) carry a capture time just outside it, and stayed published (review 13's
    suspicion). The range covers ``capture_clock_skew_s`` (300 s) on either side now, no more."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        row("u-early", "zed-4417", "said at ten", captured_at="2026-11-20T09:56:00Z")  # 4 min before
        + row("u-late", "zed-4417", "said at eleven", captured_at="2026-11-20T11:04:59Z")  # 4:59 after
        + row("u-before", "zed-4417", "said at nine", captured_at="2026-11-20T09:54:59Z")  # 5:01 before
        + row("u-after", "zed-4417", "said at noon", captured_at="2026-11-20T11:05:01Z")  # 5:01 after
        + row("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-early", "u-late", "u-before", "u-after", "u-bob"}
    extra = {"from": "2026-11-20T10:00:00Z", "to": "2026-11-20T11:00:00Z"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", "range", **extra))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-before", "u-after", "u-bob"}
