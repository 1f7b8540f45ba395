"""The governance view served run pages as they are stored (review 13, F10). It promises no utterance id, and
scrubbed the JSON it serves of row ids (``without_row_ids``), but ``reports/<run>/index.html`` and the Data
Docs under ``gx/`` went out raw: the audit's page lists every finding with its utterance id (the live rows a
deletion covers before the purge ran), the Data Docs the failing rows' ids, a failed run's page its error.
Any Airflow user who may read the DAG got them. Served HTML now has every row id its run's JSON results name
replaced, as the page escapes it (``html_without_row_ids``), and a path naming a customer shown as reports
show it."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.ops_view.test_view_app import auth_manager, token  # noqa: F401  (fixture)
from tests.unit.purge.test_every_copy_edges import DT, deletion, line

UID = "u-zed-live-77"


@pytest.fixture
def lake(tmp_path, monkeypatch) -> Lake:
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")
    for name, value in lake.env.items():
        monkeypatch.setenv(name, value)
    return lake


def test_the_view_serves_no_utterance_id_of_an_audit_finding(lake, auth_manager):  # noqa: F811
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ug_airflow.governance_view.app import URL_PREFIX, create_app
    from utterance_governance.jobs.audit import AuditFailed

    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line(UID, "zed", "remind me") + line("u-3", "bob", "what is the weather")
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed", scope="utterances", utterance_ids=[UID])
    )
    lake.take_in()  # takes the request in; the daily audit runs before the hourly purge
    with pytest.raises(AuditFailed):
        lake.audit()
    pages = [
        i.path
        for i in lake.storage.list_files("reports", (".html", ".json"))
        if i.path.startswith("reports/governance_audit") and UID.encode() in lake.storage.read_bytes(i.path)
    ]
    assert pages  # the lake's own copies name it (for the operator, and the purge scrubs them)

    root = FastAPI()
    root.mount(URL_PREFIX, create_app())
    client = TestClient(root, follow_redirects=False)
    client.cookies.set("_token", token(auth_manager, "admin"))
    served = {}
    for rel in pages:
        response = client.get(f"{URL_PREFIX}/{rel}")
        if response.status_code == 200:
            served[rel] = UID in response.text
    assert served, "none of the audit's reports is served"
    assert not any(served.values()), served


def test_data_docs_and_a_failed_runs_page_are_served_without_the_ids_and_paths_their_run_names(tmp_path):
    """The Data Docs of a failed gate list the failing rows' ids and the duplicate ids it found (as HTML
    escapes them); a page written before paths were shown names its customer. A run whose result cannot be
    read is not served: its ids are unknown."""
    import json

    from ug_airflow.governance_view.data import html_without_row_ids, without_row_ids
    from utterance_governance.io.storage import Storage

    storage = Storage(str(tmp_path))
    run = "reports/utterances_publish__r1"
    gate = {"success": False, "failed": [
        {"check": "utterance_id_unique", "column": "utterance_id", "sample_values": ["u-dup'7"],
         "sample_utterance_ids": []},
        {"check": "locale_known", "column": "locale", "sample_values": ["xx-XX"], "sample_utterance_ids": ["u-bad-1"]},
    ]}  # fmt: skip
    storage.write_bytes(f"{run}/gate.json", json.dumps(gate).encode())
    docs = b"<td>u-dup&#39;7</td><td>u-bad-1</td><td>xx-XX</td>"
    served = html_without_row_ids(storage, f"{run}/gx/validations/x.html", docs)
    assert served == b"<td>(not shown)</td><td>(not shown)</td><td>xx-XX</td>"
    page = b"<td>FileNotFoundError: landing/utterances/customer_id=zed-4417/a.jsonl</td>"
    assert b"zed-4417" not in html_without_row_ids(storage, f"{run}/index.html", page)
    served_gate = json.loads(without_row_ids(json.dumps(gate).encode()))
    assert "u-dup'7" not in json.dumps(served_gate) and served_gate["failed"][1]["sample_values"] == ["xx-XX"]

    storage.write_bytes(f"{run}/report.json", b"{not json")
    assert html_without_row_ids(storage, f"{run}/index.html", b"<p>u-bad-1</p>") is None
