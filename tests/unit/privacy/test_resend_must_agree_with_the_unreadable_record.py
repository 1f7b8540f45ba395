"""An unreadable deletion or consent record is released only by the same record sent again readable: the
same id and customer, and every field its raw line readably states the same (review 14a, F02).

Any readable record under its id released it, whatever it said: an unreadable delete-all was released by a
listing of one utterance under its request id (its receipt completed, standing for the delete-all in the
deadline table, and the customer's other rows came back live), and an unreadable opt-out stopped counting
as the opt-out it may be when an opt-in reused its event id (its gap was published). A resend that
contradicts what the unreadable line readably states (an id reused upstream, a narrower "correction") is a
record of its own: the hold, and the doubt, stay until acknowledged."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line, receipt

from utterance_governance.io.readers import read_landing_file

DT = "landing/utterances/dt=2026-11-20"
# a delete-all whose requested_at has no time: unreadable, its customer held (its scope readable)
DELETE_ALL = {"request_id": "r1", "customer_id": "c1", "scope": "all", "requested_at": "2026-11-25"}
# an opt-out whose source is no string: unreadable, every time readable
OPT_OUT = {"event_id": "e-1", "customer_id": "c1", "purpose": "model_training", "status": "opted_out",
           "effective_at": "2026-11-15T00:00:00Z", "recorded_at": "2026-11-15T00:00:00Z", "source": 7}  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _write(lake: Lake, path: str, *records: dict) -> None:
    lake.storage.write_bytes(path, b"".join(json.dumps(r).encode() + b"\n" for r in records))


def _take_in(store, lake: Lake, path: str, *records: dict) -> None:
    _write(lake, path, *records)
    folder = path.split("/")[1]
    read = read_landing_file(lake.storage, path, folder)
    ingest = store.ingest_consent_events if folder == "consent" else store.ingest_deletion_requests
    ingest(read.records.drop_columns(["source_file", "landed_at"]), path, quarantined=read.quarantine)


def test_a_delete_all_unreadable_is_not_released_by_a_listing_under_its_id(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "the zebracornflakes recipe")
                             + line("u2", "c1", "how far away is the moon"))  # fmt: skip
    lake.publish()
    _write(lake, "landing/deletions/a.jsonl", DELETE_ALL)  # unreadable; its customer held (scope readable)
    lake.privacy(check_deadlines=False)
    assert "u1" not in lake.live_ids()
    # a readable request under the same id that lists one utterance (an id reused, a narrower resend)
    _write(lake, "landing/deletions/b.jsonl", {"request_id": "r1", "customer_id": "c1", "scope": "utterances",
                                               "utterance_ids": ["u2"], "requested_at": "2026-11-26T00:00:00Z"})  # fmt: skip
    lake.privacy(check_deadlines=False)
    lake.publish()
    assert receipt(lake, "r1")["status"] == "completed"  # the listing is a request of its own, carried out
    # what the unreadable record readably asked (everything) was never carried out: u1 must not come back
    assert "u1" not in lake.live_ids(), "the delete-all's hold was released by a listing under its id"
    with lake.store() as store:
        assert store.held_customers() == {"c1"}
        # it stays open in the deadline table: the listing's receipt does not stand for it
        assert store.unreadable_deletions_sent_again() == {}
        [open_record] = store.privacy_quarantine()
        assert open_record["record_id"] == "r1"


def test_an_unreadable_opt_out_is_not_answered_by_an_opt_in_under_its_id(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the kitchen"))
    _write(lake, "landing/consent/a.jsonl", OPT_OUT)
    lake.publish()
    assert "u1" not in lake.live_ids()
    opt_in = {**OPT_OUT, "status": "opted_in", "effective_at": "2026-11-25T00:00:00Z",
              "recorded_at": "2026-11-25T00:00:00Z", "source": "app"}  # fmt: skip
    _write(lake, "landing/consent/b.jsonl", opt_in)
    lake.publish()
    # u1 was captured on 2026-11-20, inside the opt-out the unreadable record readably states
    assert "u1" not in lake.live_ids(), "an opt-in reusing the event id erased the unreadable opt-out's gap"


@pytest.mark.parametrize(
    "resend",
    [
        {"scope": "utterances", "utterance_ids": ["u2"]},
        {"customer_id": "c2"},  # another customer's request under the id
        {"scope": "range", "from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"},
    ],
    ids=["narrower", "another_customer", "a_range"],
)
def test_a_deletion_resend_that_contradicts_keeps_the_hold(store, lake, resend):
    _take_in(store, lake, "landing/deletions/a.jsonl", DELETE_ALL)
    _take_in(store, lake, "landing/deletions/b.jsonl",
             {**DELETE_ALL, "requested_at": "2026-11-25T00:00:00Z", **resend})  # fmt: skip
    assert store.held_customers() == {"c1"}
    assert store.unreadable_deletions_sent_again() == {}
    assert [r["request_id"] for r in store.deletion_requests().to_pylist()] == ["r1"]  # carried out too


def test_a_deletion_resend_that_agrees_releases_it(store, lake):
    """What the unreadable line did not readably state (its requested_at, without a time) is the resend's to say."""
    _take_in(store, lake, "landing/deletions/a.jsonl", {**DELETE_ALL, "scope": " ALL"})
    _take_in(store, lake, "landing/deletions/b.jsonl", {**DELETE_ALL, "requested_at": "2026-11-25T00:00:00Z"})
    assert store.held_customers() == set()
    [(quarantine_id, request)] = store.unreadable_deletions_sent_again().items()
    assert request == "r1"
    assert quarantine_id == store.privacy_quarantine()[0]["id"]


