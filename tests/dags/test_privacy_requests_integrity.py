"""privacy_requests: parses, is scheduled hourly, takes a dry_run param, and is wired as documented."""

from __future__ import annotations

import pytest
from airflow.task.trigger_rule import TriggerRule
from tests.airflow_env import ROOT


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not {k: v for k, v in bag.import_errors.items() if "privacy_requests" in k}
    return bag.dags["privacy_requests"]


def test_schedule_and_run_limits(dag):
    assert dag.fileloc.endswith("privacy_requests.py")
    assert dag.timetable.expression == "0 * * * *"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.doc_md and "privacy_requests" in dag.doc_md


def test_params(dag):
    assert set(dag.params.keys()) == {"dry_run"}
    assert dag.params["dry_run"] is False
    assert dag.params.get_param("dry_run").schema["type"] == "boolean"


def test_wiring(dag):
    # every step ends in the task that fails the run when one of them failed (the others run on: ALL_DONE)
    down = {t.task_id: sorted(set(t.downstream_task_ids) - {"any_step_failed"}) for t in dag.tasks}
    assert {t.task_id for t in dag.tasks if "any_step_failed" in t.downstream_task_ids} == set(down) - {
        "any_step_failed"
    }
    assert dag.get_task("any_step_failed").trigger_rule == TriggerRule.ONE_FAILED
    assert down["prepare"] == sorted(
        ["ingest", "purge_published", "purge_copies", "issue_receipts", "check_deadlines", "write_report"]
    )
    assert "purge_published" in down["ingest"]
    assert sorted(down["purge_published"]) == ["announce", "issue_receipts", "purge_copies", "write_report"]
    assert sorted(down["purge_copies"]) == ["issue_receipts", "write_report"]
    assert sorted(down["issue_receipts"]) == ["check_deadlines", "write_report"]
    # the report is written before a deadline fails the run
    assert down["write_report"] == ["check_deadlines"]
    assert down["check_deadlines"] == [] and down["announce"] == [] and down["any_step_failed"] == []
    # never publish more, always delete: purging and reporting go on after a failed step
    for task_id in ("purge_published", "purge_copies", "issue_receipts", "check_deadlines", "write_report"):
        assert dag.get_task(task_id).trigger_rule == TriggerRule.ALL_DONE, task_id
    assert [o.name for o in dag.get_task("announce").outlets] == ["utterance-governance/assistant-sft"]
