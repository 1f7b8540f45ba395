"""governance_audit end to end with dag.test(): a lake published by utterances_publish passes;
each way of tampering with a live shard fails the run, naming the rule; access reports."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.integration.conftest import PARAM_DEFAULTS, failed_with
from tests.unit.lakes import append_rows, flip_byte, rewrite_live_shard, shard_row

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.jobs.context import InvalidParams
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.reports.access import speaker_key_of
from utterance_governance.synth.generator import generate_landing, generate_privacy_updates

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"
KEY = "integration-test-key"


def _env(root, db) -> dict[str, str]:
    return {"UG_DATA_ROOT": str(root), "UG_DATABASE_URL": f"sqlite:///{db}", "UG_PSEUDONYM_KEY": KEY}


@pytest.fixture(scope="module")
def published_template(dagbag, tmp_path_factory):
    """One lake generated and published by utterances_publish, copied afresh for each test."""
    base = tmp_path_factory.mktemp("audit-template")
    # dated a few days back, so deletion deadlines are open whatever day the suite runs
    start = date.today() - timedelta(days=4)
    summary = generate_landing(str(base / "lake"), 2000, seed=13, file_format="mixed", start=start)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _env(base / "lake", base / "governance.db").items():
            mp.setenv(name, value)
        mp.setenv("UG_ENV", "development")
        run = dagbag.get_dag("utterances_publish").test(run_conf=PARAM_DEFAULTS["utterances_publish"])
    assert run.state == "success"
    return base, summary


@pytest.fixture
def lake(published_template, tmp_path, monkeypatch):
    base, summary = published_template
    shutil.copytree(base / "lake", tmp_path / "lake")
    for db in base.glob("governance.db*"):
        shutil.copy2(db, tmp_path / db.name)
    for name, value in _env(tmp_path / "lake", tmp_path / "governance.db").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("UG_ENV", "development")
    return (
        Storage(str(tmp_path / "lake")),
        GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}"),
        summary,
    )


def audit_of(run) -> dict:
    storage = Storage(str(run_root()))
    (found,) = [i for i in storage.list_files("reports", ("audit.json",)) if run_key(run.run_id) in i.path]
    return json.loads(storage.read_bytes(found.path))


def run_root():
    import os

    return os.environ["UG_DATA_ROOT"]


def run_key(run_id: str, dag_id: str = "governance_audit") -> str:
    from utterance_governance.jobs.run_keys import run_key as key

    return key(dag_id, run_id)


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_an_untouched_lake_passes_and_the_reports_are_written(run_dag, lake):
    storage, store, _ = lake
    started = datetime.now(UTC)
    run = run_dag("governance_audit")
    seconds = (datetime.now(UTC) - started).total_seconds()
    assert run.state == "success", states(run)
    assert states(run)["access_report"] == "skipped"
    report = audit_of(run)
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    assert report["passed"] and report["violations"] == 0 and report["counts"] == {}
    assert report["rows_checked"] == manifest["rows"] > 0
    assert report["shards_checked"] == len(manifest["shards"])
    assert report["ledger_rows"] == manifest["rows"]
    page = storage.read_bytes(f"reports/{run_key(run.run_id)}/index.html").decode()
    assert "PASSED" in page
    index = storage.read_bytes("reports/index.html").decode()
    assert f"{run_key(run.run_id)}/index.html" in index  # the audit
    publish_run = store.runs("utterances_publish")[0]
    publish_page = storage.read_bytes(
        f"reports/{run_key(publish_run['run_id'], 'utterances_publish')}/index.html"
    ).decode()
    assert 'href="gx/index.html"' in publish_page and storage.exists(
        f"reports/{run_key(publish_run['run_id'], 'utterances_publish')}/gx/index.html"
    )
    assert seconds < 60


def test_a_deleted_utterance_slipped_into_a_shard_with_a_fixed_manifest_fails(run_dag, lake, task_errors):
    storage, _, summary = lake
    deleted = next(u for u in summary.cast_utterances if u.expected == "deletion_requested")
    captured = datetime.fromisoformat(deleted.captured_at.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    row = shard_row(deleted.utterance_id, deleted.customer_id, captured, key=KEY.encode(),
                    user="remind me to buy milk", reply="Okay.")  # fmt: skip
    shard = rewrite_live_shard(storage, append_rows(row))
    run = run_dag("governance_audit")
    assert run.state == "failed"
    failed_with(task_errors, "fail_on_violations", AuditFailed)
    assert states(run)["write_findings"] == "success" and states(run)["fail_on_violations"] == "failed"
    report = audit_of(run)
    assert report["counts"].get("shard_sha256_mismatch") is None  # only a row-level check can see it
    (hit,) = [f for f in report["findings"] if f["rule"] == "deletion_requested"]
    assert (hit["shard"], hit["utterance_id"]) == (shard, deleted.utterance_id)
    assert deleted.customer_id not in json.dumps(report)


def test_a_flipped_byte_fails_the_checksum(run_dag, lake, task_errors):
    storage, _, _ = lake
    shard = flip_byte(storage)
    run = run_dag("governance_audit")
    assert run.state == "failed"
    failed_with(task_errors, "fail_on_violations", AuditFailed)
    hits = [f for f in audit_of(run)["findings"] if f["rule"] == "shard_sha256_mismatch"]
    assert [f["shard"] for f in hits] == [shard]


def test_a_leaked_email_in_a_live_row_fails(run_dag, lake, task_errors):
    storage, _, summary = lake
    customer = summary.us_untouched[0]
    row = shard_row("utt-leak-1", customer, "2026-11-20T10:00:00+00:00", key=KEY.encode(),
                    user="send it to jo.smith@example.com", reply="Sent.")  # fmt: skip
    rewrite_live_shard(storage, append_rows(row))
    run = run_dag("governance_audit")
    assert run.state == "failed"
    failed_with(task_errors, "fail_on_violations", AuditFailed)
    report = audit_of(run)
    assert {"identifier_detected", "not_in_ledger"} <= set(report["counts"])
    assert "jo.smith" not in json.dumps(report)
    assert "jo.smith" not in storage.read_bytes(f"reports/{run_key(run.run_id)}/index.html").decode()


def test_a_live_row_absent_from_the_ledger_fails(run_dag, lake, task_errors):
    storage, store, _ = lake
    version = read_current(storage, DATASET)["version"]
    victim = store.ledger_rows(DATASET, version).column("utterance_id")[0].as_py()
    store.delete_ledger_rows(DATASET, utterance_ids=[victim])
    run = run_dag("governance_audit")
    assert run.state == "failed"
    failed_with(task_errors, "fail_on_violations", AuditFailed)
    report = audit_of(run)
    assert report["counts"] == {"not_in_ledger": 1}
    assert report["findings"][0]["utterance_id"] == victim


def _register(store: GovernanceStore, customer_id: str) -> str:
    """``ug access request``: the customer id goes into the store; the officer gets the reference."""
    return store.register_access_request(customer_id, "officer-ana")


def test_an_access_report_by_reference_lists_a_customers_utterances(run_dag, lake, tmp_path, caplog):
    storage, store, summary = lake
    published = [u for u in summary.cast_utterances if u.expected == "published"]
    customer = published[0].customer_id
    mine = {u.utterance_id for u in summary.cast_utterances if u.customer_id == customer}
    reference = _register(store, customer)
    caplog.set_level("INFO")
    run = run_dag("governance_audit", {"access_request": reference})
    assert run.state == "success", states(run)
    assert states(run)["scan_live_rows"] == "skipped" and states(run)["fail_on_violations"] == "skipped"
    # written to the access reports' own root (development: a folder beside the lake), not the lake
    access_root = Storage(str(tmp_path / "lake-access-reports"))
    folder = f"reports/access/{speaker_key_of(customer, KEY.encode())[:16]}/{run_key(run.run_id)}"
    access = json.loads(access_root.read_bytes(f"{folder}/access.json"))
    assert access_root.exists(f"{folder}/access.html") and not storage.list_files("reports/access", ())
    listed = {u["utterance_id"]: u for u in access["utterances"]}
    assert mine <= set(listed)
    live = read_current(storage, DATASET)["version"]
    live_ids = {u for u, e in listed.items() if e["live"]}
    assert live_ids, "the customer has utterances in the live version"
    for uid in live_ids:
        assert "published" in listed[uid]["areas"] and live in [v["version"] for v in listed[uid]["versions"]]
        assert "landing" in listed[uid]["areas"] and listed[uid]["transcript"]
    assert all(customer not in info.path for info in storage.list_files("reports"))
    assert not storage.exists(f"reports/{run_key(run.run_id)}/audit.json")
    # the raw id is in no conf, XCom or log of the run; the request is spent
    assert customer not in json.dumps(run.conf)
    for ti in run.get_task_instances():
        assert customer not in json.dumps(ti.xcom_pull(task_ids=ti.task_id), default=str), ti.task_id
    assert "access report page" in caplog.text and customer not in caplog.text
    request = store.access_request(reference)
    assert request["status"] == "done" and request["run_id"] == run.run_id
    assert request["report_url"] == access_root.url(f"{folder}/access.json")


def test_a_used_or_unknown_reference_is_refused(run_dag, lake, task_errors):
    _, store, summary = lake
    reference = _register(store, summary.cast_utterances[0].customer_id)
    assert run_dag("governance_audit", {"access_request": reference}).state == "success"
    for conf in ({"access_request": reference}, {"access_request": "ar_" + "5" * 32}):
        task_errors.clear()
        run = run_dag("governance_audit", conf)
        assert run.state == "failed" and states(run)["prepare"] == "failed"
        failed_with(task_errors, "prepare", InvalidParams)
        assert states(run)["access_report"] != "success"


def test_a_raw_customer_id_is_refused(run_dag, lake, task_errors):
    storage, _, summary = lake
    run = run_dag("governance_audit", {"customer_id": summary.cast_utterances[0].customer_id})
    assert run.state == "failed" and states(run)["prepare"] == "failed"
    failed_with(task_errors, "prepare", InvalidParams)
    assert "ug access request" in str(task_errors["prepare"])
    assert not storage.list_files("reports/access")


def live_ids(storage: Storage) -> set[str]:
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    return {
        u
        for shard in manifest["shards"]
        for u in storage.read_parquet(f"published/{DATASET}/{shard['path']}", ["utterance_id"])
        .column(0)
        .to_pylist()
    }


def test_an_opt_out_or_deletion_taken_in_by_the_nightly_publish_leaves_the_live_version_with_it(
    run_dag, lake
):
    """The nightly publish takes the new records in and withdraws what they cover before it publishes
    (``withdraw_live``): the audit after it finds nothing live that must go; privacy_requests then purges
    the other copies. (Before, the publish left those rows live, and put a version on top, until the hourly
    purge; the audit then failed on each of them: ``take_in`` holds that case in the unit tests.)"""
    storage, _, summary = lake
    before = live_ids(storage)
    update = generate_privacy_updates(
        run_root(), summary, seed=3, at=datetime.now(UTC) - timedelta(minutes=5)
    )
    must_go = {
        u: d for u, d in update.expected.items() if d in ("opted_out", "deletion_requested") and u in before
    }
    assert must_go
    assert run_dag("utterances_publish").state == "success"  # takes the records in, withdraws, publishes
    assert not set(must_go) & live_ids(storage)
    run = run_dag("governance_audit")
    assert run.state == "success", audit_of(run)["counts"]
    assert run_dag("privacy_requests").state == "success"
    after = run_dag("governance_audit")
    assert after.state == "success", audit_of(after)["counts"]
    assert not set(must_go) & live_ids(storage)
