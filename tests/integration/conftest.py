"""Integration fixtures: a migrated Airflow metadata DB (once per session), DAG runs with
``dag.test()``, and generated lakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.airflow_env import ROOT, configure, migrated_metadata_db

PARAM_DEFAULTS = {
    "utterances_publish": {"dt_from": None, "dt_to": None, "dry_run": False, "reprocess": False},
    "privacy_requests": {"dry_run": False},
    "governance_audit": {"access_request": None},
}


@pytest.fixture(scope="session")
def airflow_db() -> str:
    home = configure()
    migrated_metadata_db(Path(home))
    return home


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return CurrentEnvironmentDags(bag)


class CurrentEnvironmentDags:
    """The DAG bag, whose ``get_dag`` parses the DAG's file again in the calling test's environment.

    The dataset's Asset URI is the lake's URL (``UG_DATA_ROOT`` at parse time) and each test has a
    lake of its own: a DAG parsed for another test would name an asset that dag.test() (which
    registers the DAGs as parsed now) no longer has. The asset's URI of an earlier test is retired
    first, as the scheduler orphans an asset no DAG references any more.
    """

    def __init__(self, bag):
        self.bag = bag

    def __getattr__(self, name):
        return getattr(self.bag, name)

    def get_dag(self, dag_id: str):
        from airflow.dag_processing.dagbag import DagBag

        dag = DagBag(dag_folder=self.bag.get_dag(dag_id).fileloc).get_dag(dag_id)
        retire_moved_assets()
        return dag


def retire_moved_assets() -> None:
    """Deactivate the dataset's Asset at any URI but the current lake's (what the scheduler does to
    an asset no DAG references any more), so that dag.test() can activate it at the new one."""
    from airflow.models.asset import AssetActive
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    from ug_airflow import dataset_asset

    asset = dataset_asset()
    with create_session() as session:
        stale = delete(AssetActive).where(AssetActive.name == asset.name, AssetActive.uri != asset.uri)
        session.execute(stale)


@pytest.fixture
def run_dag(dagbag):
    """Run a DAG end to end in-process with ``dag.test()``; return the finished DagRun."""

    def run(dag_id: str, conf: dict | None = None):
        dag = dagbag.get_dag(dag_id)
        # dag.test() keeps a run's conf in the DAG's params: always pass every param explicitly
        return dag.test(run_conf={**PARAM_DEFAULTS.get(dag_id, {}), **(conf or {})})

    return run


def failed_with(errors: dict, task: str, exception: type) -> None:
    """The run failed in ``task`` alone, with ``exception``: no other crash passes for the expected failure."""
    assert {t: type(e) for t, e in errors.items()} == {task: exception}, errors


def _failure_recorder():
    """An Airflow listener: the exception each failed task raised, by task id."""
    from airflow.sdk._shared.listeners import hookimpl

    class FailureRecorder:
        def __init__(self) -> None:
            self.errors: dict[str, BaseException] = {}

        @hookimpl
        def on_task_instance_failed(self, previous_state, task_instance, error) -> None:
            self.errors[task_instance.task_id] = error

    return FailureRecorder()


@pytest.fixture
def task_errors(dagbag):
    """``{task_id: exception}`` of every task that fails while the test runs DAGs with ``dag.test()``:
    a test of a failing run pins which task failed and why, so no other crash can pass for it."""
    from airflow.sdk.listener import get_listener_manager

    recorder = _failure_recorder()
    manager = get_listener_manager()
    manager.add_listener(recorder)
    try:
        yield recorder.errors
    finally:
        manager.pm.unregister(recorder)


@pytest.fixture
def lake_env(tmp_path, monkeypatch):
    """A fresh lake and governance store, set through the environment as a deployment would."""
    root = tmp_path / "lake"
    monkeypatch.setenv("UG_DATA_ROOT", str(root))
    monkeypatch.setenv("UG_DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("UG_PSEUDONYM_KEY", "integration-test-key")
    monkeypatch.setenv("UG_ENV", "development")
    return root
