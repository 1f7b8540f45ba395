"""An unreadable consent record held its customer until a valid event of theirs recorded after the time it
states; then it counted for nothing (review 11, F2). Three ways that failed open:

- the stated time was the first ``"recorded_at"`` anywhere in the raw line: a nested object's, or the first
  of a key given twice, let an older opt-in delivered late release it;
- an opt-in recorded within the devices' clock skew after it released it, though read as an opt-out it
  would outrank that opt-in;
- read as an opt-out, its gap (the captures between it and a later opt-in) would stay out for good.

The stated time is read only off a record that parses, under one top-level key; and until acknowledged,
an unreadable consent record counts as the opt-out it may be (``doubt_opt_outs``), so a released hold
leaves each row where the worst reading of the record puts it. An opt-in now counts from the clock skew
after it (F10): words said just before it on a device whose clock runs ahead are not consented."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import DT, line


def event(
    eid: str, customer: str, status: str, recorded: str, effective: str | None = None, **extra
) -> bytes:
    row = {"event_id": eid, "customer_id": customer, "purpose": "model_training", "status": status,
           "effective_at": effective or recorded, "recorded_at": recorded, "source": "app", **extra}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def _held_then(lake, unreadable: bytes, valid: bytes) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c1.jsonl", unreadable)
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}  # held: doubt withdraws
    lake.storage.write_bytes("landing/consent/c2.jsonl", valid)
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-zed-2", "zed", "play more jazz", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    lake.publish()
    lake.privacy(check_deadlines=False)


@pytest.mark.parametrize(
    "unreadable",
    [
        # its metadata names another recorded_at first
        b'{"event_id": "e1", "customer_id": "zed", "meta": {"recorded_at": "2024-01-01T00:00:00Z"}, '
        b'"purpose": "model_training", "status": "opted_outt", "effective_at": "2026-11-25T00:00:00Z", '
        b'"recorded_at": "2026-11-25T00:00:00Z", "source": "app"}\n',
        # the key given twice (the reader refuses it), the older first
        b'{"event_id": "e1", "customer_id": "zed", "purpose": "model_training", "status": "opted_out", '
        b'"recorded_at": "2024-01-01T00:00:00Z", "effective_at": "2026-11-25T00:00:00Z", '
        b'"recorded_at": "2026-11-25T00:00:00Z", "source": "app"}\n',
    ],
    ids=["nested", "repeated"],
)
def test_an_older_opt_in_delivered_late_releases_no_hold_by_a_time_not_the_records(lake, unreadable):
    _held_then(lake, unreadable, event("e0", "zed", "opted_in", "2026-06-01T00:00:00Z"))
    assert lake.live_ids() == {"u-bob"}
    with lake.store() as store:
        assert store.held_customers() == {"zed"}


def test_an_opt_in_within_the_clock_skew_after_an_unreadable_opt_out_does_not_outrank_it(lake):
    _held_then(lake, event("e1", "zed", "opted_outt", "2026-11-25T00:00:00Z"),
               event("e0", "zed", "opted_in", "2026-11-25T00:02:00Z"))  # fmt: skip
    with lake.store() as store:
        assert store.held_customers() == set()  # released: a valid event recorded after it
    assert lake.live_ids() == {"u-bob"}  # yet read as an opt-out it is the later word


def test_control_the_same_records_readable_keep_zed_out(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz"))
    lake.publish()
    lake.storage.write_bytes("landing/consent/c1.jsonl", event("e1", "zed", "opted_out", "2026-11-25T00:00:00Z")
                             + event("e0", "zed", "opted_in", "2026-11-25T00:02:00Z"))  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == set()


def test_an_opt_in_after_an_unreadable_record_does_not_bring_back_its_gap(lake):
    """Read as an opt-out effective 11-10, the record keeps captures from then until the opt-in out for
    good; what was said before it, and after the opt-in, is published."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-before", "zed", "play some jazz", captured_at="2026-11-05T10:00:00Z")
                             + line("u-gap", "zed", "play some blues"))  # 2026-11-20: in the gap  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c1.jsonl",
                             event("e1", "zed", "opted out?", "2026-11-21T00:00:00Z", "2026-11-10T00:00:00Z"))  # fmt: skip
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(
        "landing/consent/c2.jsonl", event("e2", "zed", "opted_in", "2026-11-22T00:00:00Z")
    )
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/b.jsonl",
                             line("u-after", "zed", "play more jazz", captured_at="2026-11-26T10:00:00Z"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-before", "u-after"}
    # an acknowledgement says the record is no opt-out: the gap is judged without it
    with lake.store() as store:
        (record,) = store.privacy_quarantine()
        store.acknowledge_privacy_quarantine([record["id"]], by="data engineer on call")
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.doubt_opt_outs().num_rows == 0


def test_the_same_event_sent_again_readable_leaves_no_doubt(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz"))
    lake.publish()
    lake.storage.write_bytes(
        "landing/consent/c1.jsonl", event("e1", "zed", "opted in?", "2026-11-21T00:00:00Z")
    )
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == set()
    lake.storage.write_bytes(
        "landing/consent/c2.jsonl", event("e1", "zed", "opted_in", "2026-11-21T00:00:00Z")
    )
    lake.publish()
    with lake.store() as store:
        assert store.held_customers() == set() and store.doubt_opt_outs().num_rows == 0
    assert lake.live_ids() == {"u-zed-1"}


def test_an_opt_in_counts_from_the_clock_skew_after_it(lake):
    """Said at 09:59, before a 10:00 opt-in, on a device 4 minutes ahead (stamped 10:03): in an opt-in
    region it was published as consented; everywhere else the rules allow for that skew."""
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", event("e1", "zed", "opted_in", "2026-11-20T10:00:00Z")
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl",
                             line("u-zed-1", "zed", "spiel etwas jazz", locale="de-DE", captured_at="2026-11-20T10:03:00Z")
                             + line("u-zed-2", "zed", "wie wird das wetter", locale="de-DE",
                                    captured_at="2026-11-20T10:30:00Z"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed-2"}


def test_two_unreadable_records_of_one_customer_stop_no_one_elses_deletion(lake):
    """One states its effective_at, one does not: the privacy snapshot compared None with a time, and every
    publication (a purge's too) failed until they were acknowledged (review 12, F2)."""
    from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, receipt

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz")
                             + line("u-bob", "bob", "remind me about quokkamarmalade"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/consent/c1.jsonl", event("e1", "zed", "opted out?", "2026-11-21T00:00:00Z",
                                                               "2026-11-10T00:00:00Z")
                             + event("e2", "zed", "opted out?", "2026-11-21T00:00:00Z", "soon"))  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "bob"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and left_in_lake(lake, "quokkamarmalade") == []
    with lake.store() as store:
        assert store.doubt_opt_outs().num_rows == 2


def test_an_envelopes_own_time_is_not_the_time_of_the_record_it_carries(lake):
    """The customer is read off the record an envelope carries JSON-encoded; the envelope's own older
    recorded_at was taken as the record's: a June opt-in delivered late released the hold (review 12, F4)."""
    inner = {"event_id": "e1", "customer_id": "zed", "purpose": "model_training", "status": "opted_outt",
             "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z", "source": "app"}  # fmt: skip
    envelope = {"recorded_at": "2024-01-01T00:00:00Z", "message": json.dumps(inner)}
    _held_then(
        lake, json.dumps(envelope).encode() + b"\n", event("e0", "zed", "opted_in", "2026-06-01T00:00:00Z")
    )
    assert lake.live_ids() == {"u-bob"}
    with lake.store() as store:
        assert store.held_customers() == {"zed"}


def test_an_opt_in_whose_event_id_another_customer_sent_consents_nothing_until_acknowledged(lake):
    """e1 sent again for another customer puts the stored e1 in doubt: the worst reading is that it was
    never zed's. Released by zed's later opt-in, the doubt took the new row's times and e1 still consented
    zed's capture of 11-20 in an opt-in region (review 12, F8)."""
    lake.storage.write_bytes(
        "landing/consent/c0.jsonl", event("e1", "zed", "opted_in", "2026-11-01T00:00:00Z")
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "spiel etwas jazz", locale="de-DE")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert "u-zed-1" in lake.live_ids()
    lake.storage.write_bytes(
        "landing/consent/c1.jsonl", event("e1", "bob", "opted_in", "2026-11-25T00:00:00Z")
    )
    lake.privacy(check_deadlines=False)
    assert "u-zed-1" not in lake.live_ids()
    lake.storage.write_bytes(
        "landing/consent/c2.jsonl", event("e2", "zed", "opted_in", "2026-11-26T00:00:00Z")
    )
    lake.publish()
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == {"bob"}  # zed's hold released; bob's e1 still in doubt
    assert "u-zed-1" not in lake.live_ids()
