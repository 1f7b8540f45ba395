"""An export partitioned Hive-style by customer (Spark's ``partitionBy("customer_id")``) writes
``…/dt=…/customer_id=zed-4417/part-0.jsonl`` and drops the column from the rows. Read as no one's, the
rows were malformed and a delete-all of that customer never reached the file or its quarantine copy (review
10, F11): a row that gives no customer_id is the customer its path names."""

from __future__ import annotations

import json

from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt


def _without_customer(uid: str, text: str) -> bytes:
    row = json.loads(line(uid, "zed-4417", text))
    row.pop("customer_id")  # in the path, not in the rows
    return json.dumps(row).encode() + b"\n"


def test_a_delete_all_reaches_a_file_whose_path_names_the_customer(lake):
    rows = _without_customer("u-1", "remind me zebracornflakes") + _without_customer("u-2", "call my sister")
    lake.storage.write_bytes(f"{DT}/customer_id=zed-4417/part-00000.jsonl", rows)
    lake.storage.write_bytes(
        f"{DT}/Customer-ID=bob/part-00000.jsonl", line("u-3", "bob", "what is the weather")
    )
    lake.publish()
    assert {"u-1", "u-3"} <= set(lake.live_ids())  # the path's customer: published as theirs
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert "u-1" not in lake.live_ids() and "u-3" in lake.live_ids()


def test_an_opt_out_in_a_partitioned_consent_export_holds_its_customer(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", "zed-4417", "remind me about tulips")
                             + line("u-3", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    event = {"event_id": "e1", "purpose": "model_training", "status": "opted_out",
             "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes(
        "landing/consent/customer_id=zed-4417/c.jsonl", json.dumps(event).encode() + b"\n"
    )
    lake.privacy(check_deadlines=False)
    assert "u-1" not in lake.live_ids() and "u-3" in lake.live_ids()
