"""The operations wiring of the DAGs: every task retries only what can heal and reports its failure;
every DAG records a failed run; a DeadlineAlert when a deployment asks for one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.airflow_env import ROOT

from ug_airflow.alerts import GovernanceFailureNotifier, on_run_failed
from ug_airflow.retry import HealingRetryPolicy

DAGS = ("utterances_publish", "privacy_requests", "governance_audit")
DEADLINES = {"utterances_publish": ("UG_PUBLISH_DEADLINE_HOURS", 6.0), "privacy_requests": ("UG_PRIVACY_DEADLINE_HOURS", 1.5)}  # fmt: skip


def _bag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag


@pytest.fixture(scope="module")
def bag():
    return _bag()


@pytest.mark.parametrize("dag_id", DAGS)
def test_every_task_has_the_retry_policy_and_the_failure_notifier(bag, dag_id):
    dag = bag.dags[dag_id]
    for task in dag.tasks:
        assert isinstance(task.retry_policy, HealingRetryPolicy), task.task_id
        callbacks = task.on_failure_callback if isinstance(task.on_failure_callback, list) else [task.on_failure_callback]  # fmt: skip
        # (the privacy run's last task fails it when a step failed: that step alerted already, once)
        notified = any(isinstance(c, GovernanceFailureNotifier) for c in callbacks)
        assert notified != (task.task_id == "any_step_failed"), task.task_id
    callbacks = (
        dag.on_failure_callback if isinstance(dag.on_failure_callback, list) else [dag.on_failure_callback]
    )
    assert on_run_failed in callbacks


@pytest.mark.parametrize("dag_id", sorted(DEADLINES))
def test_a_deadline_alert_only_when_the_deployment_sets_its_hours(monkeypatch, dag_id):
    from airflow.sdk.definitions.deadline import DagRunQueuedAtDeadline
    from airflow.serialization.serialized_objects import DagSerialization

    env, hours = DEADLINES[dag_id]
    monkeypatch.delenv(env, raising=False)
    assert not _bag().dags[dag_id].deadline  # the embedded default: `airflow dags test` must run
    monkeypatch.setenv(env, str(hours))
    dag = _bag().dags[dag_id]
    (alert,) = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    assert isinstance(alert.reference, DagRunQueuedAtDeadline)  # not the logical date: a day early, or past
    assert alert.interval == timedelta(hours=hours)
    assert alert.callback.path == "ug_airflow.alerts.deadline_missed"
    assert alert.callback.kwargs == {"dag_id": dag_id, "interval": f"{hours:g} hours"}
    assert DagSerialization.serialize_dag(dag)["deadline"]  # the scheduler can store it