def test_a_listing_resend_releases_only_with_the_same_utterances(store, lake):
    listing = {"request_id": "r2", "customer_id": "c1", "scope": "utterances", "utterance_ids": ["u2", "u1"],
               "requested_at": "2026-11-25"}  # fmt: skip
    _take_in(store, lake, "landing/deletions/a.jsonl", listing)
    _take_in(store, lake, "landing/deletions/b.jsonl",
             {**listing, "utterance_ids": ["u2"], "requested_at": "2026-11-25T00:00:00Z"})  # fmt: skip
    assert store.held_customers() == {"c1"}
    _take_in(store, lake, "landing/deletions/c.jsonl",
             {**listing, "request_id": "r3", "utterance_ids": ["u2", "u1"], "requested_at": "2026-11-25"})  # fmt: skip
    _take_in(store, lake, "landing/deletions/d.jsonl",
             {**listing, "request_id": "r3", "utterance_ids": ["u1", "u2"], "requested_at": "2026-11-25T00:00:00Z"})  # fmt: skip
    assert set(store.unreadable_deletions_sent_again().values()) == {"r3"}  # in another order: the same list


@pytest.mark.parametrize(
    "resend, released",
    [
        ({"source": "app"}, True),  # the same event sent again readable: what the record said
        ({"source": "app", "status": "OPTED_OUT "}, True),  # an enumeration in another case
        ({"source": "app", "status": "opted_in"}, False),
        ({"source": "app", "effective_at": "2026-11-20T00:00:00Z"}, False),
        ({"source": "app", "recorded_at": "2026-11-14T00:00:00Z"}, False),
    ],
    ids=["same", "same_in_another_case", "other_status", "other_effective_at", "other_recorded_at"],
)
def test_a_consent_resend_answers_the_doubt_only_when_it_agrees(store, lake, resend, released):
    _take_in(store, lake, "landing/consent/a.jsonl", OPT_OUT)
    _take_in(store, lake, "landing/consent/b.jsonl", {**OPT_OUT, **resend})
    doubt = store.doubt_opt_outs().column("customer_id").to_pylist()
    assert doubt == ([] if released else ["c1"])
    if resend.get("recorded_at") == "2026-11-14T00:00:00Z":  # recorded before the record: no release
        assert store.held_customers() == {"c1"}
