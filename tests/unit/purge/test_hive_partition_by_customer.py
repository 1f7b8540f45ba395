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


def test_the_lakes_own_files_and_reports_name_no_customer_of_a_path(lake):
    """The path of an export partitioned by customer names them: its quarantine and decision files took
    their names from it, and a privacy run's report named it among its problems, with the error's text
    (review 11, F3). They show ``customer_id=[customer]``; the landing files are upstream's, and the store
    keeps the paths (as it keeps the requests' customer ids)."""
    import gzip
    import os
    from pathlib import Path

    lake.storage.write_bytes(f"{DT}/customer_id=zed-4417/part-00000.jsonl",
                             _without_customer("u-1", "remind me zebracornflakes") + b'{"broken\n')  # fmt: skip
    lake.storage.write_bytes(
        f"{DT}/customer_id=bob/part-00000.jsonl", line("u-3", "bob", "what is the weather")
    )
    # a gzip cut short in zed's partition: a privacy run reports it, by path, among its problems
    cut = gzip.compress(_without_customer("u-2", "call my sister"))[:-6]
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/customer_id=zed-4417/part-00000.jsonl.gz", cut)
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d0.jsonl", deletion("d0", "bob", scope="utterances", utterance_ids=["u-3"])
    )
    lake.privacy(check_deadlines=False)
    root = Path(lake.root)
    reports = [Path(d, n) for d, _, names in os.walk(root / "reports") for n in names]
    assert any(
        "customer_id=[customer]" in p.read_text(errors="replace") for p in reports
    )  # the problem, shown
    assert not [p for p in reports if "zed-4417" in p.read_text(errors="replace")]
    named = [
        str(Path(d, n).relative_to(root))
        for d, _, names in os.walk(root)
        for n in names
        if "zed-4417" in str(Path(d, n).relative_to(root))
        and not str(Path(d, n).relative_to(root)).startswith("landing/")
    ]
    assert named == []


def test_a_blocked_reason_names_no_customer_of_a_path(lake):
    """A consent export partitioned by customer that the reader does not take (a CSV) blocks publishing, and
    the blocked reasons named it by its raw path: those reasons go into every run's report and the
    governance view (review 13, F4)."""
    lake.storage.write_bytes("landing/consent/customer_id=zed-4417/c.csv", b"event_id,status\ne1,opted_out\n")
    lake.privacy()
    with lake.store() as store:
        reasons = store.privacy_blocked_reasons()
    assert reasons and all("customer_id=[customer]" in r and "zed-4417" not in r for r in reasons), reasons
