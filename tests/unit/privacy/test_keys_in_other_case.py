"""A record that gives a field twice, under keys that differ only in case or separators
(``"status": "opted_in", "Status": "opted_out"``), says two things: the reader does not choose one.
It is malformed (``duplicate_key:<field>``): a privacy record unreadable (its customer held), an
utterance quarantined, and a deletion of either customer it names reaches it."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.purge.test_every_copy_edges import left_in_lake, receipt

from utterance_governance.io.readers import read_landing_file

DT = "landing/utterances/dt=2026-11-20"


def utt(uid: str, customer: str, text: str, **extra) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                       "locale": "en-US", "transcript": text, "response": "Done.", "asr_confidence": 0.9,
                       **extra}).encode() + b"\n"  # fmt: skip


def test_an_opt_out_beside_an_opt_in_in_another_case_is_no_opt_in(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", utt("u-ann-1", "ann", "play some jazz") + utt("u-bob-1", "bob", "hi")
    )
    lake.publish()
    event = {"event_id": "e1", "customer_id": "ann", "purpose": "model_training", "status": "opted_in",
             "Status": "opted_out", "effective_at": "2026-11-21T00:00:00Z",
             "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(event).encode() + b"\n")
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob-1"}  # ann held: her record is unreadable


def test_a_delete_all_beside_a_listing_in_another_case_deletes_no_less(lake) -> None:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        utt("u-ann-1", "ann", "play some jazz") + utt("u-ann-2", "ann", "zebracornflakes") + utt("u-bob-1", "bob", "hi"),
    )  # fmt: skip
    lake.publish()
    request = {"request_id": "d1", "customer_id": "ann", "scope": "utterances", "utterance_ids": ["u-ann-1"],
               "SCOPE": "all", "requested_at": "2026-11-25T00:00:00Z"}  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps(request).encode() + b"\n")
    lake.privacy(check_deadlines=False)
    assert "u-ann-2" not in lake.live_ids()


def test_an_utterance_naming_two_customers_in_two_cases_is_reached_by_either_deletion(lake) -> None:
    row = json.loads(utt("u-x", "bob", "my locker code is zebracornflakes", Customer_ID="zed-4417"))
    lake.storage.write_bytes(f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n")
    lake.publish()
    assert "u-x" not in lake.live_ids()  # quarantined: whose words they are is not for the reader to choose
    lake.storage.write_bytes("landing/deletions/d.jsonl", json.dumps({
        "request_id": "d1", "customer_id": "zed-4417", "scope": "all",
        "requested_at": "2026-11-25T00:00:00Z"}).encode() + b"\n")  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []


@pytest.mark.parametrize("other", ["Customer_ID", "customerId", "CUSTOMER-ID", "ｃｕｓｔｏｍｅｒ＿ｉｄ"])
def test_the_reader_refuses_a_field_given_twice_in_any_spelling(tmp_path, other) -> None:
    from utterance_governance.io.storage import Storage

    storage = Storage(str(tmp_path))
    storage.write_bytes(
        f"{DT}/a.jsonl", utt("u-x", "bob", "hi", **{other: "zed"}) + utt("u-y", "bob", "hi", note="x")
    )
    read = read_landing_file(storage, f"{DT}/a.jsonl", "utterances")
    assert read.quarantine.column("detail").to_pylist() == ["duplicate_key:customer_id"]
    assert read.records.column("utterance_id").to_pylist() == ["u-y"]  # another key is no field twice
    table = pa.table({"utterance_id": ["u-x"], "customer_id": ["bob"], other: ["zed"]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    storage.write_bytes(f"{DT}/p.parquet", buf.getvalue())
    read = read_landing_file(storage, f"{DT}/p.parquet", "utterances")
    assert read.quarantine.column("detail").to_pylist() == ["unreadable_file:duplicate_column:customer_id"]
