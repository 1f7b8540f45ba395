"""Failed runs are first-class, and only what can heal is retried: dag.test() with retries configured.

A deterministic failure (an overdue deletion, a failed quality gate) fails at once; a transient one
(the object store unavailable) is retried. A failed run is in the governance store with its failing
steps and errors (no transcript, no raw id), has a report page, shows as failed in ``ug status``, and
each failing step is mailed (once) to ``ug_alert_recipients``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.integration import test_alerts

from utterance_governance.cli import main as ug
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.run_keys import run_key
from utterance_governance.purge.receipts import DeletionOverdue, PurgeIncomplete

pytestmark = pytest.mark.integration
CUSTOMER = "cust-RAW-5150"
# the local SMTP server and webhook receiver of the alert tests
smtp_server, webhook_server, alerting = (
    test_alerts.smtp_server,
    test_alerts.webhook_server,
    test_alerts.alerting,
)


@pytest.fixture
def with_retries(dagbag, monkeypatch):
    """Give every task of a DAG ``retries`` (one second apart) for this test: as production has them."""

    def configure(dag_id: str, retries: int = 2):
        from ug_airflow.retry import RETRY_ONLY_WHAT_HEALS

        # dag.test() re-parses the DAG files into the metadata DB, where the scheduler reads `retries`
        monkeypatch.setenv("UG_TASK_RETRIES", str(retries))
        monkeypatch.setattr(RETRY_ONLY_WHAT_HEALS, "retry_delay", timedelta(seconds=1))
        dag = dagbag.get_dag(dag_id)
        for task in dag.tasks:
            monkeypatch.setattr(task, "retries", retries)
            monkeypatch.setattr(task, "retry_delay", timedelta(seconds=1))
        return dag

    return configure


@pytest.fixture
def generated(lake_env):
    from utterance_governance.synth.generator import generate_landing

    return generate_landing(str(lake_env), 600, seed=5, file_format="jsonl", days=1, files_per_day=1)


def tries(run) -> dict[str, int]:
    return {ti.task_id: ti.try_number for ti in run.get_task_instances()}


def late_request(storage: Storage, request_id: str = "late-1", days_ago: float = 40) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")
    request = {"request_id": request_id, "customer_id": CUSTOMER, "scope": "all", "requested_at": when}
    storage.write_bytes(f"landing/deletions/{request_id}.jsonl", json.dumps(request).encode() + b"\n")


def test_an_overdue_deletion_fails_at_once_a_storage_error_is_retried_and_the_run_is_recorded_failed(
    run_dag, lake_env, with_retries, monkeypatch, task_errors, alerting, capsys
):
    storage = Storage(str(lake_env))
    late_request(storage)
    from utterance_governance.purge import published as purge_module

    calls = []

    def unavailable(*args, **kwargs):
        calls.append(1)
        raise OSError("object store unavailable")

    monkeypatch.setattr(purge_module, "purge_published", unavailable)
    with_retries("privacy_requests", retries=2)
    run = run_dag("privacy_requests")
    assert run.state == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {
        "purge_published": OSError, "check_deadlines": DeletionOverdue, "any_step_failed": PurgeIncomplete}  # fmt: skip
    attempts = tries(run)
    assert len(calls) == 3 and attempts["purge_published"] == 3  # transient: retried twice
    assert attempts["check_deadlines"] == 1  # deterministic: not retried, whatever `retries` says

    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    (record,) = store.runs(dag_id="privacy_requests")
    assert record["status"] == "failed"
    details = record["details"]
    assert details["failed_steps"] == ["check_deadlines", "purge_published"]
    errors = {f["step"]: f["error"] for f in details["failures"]}
    assert errors["purge_published"] == "OSError: object store unavailable"
    assert errors["check_deadlines"].startswith("DeletionOverdue: 1 deletion request(s) past their deadline")
    assert details["report"].endswith("privacy_requests.json")  # the report step ran (ALL_DONE)
    page = storage.read_bytes(f"reports/{run_key('privacy_requests', run.run_id)}/index.html").decode()
    assert "FAILED" in page and "purge_published" in page and "object store unavailable" in page
    failure = json.loads(storage.read_bytes(details["failure_report"]))
    assert failure["status"] == "failed" and failure["failed_steps"] == ["check_deadlines", "purge_published"]

    # the run history says so
    assert ug(["status"]) == 1
    out = capsys.readouterr().out
    assert "[failed]" in out and "failed in: check_deadlines, purge_published" in out

    # each failing step mailed once, and the overdue request told about (no customer id anywhere)
    subjects = [m["Subject"] for m in alerting.mailbox.messages]
    assert "[utterance-governance] privacy_requests: purge_published failed" in subjects
    assert "[utterance-governance] privacy_requests: check_deadlines failed" in subjects
    assert "[utterance-governance] deletion OVERDUE: deletion request late-1" in subjects
    assert len(subjects) == 3
    everything = json.dumps(alerting.mailbox.texts()) + json.dumps(alerting.posts) + json.dumps(
        store.runs(), default=str) + page + json.dumps(failure, default=str)  # fmt: skip
    assert CUSTOMER not in everything
    store.dispose()


def test_a_request_that_lands_already_late_is_purged_and_its_breach_is_told(
    run_dag, lake_env, task_errors, alerting
):
    storage = Storage(str(lake_env))
    late_request(storage, "late-2", days_ago=35)
    run = run_dag("privacy_requests")
    assert run.state == "success" and task_errors == {}
    subjects = [m["Subject"] for m in alerting.mailbox.messages]
    assert subjects == ["[utterance-governance] deletion completed LATE: deletion request late-2"]
    assert [p["json"]["state"] for p in alerting.posts] == ["completed_late"]
    # the next hourly run tells nobody again
    assert run_dag("privacy_requests").state == "success"
    assert len(alerting.mailbox.messages) == 1 and len(alerting.posts) == 1


def test_a_failed_gate_is_not_retried_and_the_run_has_a_page_and_a_record(
    run_dag, lake_env, generated, with_retries, monkeypatch, task_errors, alerting
):
    # a redaction regression: the gate stops it, and retrying would only run GX again
    import utterance_governance.decide as decide
    from utterance_governance.jobs.publish import GateFailed

    monkeypatch.setattr(decide, "redact_array", lambda values, *args, **kwargs: values)
    with_retries("utterances_publish", retries=2)
    run = run_dag("utterances_publish")
    assert run.state == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {"gate_batch": GateFailed}
    assert tries(run)["gate_batch"] == 1  # deterministic: failed at once

    store = GovernanceStore(f"sqlite:///{lake_env.parent / 'governance.db'}")
    (record,) = store.runs(dag_id="utterances_publish")
    assert record["status"] == "failed" and record["details"]["failed_steps"] == ["gate_batch"]
    (failure,) = record["details"]["failures"]
    assert failure["error"].startswith("GateFailed: quality gate failed")
    storage = Storage(str(lake_env))
    report = json.loads(storage.read_bytes(record["details"]["report"]))  # write_report never ran
    assert report["status"] == "failed" and report["quality_gate"]["success"] is False
    page = storage.read_bytes(record["details"]["report"].replace("failure.json", "index.html")).decode()
    assert "FAILED" in page and "gate_batch" in page
    assert [m["Subject"] for m in alerting.mailbox.messages] == [
        "[utterance-governance] utterances_publish: gate_batch failed"]  # fmt: skip
    assert "@" not in json.dumps(report["failures"])  # no identifier the gate found leaks into the record
    store.dispose()
