"""Privacy records at the edges of what a reader and a store take, on SQLite and PostgreSQL alike:

- a raw control character (NUL, tab) inside a record's ``customer_id`` string makes the line invalid JSON;
  the salvage read no customer, so the record held no one and the customer's live rows stayed live;
- a time with no UTC instant in Python's calendar (``0001-01-01T00:00:00+01:00`` is in year 0) crashed
  every privacy run and every publish's intake, so no other customer's deletion was carried out either;
- a customer id of thousands of characters was published, and on PostgreSQL the opt-out naming it could not
  be stored with its id (an index entry holds about 2,700 bytes): the row stayed live. A customer id is at
  most 256 characters (``readers.MAX_CUSTOMER_ID_CHARS``, as access requests): longer, the utterance is
  malformed and never published."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out

from utterance_governance.io.readers import MAX_CUSTOMER_ID_CHARS

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def published(lake: Lake, customer: str = "zed-cust-7") -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-theirs", customer, "remind me about the quokka")
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-theirs", "u-bob"}


@pytest.mark.parametrize("raw", [b"\x00", b"\t", b"\x1f"], ids=["nul", "tab", "unit-separator"])
@pytest.mark.parametrize("kind", ["opt-out", "delete-all"])
def test_a_raw_control_character_in_a_records_customer_id_still_withdraws_the_customer(lake, raw, kind):
    published(lake)
    record = opt_out("ev-1", "zed-cust-7") if kind == "opt-out" else deletion("req-1", "zed-cust-7")
    path = "landing/consent/c.jsonl" if kind == "opt-out" else "landing/deletions/d.jsonl"
    lake.storage.write_bytes(path, record.replace(b'"zed-cust-7"', b'"zed-cust-7' + raw + b'"'))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}


@pytest.mark.parametrize(
    "times",
    [
        {"effective_at": "0001-01-01T00:00:00+01:00"},
        {"effective_at": "9999-12-31T23:59:59-01:00"},
        {"recorded_at": "0001-01-01T00:30:00+00:30"},
    ],
    ids=json.dumps,
)
def test_an_opt_out_stating_a_time_outside_the_calendar_withdraws_and_stops_nothing(lake, times):
    published(lake)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("ev-1", "zed-cust-7", **times))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-2", "bob-cust-11"))
    lake.privacy(check_deadlines=False)  # no crash: the record is unreadable, its customer held
    assert lake.live_ids() == set()  # and bob's deletion in another file is carried out


@pytest.mark.parametrize(
    "fields",
    [
        {"requested_at": "9999-12-31T23:59:59-01:00"},
        {"scope": "range", "from": "0001-01-01T00:00:00+01:00", "to": "2026-11-21T00:00:00Z"},
    ],
    ids=json.dumps,
)
def test_a_deletion_stating_a_time_outside_the_calendar_withdraws_and_the_night_runs(lake, fields):
    published(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-7", **fields))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             line("u-al", "al-cust-3", "lights on", captured_at="2026-11-21T10:00:00Z"))  # fmt: skip
    lake.publish()  # its privacy intake reads the record: no crash
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob", "u-al"}


def test_a_customer_id_longer_than_an_id_is_malformed_and_a_record_of_it_is_taken_in(lake):
    long_id = "k" * (MAX_CUSTOMER_ID_CHARS + 1)
    longest = "q" * MAX_CUSTOMER_ID_CHARS
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-long", long_id, "remind me about the quokka")
                             + line("u-longest", longest, "play some jazz")
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    counts = lake.publish()["counts"]
    assert lake.live_ids() == {"u-longest", "u-bob"}
    assert counts.get("malformed") == 1
    # a record naming a far longer id: stored on either backend (PostgreSQL cannot index it whole)
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", opt_out("ev-1", "x" * 2800) + opt_out("ev-2", longest)
    )
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
