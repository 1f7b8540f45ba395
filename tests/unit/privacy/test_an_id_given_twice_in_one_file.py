"""A consent or deletion id one file gives twice is judged as the same pair from two files (review 14a, F01).

The reader quarantined every later record under an id the file (or an earlier piece of it) gave as
``duplicate_id``: it only held its customer, and its hold was released only by the same record in a later
batch, so a delete-all appended to a listing under its id (a correction) was never carried out while the
listing's receipt said completed, and an event id reused for another customer left the first customer's
opt-in unquestioned (published, in an opt-in region). Across files the store already kept both versions of
a deletion (``r1`` and ``r1~<digest>``, each carried out) and put both customers of a reused event id in
doubt; now within one file too. An exact repeat is the same record, taken in once, holding nobody."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.privacy.test_resend_must_agree_with_the_unreadable_record import _take_in
from tests.unit.purge.test_every_copy_edges import left_in_lake, line, receipt

from utterance_governance.io import readers

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"
LISTING = {"request_id": "r1", "customer_id": "c1", "scope": "utterances", "utterance_ids": ["u2"],
           "requested_at": "2026-11-25T00:00:00Z"}  # fmt: skip
EVERYTHING = {**LISTING, "scope": "all", "utterance_ids": None, "requested_at": "2026-11-26T00:00:00Z"}
OPT_IN = {"event_id": "e-7", "customer_id": "c1", "purpose": "model_training", "status": "opted_in",
          "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app"}  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _jsonl(*records: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_a_deletion_widened_in_the_same_file_is_carried_out(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "the zebracornflakes recipe")
                             + line("u2", "c1", "how far away is the moon")
                             + line("u3", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert {"u1", "u2", "u3"} <= lake.live_ids()
    # an export that carries both versions of the request (a correction appended to the day's file)
    lake.storage.write_bytes("landing/deletions/a.jsonl", _jsonl(LISTING, EVERYTHING))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "r1")["status"] == "completed"
    with lake.store() as store:
        [widened] = [r for r in store.deletion_requests().to_pylist() if r["request_id"] != "r1"]
    assert widened["request_id"].startswith("r1~") and widened["scope"] == "all"
    assert receipt(lake, widened["request_id"])["status"] == "completed"
    # the delete-all version is a request too: the customer's other words must leave the lake
    assert left_in_lake(lake, "zebracornflakes") == [], "the widened request was only held, never carried out"
    assert lake.live_ids() == {"u3"}


def test_an_event_id_another_customer_sent_in_the_same_file_puts_the_first_in_doubt(lake):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the kitchen", locale="de-DE")
    )
    other = {**OPT_IN, "customer_id": "bob", "status": "opted_out"}
    lake.storage.write_bytes("landing/consent/a.jsonl", _jsonl(OPT_IN, other))
    lake.publish()
    assert "u1" not in lake.live_ids(), "the first customer of a reused event id was published on its word"
    with lake.store() as store:
        assert store.held_customers() == {"c1", "bob"}


def test_the_pair_in_one_file_is_held_as_in_two(store, lake):
    """The same two records give the same holds, doubt and requests in one file as in two."""
    other = {**OPT_IN, "customer_id": "bob", "status": "opted_out"}
    _take_in(store, lake, "landing/consent/one.jsonl", OPT_IN, other)
    _take_in(store, lake, "landing/deletions/one.jsonl", LISTING, EVERYTHING)
    in_one = (store.held_customers(), store.doubt_opt_outs().column("customer_id").to_pylist(),
              sorted(store.deletion_requests().column("request_id").to_pylist()))  # fmt: skip
    with store.engine.begin() as conn:  # a fresh store's records: the same pair again, in two files
        for table in ("consent_events", "deletion_requests", "privacy_quarantine", "privacy_batches"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    _take_in(store, lake, "landing/consent/first.jsonl", OPT_IN)
    _take_in(store, lake, "landing/consent/second.jsonl", other)
    _take_in(store, lake, "landing/deletions/first.jsonl", LISTING)
    _take_in(store, lake, "landing/deletions/second.jsonl", EVERYTHING)
    in_two = (store.held_customers(), store.doubt_opt_outs().column("customer_id").to_pylist(),
              sorted(store.deletion_requests().column("request_id").to_pylist()))  # fmt: skip
    assert in_one == in_two
    assert in_one[0] == {"c1", "bob"} and sorted(in_one[1]) == ["bob", "c1"] and len(in_one[2]) == 2


@pytest.mark.parametrize("piece_bytes", [None, 300], ids=["one_piece", "pieces"])
def test_an_exact_repeat_in_one_file_is_one_record_and_holds_nobody(store, lake, monkeypatch, piece_bytes):
    if piece_bytes:
        monkeypatch.setattr(readers, "PIECE_BYTES", piece_bytes)
    filler = [{**OPT_IN, "event_id": f"f-{i}", "customer_id": f"x{i}"} for i in range(5)]
    _take_in(store, lake, "landing/consent/a.jsonl", OPT_IN, *filler, OPT_IN)
    _take_in(store, lake, "landing/deletions/a.jsonl", LISTING, LISTING)
    assert store.held_customers() == set() and store.privacy_quarantine() == []
    assert store.consent_events().num_rows == 6
    assert store.deletion_requests().column("request_id").to_pylist() == ["r1"]


def test_a_consent_event_corrected_in_one_file_holds_its_customer(store, lake):
    """Its own customer's event under the same id with another status: doubt, as across files."""
    _take_in(store, lake, "landing/consent/a.jsonl", OPT_IN,
             {**OPT_IN, "status": "opted_out", "recorded_at": "2026-11-02T00:00:00Z"})  # fmt: skip
    assert store.held_customers() == {"c1"}
    [held] = store.privacy_quarantine()
    assert (held["line"], held["detail"]) == (2, "conflicting_record:event_id")
