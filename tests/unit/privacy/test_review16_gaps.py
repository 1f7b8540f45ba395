"""Three gaps in the privacy core the sixteenth review found, closed since: an id written in mixed case
(``privacy.state.Folds``, the store's ``speaker_folds``), one recording delivered twice under two ids (the
store's ``recording_twins``), customer-partitioned landing paths in the store (``purge.store_paths``). Each
test is the review's reproduction, end to end."""

from __future__ import annotations

import json
import sqlite3

from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

DT = "landing/utterances/dt=2026-11-20"
WORDS = "please turn on the kitchen lights now"


def test_a_delete_all_reaches_the_customer_written_in_mixed_case(lake):
    """One customer, two devices: one app writes the id in lower case, the other's firmware in title case."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-phone", "zed-cust-77", "what time is it in tokyo")
        + line("u-zed-speaker", "Zed-Cust-77", WORDS)
        + line("u-bob", "bob-cust-11", "what is the weather in paris"),
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}


def test_a_recording_delivered_twice_goes_when_the_customer_deletes_the_id_they_know(lake):
    """An at-least-once upstream sent the recording again under a new id the same night; dedup keeps the
    id that sorts first, the redelivery's; the customer deletes the id their app shows."""
    same = {"session_id": "s-42", "turn_index": 1}
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-0001", "zed-cust-77", WORDS, **same)
        + line("u-zed-0000-redelivered", "zed-cust-77", WORDS, **same)
        + line("u-bob", "bob-cust-11", "what is the weather"),
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("req-1", "zed-cust-77", "utterances", utterance_ids=["u-zed-0001"]),
    )
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}


def test_a_completed_delete_all_leaves_a_customer_partitioned_path_in_no_store_table_but_its_request(lake):
    row = json.loads(line("u-zed-0001", "zed-cust-77", WORDS))
    row.pop("customer_id")  # Spark's partitionBy("customer_id") drops the column
    lake.storage.write_bytes(f"{DT}/customer_id=zed-cust-77/part-0.jsonl", json.dumps(row).encode() + b"\n")
    lake.storage.write_bytes(
        f"{DT}/customer_id=bob-cust-11/part-0.jsonl", line("u-bob", "bob-cust-11", "hello there")
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    con = sqlite3.connect(lake.database_url.removeprefix("sqlite:///"))
    try:
        tables = [name for (name,) in con.execute("select name from sqlite_master where type = 'table'")]
        naming = {
            t
            for t in tables
            for r in con.execute(f'select * from "{t}"')
            if any("zed-cust-77" in str(v) for v in r)
        }
    finally:
        con.close()
    assert naming == {"deletion_requests"}
