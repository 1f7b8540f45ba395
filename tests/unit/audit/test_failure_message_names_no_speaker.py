"""The audit's failure message becomes the exception, the alert, the store's run record and log lines,
which a deletion does not reach: it names no row and no speaker key (a later delete-all scrubs the key
from the lake's reports, not from those). Review 10, F15."""

from __future__ import annotations

import sqlite3

import pyarrow as pa
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out, receipt

from utterance_governance.audit.findings import Finding
from utterance_governance.privacy import speaker_keys


def test_a_finding_line_for_text_that_outlives_a_deletion_names_no_speaker():
    finding = Finding("opted_out", "the customer's opt-out is in force now (speaker 4907be10933d50e2…)",
                      shard="v000001/shards/part-00000.parquet", utterance_id="u-zed-1")  # fmt: skip
    assert finding.line() == ("opted_out: shard v000001/shards/part-00000.parquet row u-zed-1: the customer's "
                              "opt-out is in force now (speaker 4907be10933d50e2…)")  # fmt: skip
    assert finding.line(row_id=False) == (
        "opted_out: shard v000001/shards/part-00000.parquet a row: the customer's opt-out is in force now"
    )


def test_a_delete_all_leaves_no_speaker_key_in_the_stored_audit_failure(tmp_path):
    from utterance_governance.jobs import failures
    from utterance_governance.jobs.audit import AuditFailed

    db = tmp_path / "governance.db"
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{db}")
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-zed-1", "zed", "play some jazz") + line("u-bob", "bob", "hi there you")
    )
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed"))
    lake.take_in()  # the opt-out is taken in; the daily audit runs before the hourly purge
    with pytest.raises(AuditFailed) as failed:
        lake.audit()
    with lake._environment():  # what the task's failure callback does (ug_airflow.alerts)
        failures.record_step_failure(
            "governance_audit", "governance_audit-009", "fail_on_violations", failed.value
        )
    prefix = speaker_keys(pa.array(["zed"]), lake.key.encode()).to_pylist()[0][:16]
    assert "opted_out" in str(failed.value) and prefix not in str(failed.value)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    con = sqlite3.connect(db)
    try:
        runs = con.execute("SELECT details FROM runs").fetchall()
    finally:
        con.close()
    assert any("opted_out" in (row[0] or "") for row in runs)  # the failure is recorded ...
    assert not [row for row in runs if prefix in (row[0] or "")]  # ... without the speaker
