"""A failed run in the governance store: its failing steps and errors, kept whoever writes the record
next; and the log of alerts sent (each subject and state once). SQLite and PostgreSQL (``store``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from utterance_governance.jobs import failures
from utterance_governance.jobs.publish import GateFailed

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def test_a_step_failure_makes_the_run_failed_and_a_later_report_keeps_the_failure(store):
    store.record_step_failure("r1", "privacy_requests", "purge_published", "OSError: gone", T0, 1)
    (run,) = store.runs()
    assert run["status"] == "failed"
    assert run["details"]["failures"][0]["step"] == "purge_published"
    # the ALL_DONE report step writes its record afterwards: the failure stays on it
    store.record_run("r1", "privacy_requests", T0, T0 + dt.timedelta(minutes=1), "failed", {"x": 1},
                     {"report": "reports/r1/privacy_requests.json"})  # fmt: skip
    (run,) = store.runs()
    assert run["details"]["failures"][0]["error"] == "OSError: gone"
    assert run["details"]["report"] == "reports/r1/privacy_requests.json" and run["counts"] == {"x": 1}
    record = store.mark_run_failed("r1", "privacy_requests", T0 + dt.timedelta(minutes=2),
                                   failed_steps=["purge_published", "check_deadlines"])  # fmt: skip
    assert record["details"]["failed_steps"] == ["check_deadlines", "purge_published"]
    assert store.runs(status="failed")[0]["run_id"] == "r1" and store.runs(status="success") == []
    assert store.run("privacy_requests", "r1")["status"] == "failed"


def test_mark_run_failed_without_a_record_creates_one(store):
    store.mark_run_failed("r2", "utterances_publish", T0, started_at=T0, failed_steps=["gate_batch"])
    run = store.run("utterances_publish", "r2")
    assert run["status"] == "failed" and run["details"]["failed_steps"] == ["gate_batch"]


def test_an_alert_is_recorded_once_per_subject_and_state(store):
    assert not store.alert_sent("deletion:d1", "at_risk")
    assert store.record_alert("deletion:d1", "at_risk", "at risk", ["smtp"], T0)
    assert not store.record_alert("deletion:d1", "at_risk", "at risk", ["smtp"], T0)
    assert store.alert_sent("deletion:d1", "at_risk") and not store.alert_sent("deletion:d1", "overdue")
    assert store.record_alert("deletion:d1", "overdue", "overdue", [], T0 + dt.timedelta(days=8))
    assert [a["state"] for a in store.alerts("deletion:d1")] == ["overdue", "at_risk"]


@pytest.mark.parametrize(
    "exc, kept, hidden",
    [
        (
            GateFailed("quality gate failed for run r: user_text_no_identifier"),
            "user_text_no_identifier",
            None,
        ),
        (ValueError("could not convert 'cust-0042' saying 'call me at 555 0100'"), "ValueError", "cust-0042"),
        (KeyError("cust-0042"), "KeyError", "cust-0042"),
        (FileNotFoundError(2, "No such file or directory", "landing/x.jsonl"), "landing/x.jsonl", None),
    ],
)
def test_an_error_is_kept_without_the_data_it_may_quote(exc, kept, hidden):
    text = failures.describe_error(exc)
    assert kept in text
    if hidden:
        assert hidden not in text and "555" not in text and "task log" in text


def test_a_failed_run_gets_a_report_and_a_page(tmp_path, monkeypatch, caplog):
    from utterance_governance.io.store import GovernanceStore

    monkeypatch.setenv("UG_DATA_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("UG_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "unit-test-key")
    failures.record_step_failure("utterances_publish", "manual__1", "gate_batch", GateFailed("gate: no"), 1)
    # the DAG's callback is not told which task failed (the Task SDK's run has no task instances)
    report = failures.record_failed_run("utterances_publish", "manual__1", [], reason="task_failure")
    assert "failed in ['gate_batch']" in caplog.text  # the step its task's callback recorded, not "[]"
    assert (
        report["failed_steps"] == ["gate_batch"] and report["failures"][0]["error"] == "GateFailed: gate: no"
    )
    lake = tmp_path / "lake" / "reports" / "utterances_publish__manual__1"
    assert json.loads((lake / "failure.json").read_text())["status"] == "failed"
    page = (lake / "index.html").read_text()
    assert "FAILED" in page and "gate_batch" in page and "GateFailed: gate: no" in page
    assert "manual__1" in (tmp_path / "lake" / "reports" / "index.html").read_text()
    store = GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}")
    (run,) = store.runs()
    assert (
        run["status"] == "failed"
        and run["details"]["report"] == "reports/utterances_publish__manual__1/failure.json"
    )
    store.dispose()


def test_the_alerting_components_open_the_store_without_the_pseudonym_key(tmp_path, monkeypatch):
    """The dag-processor (the failure callback of a task whose process died) and the triggerer (a missed
    deadline) have the store, never the key: opening the store asked for the key, so each alert logged
    "store unreachable", skipped the send-once check and went out again and again."""
    from ug_airflow.alerts import _store
    from utterance_governance.io.store import GovernanceStore

    url = f"sqlite:///{tmp_path / 'governance.db'}"
    GovernanceStore(url).create_schema()
    monkeypatch.setenv("UG_ENV", "production")
    monkeypatch.setenv("UG_DATA_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("UG_DATABASE_URL", url)
    monkeypatch.delenv("UG_PSEUDONYM_KEY", raising=False)
    store = _store()
    try:
        assert store.alert_sent("run:x", "failed") is False
    finally:
        store.dispose()


def test_a_failed_run_of_one_dag_leaves_another_dags_run_of_the_same_id_alone(tmp_path, monkeypatch):
    """Airflow names the 02:00 runs of utterances_publish and privacy_requests alike
    (``scheduled__<day>T02:00:00+00:00``). Keyed by the run id alone, the privacy run's failure removed
    the publish's in-flight mark (a deletion's receipt then completed while the publish could still write
    copies) and wrote its page over the publish's."""
    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store import GovernanceStore
    from utterance_governance.jobs.in_flight import in_flight_since, mark_in_flight
    from utterance_governance.jobs.run_keys import run_key

    monkeypatch.setenv("UG_DATA_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("UG_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "unit-test-key")
    monkeypatch.setenv("UG_ENV", "development")
    GovernanceStore(f"sqlite:///{tmp_path / 'g.db'}").create_schema()
    storage = Storage(str(tmp_path / "lake"))
    run_id = "scheduled__2026-12-04T02:00:00+00:00"
    started = dt.datetime.now(dt.UTC)
    publish_key = run_key("utterances_publish", run_id)
    mark_in_flight(storage, publish_key, run_id, started)
    storage.write_bytes(f"reports/{publish_key}/index.html", b"<html>the publish's page</html>")
    failures.record_failed_run("privacy_requests", run_id, ["purge_published"], reason="task_failure")
    assert in_flight_since(storage, started) == [started]
    assert storage.read_bytes(f"reports/{publish_key}/index.html") == b"<html>the publish's page</html>"
    assert storage.exists(f"reports/{run_key('privacy_requests', run_id)}/failure.json")
    assert run_key("privacy_requests", run_id) != publish_key
