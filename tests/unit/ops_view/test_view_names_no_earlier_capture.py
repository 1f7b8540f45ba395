"""The governance view shows no utterance id, the earlier capture's of a content live twice included (its id is a
field of the finding, not words of its message)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, line

WEATHER = "what is the weather in Lisbon"
LATER = "2026-11-20T11:00:00Z"


def _report_text(lake: Lake, customer_id: str) -> str:
    return Path(lake.access_report(customer_id)["json"].removeprefix("file://")).read_text()


@pytest.fixture
def dup_lake(tmp_path, monkeypatch) -> Lake:
    """A lake whose audit found a content live twice (the dedup switched off for a night, as a bug would)."""
    from utterance_governance.jobs import publish
    from utterance_governance.jobs.audit import AuditFailed

    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")
    for name, value in lake.env.items():
        monkeypatch.setenv(name, value)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-first-77", "ana-1234", WEATHER)
                             + line("u-other", "bob-1111", "set a timer"))  # fmt: skip
    lake.publish()
    with monkeypatch.context() as m:
        m.setattr(publish, "duplicate_mask", lambda hashes, rank, live: [False] * len(hashes))
        lake.storage.write_bytes(f"{DT}/c.jsonl", line("u-copy-1", "dee-1234", WEATHER, captured_at=LATER))
        lake.publish()
    with pytest.raises(AuditFailed):
        lake.audit()
    return lake


def test_the_governance_snapshot_shows_no_utterance_id_in_an_audit_findings_message(dup_lake):
    """Expected (README "Governance view": the latest audit's findings (rule, shard, message) ... "no utterance
    id"; data.py: "audit findings without their utterance id"): no utterance id anywhere in the snapshot.
    Actual: the ``duplicate_content`` finding's message names the earliest capture's utterance id
    ("... (utterance u-first-77) ..."), and ``_audit`` copies the message as is."""
    from ug_airflow.governance_view.data import governance_snapshot
    from utterance_governance.settings import load_settings

    snapshot = governance_snapshot(load_settings(pseudonym_key=False), datetime.now(UTC))
    assert snapshot["audit"] and any(f["rule"] == "duplicate_content" for f in snapshot["audit"]["findings"])
    assert "u-first-77" not in json.dumps(snapshot, default=str)


def test_the_served_audit_results_name_no_utterance_id_in_a_findings_message(dup_lake):
    """Expected: ``/governance/reports/<audit run>/audit.json`` and ``index.html`` are served with every row id
    replaced by ``(not shown)`` (``without_row_ids`` / ``html_without_row_ids``). Actual: the earliest capture's
    id in a ``duplicate_content`` message is no value under an ``utterance_id`` key, so neither scrub finds it and
    both files are served with it."""
    from ug_airflow.governance_view.data import html_without_row_ids, without_row_ids

    storage = dup_lake.storage
    (audit_json,) = [
        i.path for i in storage.list_files("reports", (".json",)) if i.path.endswith("/audit.json")
    ]
    served_json = without_row_ids(storage.read_bytes(audit_json))
    page = audit_json.removesuffix("audit.json") + "index.html"
    served_page = html_without_row_ids(storage, page, storage.read_bytes(page)) or b""
    assert b"u-copy-1" not in served_json  # (the finding's own id is scrubbed)
    assert b"u-first-77" not in served_json and b"u-first-77" not in served_page
