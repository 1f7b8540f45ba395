"""The governance view's FastAPI app with TestClient: anonymous refused, a logged-in user sees the
governance picture, and no customer id or transcript reaches the page even though the store has them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore

DATASET = "assistant-sft"
CUSTOMERS = ["cust-RAW-0001", "cust-RAW-0002", "cust-RAW-0003"]
TRANSCRIPT = "please call my sister at home tonight"
NOW = datetime.now(UTC).replace(microsecond=0)


def _manifest(version: str, parent: str | None, rows: int, counts: dict) -> dict:
    return {
        "dataset": DATASET, "version": version, "parent_version": parent, "created_at": NOW.isoformat(),
        "run_id": f"run-{version}", "status": "live", "key_fingerprint": "0123456789abcdef",
        "shards": [{"path": f"{version}/shards/part-00000.parquet", "rows": rows, "bytes": 10, "sha256": "0" * 64}],
        "rows": rows, "new_rows": rows, "counts": counts, "quality_gate": {"success": True, "evaluated": 21},
    }  # fmt: skip


@pytest.fixture
def lake(tmp_path, monkeypatch):
    """A lake and store as the DAGs leave them: two versions (one revoked and consumed by a training
    run), runs with counts and their reports, privacy records naming customers, receipts, an audit."""
    root = tmp_path / "lake"
    monkeypatch.setenv("UG_DATA_ROOT", str(root))
    monkeypatch.setenv("UG_DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "view-test-key")
    storage = Storage(str(root))
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    store.create_schema()

    publish_counts = {"published": 941, "no_consent": 210, "duplicate": 216, "opted_out": 5}
    store.record_version(DATASET, "v000001", None, "manual__2026-12-01T02:00:00+00:00", NOW - timedelta(days=2),
                         f"published/{DATASET}/v000001/manifest.json", "live", publish_counts)  # fmt: skip
    store.record_version(DATASET, "v000002", "v000001", "manual__2026-12-02T03:00:00+00:00", NOW - timedelta(days=1),
                         f"published/{DATASET}/v000002/manifest.json", "live", {"deletion_requested": 12})  # fmt: skip
    store.set_version_status(DATASET, "v000001", "revoked")
    storage.write_bytes(f"published/{DATASET}/v000001/manifest.json",
                        json.dumps(_manifest("v000001", None, 941, publish_counts)).encode())  # fmt: skip
    storage.write_bytes(f"published/{DATASET}/v000002/manifest.json",
                        json.dumps({**_manifest("v000002", "v000001", 929, {"deletion_requested": 12}),
                                    "replaces": {"version": "v000001", "reason": ["deletion_requested"]}}).encode())  # fmt: skip
    storage.write_bytes(f"published/{DATASET}/current.json",
                        json.dumps({"version": "v000002", "manifest": "v000002/manifest.json",
                                    "switched_at": NOW.isoformat()}).encode())  # fmt: skip
    store.record_training_run(DATASET, "v000001", dag_id="assistant_sft_training", run_id="asset_triggered__t1",
                              consumed_at=NOW - timedelta(days=2), rows=941)  # fmt: skip

    run_id = "manual__2026-12-01T02:00:00+00:00"
    store.record_run(run_id, "utterances_publish", NOW - timedelta(days=2), NOW - timedelta(days=2), "success",
                     publish_counts, {"version": "v000001"})  # fmt: skip
    key = "utterances_publish__manual__2026-12-01T02_00_00_00_00"
    storage.write_bytes(f"reports/{key}/index.html", b"<html>run page</html>")
    storage.write_bytes(f"reports/{key}/gate.json", b'{"success": true}')
    storage.write_bytes(f"reports/{key}/gx/index.html", b"<html>data docs</html>")
    # a customer's access report, and a run that made one: never linked, never served
    storage.write_bytes(f"reports/access/{key}/index.html", f"<html>{TRANSCRIPT}</html>".encode())
    store.record_run("manual__access", "governance_audit", NOW - timedelta(hours=3), NOW, "success",
                     {"access_utterances": 3}, {"mode": "access"})  # fmt: skip

    # privacy records that name customers (the store holds their ids; the view must not show them)
    store.ingest_consent_events(pa.Table.from_pylist([
        {"event_id": f"e{i}", "customer_id": c, "purpose": "model_training", "status": "opted_out",
         "effective_at": NOW - timedelta(days=3), "recorded_at": NOW - timedelta(days=3), "source": "app"}
        for i, c in enumerate(CUSTOMERS)], schema=S.CONSENT), "landing/consent/a.jsonl")  # fmt: skip
    store.ingest_deletion_requests(pa.Table.from_pylist([
        {"request_id": "del-001", "customer_id": CUSTOMERS[0], "scope": "all", "from": None, "to": None,
         "utterance_ids": None, "requested_at": NOW - timedelta(days=28)},
        {"request_id": "del-002", "customer_id": CUSTOMERS[1], "scope": "all", "from": None, "to": None,
         "utterance_ids": None, "requested_at": NOW - timedelta(days=2)},
        {"request_id": "del-003", "customer_id": CUSTOMERS[2], "scope": "all", "from": None, "to": None,
         "utterance_ids": None, "requested_at": NOW - timedelta(days=5)}], schema=S.DELETION),
        "landing/deletions/a.jsonl")  # fmt: skip
    for rid, days in (("del-001", 28), ("del-002", 2)):
        store.upsert_receipt(rid, received_at=NOW - timedelta(days=days),
                             deadline_at=NOW - timedelta(days=days) + timedelta(days=30))  # fmt: skip
    store.upsert_receipt("del-003", received_at=NOW - timedelta(days=5), deadline_at=NOW + timedelta(days=25))
    store.upsert_receipt("del-003", status="completed", completed_at=NOW - timedelta(days=1),
                         removed_counts={"published_rows": 12, "landing_rows": 14}, versions_rewritten=["v000001"],
                         searched=["published", "landing", "staging"])  # fmt: skip

    # the latest audit, with a finding that names an utterance (left out by the view)
    audit_run = "scheduled__2026-12-03T04:00:00+00:00"
    audit_key = "governance_audit__scheduled__2026-12-03T04_00_00_00_00"
    audit = {"run_id": audit_run, "checked_at": NOW.isoformat(), "version": "v000002", "passed": False,
             "violations": 1, "warnings": 0, "incomplete": [], "counts": {"opted_out": 1}, "rows_checked": 929,
             "shards_checked": 1, "findings": [{"rule": "opted_out", "severity": "violation",
             "shard": "v000002/shards/part-00000.parquet", "utterance_id": "utt-SECRET-77",
             "message": "the customer opted out (speaker 3fa2…)"}]}  # fmt: skip
    storage.write_bytes(f"reports/{audit_key}/audit.json", json.dumps(audit).encode())
    store.record_run(audit_run, "governance_audit", NOW - timedelta(hours=1), NOW, "failed",
                     {"rows_checked": 929, "finding:opted_out": 1},
                     {"report": f"reports/{audit_key}/audit.json", "version": "v000002"})  # fmt: skip
    store.dispose()
    return root


@pytest.fixture(scope="module")
def auth_manager():
    """Airflow's auth manager (SimpleAuthManager, the default) over a migrated metadata DB: token
    validation looks revoked tokens up there."""
    import os
    import subprocess
    import sys

    from tests.airflow_env import ROOT, configure

    configure()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
    )
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


@pytest.fixture
def client(lake, auth_manager):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ug_airflow.governance_view.app import URL_PREFIX, create_app

    root = FastAPI()
    root.mount(URL_PREFIX, create_app())  # as the api-server mounts a plugin's fastapi_apps
    return TestClient(root, follow_redirects=False)


def token(auth_manager, role: str = "viewer") -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username=f"{role}-user", role=role))


def test_anonymous_is_refused(client):
    assert client.get("/governance/").status_code == 401
    assert client.get("/governance/snapshot.json").status_code == 401
    assert (
        client.get(
            "/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/gate.json"
        ).status_code
        == 401
    )
    browser = client.get("/governance/", headers={"Accept": "text/html"})
    assert browser.status_code == 303 and "/auth/login" in browser.headers["location"]
    assert "next=%2Fgovernance%2F" in browser.headers["location"]
    assert client.get("/governance/", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
    assert client.get("/governance/", cookies={"_token": "forged"}).status_code == 401


def test_a_logged_in_user_sees_the_governance_picture(client, auth_manager):
    page = client.get("/governance/", headers={"Authorization": f"Bearer {token(auth_manager)}"})
    assert page.status_code == 200, page.text
    html = page.text
    # the live version and its history, with the revoked one and the training run that consumed it
    assert 'id="live-version">v000002<' in html and "929" in html and "0123456789abcdef" in html
    assert (html.index('id="versions"') < html.index("v000001") or "revoked" in html) and "revoked" in html
    assert "assistant_sft_training/asset_triggered__t1" in html
    # counts by reason per run, pending requests with deadlines, receipts, the latest audit
    assert "no_consent <b>210</b>" in html and "published <b>941</b>" in html
    pending = html[html.index('id="pending"') : html.index('id="versions"')]
    assert "del-001" in pending and "del-002" in pending and "del-003" not in pending
    assert "at_risk" in pending  # del-001: due in two days
    receipts = html[html.index('id="receipts"') :]
    assert "del-003" in receipts and "published_rows <b>12</b>" in receipts
    audit = html[html.index('id="audit"') : html.index('id="receipts"')]
    assert "failed" in audit and "opted_out" in audit and "v000002/shards/part-00000.parquet" in audit
    # links to the gate result and the Data Docs, served through the view
    assert "/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/gate.json" in html
    assert "/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/gx/index.html" in html
    # no raw customer id, no transcript, no utterance id of a finding; no access report
    for secret in [*CUSTOMERS, TRANSCRIPT, "utt-SECRET-77", "reports/access"]:
        assert secret not in html, secret


def test_the_session_cookie_works_and_json_says_the_same(client, auth_manager):
    client.cookies.set("_token", token(auth_manager, "admin"))
    snapshot = client.get("/governance/snapshot.json")
    assert snapshot.status_code == 200
    body = snapshot.json()
    assert body["live"]["version"] == "v000002" and [v["version"] for v in body["versions"]] == [
        "v000002",
        "v000001",
    ]
    text = json.dumps(body)
    assert not any(secret in text for secret in [*CUSTOMERS, TRANSCRIPT, "utt-SECRET-77"])
    gate = client.get("/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/gate.json")
    assert gate.status_code == 200 and gate.json() == {"success": True}
    audit = client.get(
        "/governance/reports/governance_audit__scheduled__2026-12-03T04_00_00_00_00/audit.json"
    )
    assert audit.status_code == 200 and audit.json()["findings"][0]["rule"] == "opted_out"
    assert "utt-SECRET-77" not in audit.text  # the file keeps it; the view shows no utterance id
    docs = client.get(
        "/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/gx/index.html"
    )
    assert docs.status_code == 200 and "data docs" in docs.text
    # the Data Docs load CDN scripts: sandboxed, they run in an origin of their own, not Airflow's
    policy = docs.headers["content-security-policy"]
    assert policy.startswith("sandbox ") and "allow-same-origin" not in policy
    # only a run's page, gate result and Data Docs: never an access report, nothing outside reports/
    for path in (
        "access/utterances_publish__manual__2026-12-01T02_00_00_00_00/index.html",
        "../governance.db",
        "receipts/del-003.json",
        "manual__x/../../published/assistant-sft/current.json",
    ):
        assert client.get(f"/governance/reports/{path}").status_code == 404, path
    client.cookies.clear()


def test_the_plugin_registers_the_app_and_the_nav_entry():
    import importlib.util

    from tests.airflow_env import ROOT

    spec = importlib.util.spec_from_file_location(
        "governance_view_plugin", ROOT / "plugins" / "governance_view_plugin.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plugin = module.GovernanceViewPlugin
    assert plugin.fastapi_apps[0]["url_prefix"] == "/governance"
    (view,) = plugin.external_views
    assert (
        view["href"] == "governance/" and view["url_route"] == "governance" and view["destination"] == "nav"
    )


@pytest.fixture
def no_audit_role(auth_manager, monkeypatch):
    """A user whose role may read every DAG but governance_audit (``DataEngineer``, ``GovernanceViewer``):
    the auth manager's per-DAG answer, as FAB's gives it for those roles."""
    asked: list[str] = []
    granted = auth_manager.is_authorized_dag

    def is_authorized_dag(*, method, user, access_entity=None, details=None):
        asked.append(details.id)
        return details.id != "governance_audit" and granted(
            method=method, user=user, access_entity=access_entity, details=details
        )

    monkeypatch.setattr(auth_manager, "is_authorized_dag", is_authorized_dag)
    return asked


def test_a_role_that_may_not_read_a_dag_sees_none_of_its_runs_audit_or_files(
    client, auth_manager, no_audit_role
):
    """The view checked only that the user may use the website: a DataEngineer, whom Airflow refuses
    governance_audit's runs (403), read its findings, its access-report runs and its audit.json here."""
    bearer = {"Authorization": f"Bearer {token(auth_manager)}"}
    snapshot = client.get("/governance/snapshot.json", headers=bearer).json()
    assert "governance_audit" in no_audit_role
    assert snapshot["audit"] is None and snapshot["hidden"] == ["governance_audit"]
    assert {r["dag_id"] for r in snapshot["runs"]} == {"utterances_publish"}
    assert snapshot["receipts"] and snapshot["pending"]  # privacy_requests stays readable
    audit = client.get(
        "/governance/reports/governance_audit__scheduled__2026-12-03T04_00_00_00_00/audit.json",
        headers=bearer,
    )
    assert audit.status_code == 403
    page = client.get("/governance/", headers=bearer)
    assert page.status_code == 200 and "may not read governance_audit" in page.text
    assert "scheduled__2026-12-03T04:00:00+00:00" not in page.text
    run_page = client.get(
        "/governance/reports/utterances_publish__manual__2026-12-01T02_00_00_00_00/index.html", headers=bearer
    )
    assert run_page.status_code == 200  # utterances_publish's own page


def test_a_report_folder_no_known_run_wrote_needs_every_pipeline_dag(
    client, lake, auth_manager, no_audit_role
):
    Storage(str(lake)).write_bytes("reports/manual__dry/index.html", b"<html>a dry run's page</html>")
    bearer = {"Authorization": f"Bearer {token(auth_manager)}"}
    assert client.get("/governance/reports/manual__dry/index.html", headers=bearer).status_code == 403


def test_a_role_that_may_read_every_dag_sees_a_dry_runs_page(client, lake, auth_manager):
    Storage(str(lake)).write_bytes("reports/manual__dry/index.html", b"<html>a dry run's page</html>")
    bearer = {"Authorization": f"Bearer {token(auth_manager)}"}
    assert client.get("/governance/reports/manual__dry/index.html", headers=bearer).status_code == 200
