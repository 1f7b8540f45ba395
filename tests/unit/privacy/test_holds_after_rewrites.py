"""Holds that ended wrongly (fail open):

- a consent or deletion file rewritten in place (``latest.jsonl``): the new version's unreadable record at a
  line was taken for the stored one (the same id, customer and detail) and dropped: an acknowledged
  unreadable opt-in rewritten as an unreadable opt-out held no one, and a resend of the first version
  released both. A record is the same only with the same readable content and times too;
- a listing one of whose ids cannot be read (``["u1", ""]``) was answered by a readable resend listing other
  ids: the customer was released and u1 came back. No resend answers such a listing (acknowledge it);
- a misplaced privacy record in an utterance file re-exported with another customer's record at that line
  kept the first one's row (its detail named no file version): the second customer was never held.

Open gap: a broken line naming no one, acknowledged, replaced in place by another broken line naming no one
that reads the same in every readable part (the store keeps no raw line) is taken for the same."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake

DT = "landing/utterances/dt=2026-11-20"
T = "2026-11-20T10:00:00Z"


def line(uid, customer, text, **extra) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": T, "locale": "en-US",
           "transcript": text, "response": "Done.", "asr_confidence": 0.9, **extra}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def write(lake, path, *records):
    lake.storage.write_bytes(path, b"".join(json.dumps(r).encode() + b"\n" for r in records))


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


UNREADABLE_OPT_IN = {
    "event_id": "e1",
    "customer_id": "c1",
    "purpose": "model_training",
    "status": "opted_in",
    "effective_at": "2026-11-01T00:00:00Z",
    "recorded_at": "2026-11-01T00:00:00Z",
    "source": 7,
}


def test_rewritten_in_place_other_content_same_id_after_ack(lake):
    """latest.jsonl line 1: an unreadable opt-in, acknowledged. Upstream rewrites the file: line 1 is now
    an unreadable OPT-OUT under the same event id (same detail). It must hold c1 (a new version of a record,
    never looked at by anyone), not pass as the acknowledged one."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the kitchen"))
    lake.publish()
    assert lake.live_ids() == {"u1"}
    write(lake, "landing/consent/latest.jsonl", UNREADABLE_OPT_IN)
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == {"c1"}
        [row] = store.privacy_quarantine()
        store.acknowledge_privacy_quarantine([row["id"]], "op")
        assert store.held_customers() == set()
    lake.publish()
    assert lake.live_ids() == {"u1"}
    # upstream rewrites the file in place: now an opt-out (still unreadable: source 7)
    write(
        lake,
        "landing/consent/latest.jsonl",
        {
            **UNREADABLE_OPT_IN,
            "status": "opted_out",
            "effective_at": "2026-11-10T00:00:00Z",
            "recorded_at": "2026-11-21T00:00:00Z",
        },
    )
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        rows = store.privacy_quarantine(open_only=False)
        held = store.held_customers()
    assert held == {"c1"}, f"new unreadable version not held: {rows}"
    assert "u1" not in lake.live_ids()


def test_rewritten_in_place_other_content_released_by_resend_of_first(lake):
    """As above without an ack: the first unreadable version (opt-in) and the second (opt-out) under the
    same id at the same line. A readable resend agreeing with the FIRST version releases everything."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the kitchen"))
    write(lake, "landing/consent/latest.jsonl", UNREADABLE_OPT_IN)
    lake.privacy(check_deadlines=False)
    write(
        lake,
        "landing/consent/latest.jsonl",
        {
            **UNREADABLE_OPT_IN,
            "status": "opted_out",
            "effective_at": "2026-11-10T00:00:00Z",
            "recorded_at": "2026-11-21T00:00:00Z",
        },
    )
    lake.privacy(check_deadlines=False)
    # the first version sent again readable
    write(lake, "landing/consent/fixed.jsonl", {**UNREADABLE_OPT_IN, "source": "app"})
    lake.publish()
    with lake.store() as store:
        rows = store.privacy_quarantine(open_only=False)
    assert "u1" not in lake.live_ids(), f"opt-out version lost: {rows}"


def test_rewritten_deletion_file_delete_all_after_acked_listing(lake):
    """line 1: an unreadable listing of u2 under r1 (acknowledged: an operator judged it). The file is
    rewritten: line 1 is now an unreadable delete-all under r1 (same detail). c1 must be held."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u1", "c1", "play some jazz in the kitchen") + line("u2", "c1", "how far away is the moon"),
    )
    lake.publish()
    write(
        lake,
        "landing/deletions/latest.jsonl",
        {
            "request_id": "r1",
            "customer_id": "c1",
            "scope": "utterances",
            "utterance_ids": ["u2"],
            "requested_at": "2026-11-25",
        },
    )
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        [row] = store.privacy_quarantine()
        store.acknowledge_privacy_quarantine([row["id"]], "op")
    lake.publish()
    write(
        lake,
        "landing/deletions/latest.jsonl",
        {"request_id": "r1", "customer_id": "c1", "scope": "all", "requested_at": "2026-11-26"},
    )
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        held = store.held_customers()
        rows = store.privacy_quarantine(open_only=False)
    assert held == {"c1"}, f"the unreadable delete-all holds no one: {rows}"
    assert "u1" not in lake.live_ids()


@pytest.mark.parametrize("bad", ["", 5], ids=["empty_element", "number_element"])
def test_half_readable_listing_released_by_a_resend_listing_other_utterances(lake, bad):
    """An unreadable listing under r1 readably names u1 (one element unreadable). A readable resend under
    r1 that lists only u2 is not the same record: it must not release c1's hold (u1 must not come back)."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u1", "c1", "play some jazz in the kitchen")
        + line("u2", "c1", "how far away is the moon")
        + line("u3", "c1", "set an alarm for seven tomorrow"),
    )
    lake.publish()
    write(
        lake,
        "landing/deletions/a.jsonl",
        {
            "request_id": "r1",
            "customer_id": "c1",
            "scope": "utterances",
            "utterance_ids": ["u1", bad],
            "requested_at": "2026-11-25T00:00:00Z",
        },
    )
    lake.privacy(check_deadlines=False)
    assert "u1" not in lake.live_ids()
    write(
        lake,
        "landing/deletions/b.jsonl",
        {
            "request_id": "r1",
            "customer_id": "c1",
            "scope": "utterances",
            "utterance_ids": ["u2"],
            "requested_at": "2026-11-25T00:00:00Z",
        },
    )
    lake.privacy(check_deadlines=False)
    lake.publish()
    with lake.store() as store:
        held = store.held_customers()
    assert "u1" not in lake.live_ids(), f"held={held}"


def test_misplaced_record_in_a_rewritten_utterance_file_naming_another_customer(lake):
    """An utterance file holds, at line 2, a misplaced deletion of c1 (held). Upstream re-exports the file:
    line 2 is now a misplaced delete-all of c2. c2 must be held (their words not published)."""
    u0 = line("u0", "c3", "what is the weather like in lisbon")
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        u0
        + json.dumps(
            {"request_id": "r7", "customer_id": "c1", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}
        ).encode()
        + b"\n",
    )
    lake.publish()
    with lake.store() as store:
        assert store.held_customers() == {"c1"}
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        u0
        + json.dumps(
            {"request_id": "r8", "customer_id": "c2", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}
        ).encode()
        + b"\n",
    )
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u2", "c2", "remind me to call the dentist at noon"))
    lake.publish()
    with lake.store() as store:
        held = store.held_customers()
        rows = store.privacy_quarantine(open_only=False)
    assert "c2" in held, f"c2's misplaced delete-all holds no one: {rows}"
    assert "u2" not in lake.live_ids()
