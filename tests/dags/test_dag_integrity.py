"""DAG integrity: every DAG parses, is wired as documented, and parses without heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.airflow_env import ROOT

# CronDataIntervalTimetable: each run covers the previous day (test_backfill_interval)
EXPECTED = {"utterances_publish": "0 2 * * *"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


@pytest.mark.parametrize("dag_id, schedule", sorted(EXPECTED.items()))
def test_dag_ids_match_files_and_schedules(dagbag, dag_id, schedule):
    dag = dagbag.dags[dag_id]
    assert dag.fileloc.endswith(f"{dag_id}.py")
    assert dag.timetable.expression == schedule
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.doc_md and dag_id in dag.doc_md
    # the DAG list says what it does and who answers for it
    assert dag.description and len(dag.description) > 30
    assert {t.owner for t in dag.tasks} == {"utterance-governance"}


def test_utterances_publish_wiring(dagbag):
    dag = dagbag.dags["utterances_publish"]
    down = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert down["discover_files"] == ["process_file"]
    assert "gate_batch" in down["process_file"]
    # the night's batch in partitions: content, then ids (gated), then the combined gate
    assert sorted(down["plan_partitions"]) == ["dedup_content", "gate_partition"]
    assert down["dedup_content"] == ["gate_partition"]
    assert down["gate_partition"] == ["gate_batch"]
    assert sorted(down["gate_batch"]) == ["publish_version", "withdraw_live"]
    # what the run's intake withdraws leaves the live version before the night's version is put on top of it
    assert sorted(down["withdraw_live"]) == ["announce_withdrawal", "publish_version"]
    assert [o.name for o in dag.get_task("announce_withdrawal").outlets] == [
        "utterance-governance/assistant-sft"
    ]
    assert sorted(down["publish_version"]) == ["announce", "compact_shards", "write_report"]
    # the merge by speaker is a step of its own: its failure never undoes the night's publish
    assert down["compact_shards"] == [] and dag.get_task("compact_shards").trigger_rule == "none_failed"
    assert set(dag.params.keys()) == {"dt_from", "dt_to", "dry_run", "reprocess"}
    assert [o.name for o in dag.get_task("announce").outlets] == ["utterance-governance/assistant-sft"]


HEAVY = ("pandas", "numpy", "pyarrow", "great_expectations", "utterance_governance")


def test_parsing_imports_no_heavy_libraries():
    """Parse every DAG file in a fresh interpreter: pandas, numpy, pyarrow, Great Expectations and the
    product package must not load (SQLAlchemy loads, but Airflow imports it itself before any DAG)."""
    code = (
        "import sys, runpy, glob\n"
        f"sys.path[:0] = [{str(ROOT / 'plugins')!r}, {str(ROOT / 'dags')!r}]\n"
        f"for f in sorted(glob.glob({str(ROOT / 'dags' / '*.py')!r})): runpy.run_path(f)\n"
        f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (line,) = [text for text in out.stdout.splitlines() if text.startswith("loaded:")]
    loaded = [m for m in line.removeprefix("loaded:").split(",") if m]
    assert loaded == [], f"parsing the DAGs imported {loaded}"


def test_every_task_of_every_dag_has_a_timeout(dagbag, monkeypatch):
    """No execution_timeout: a task that hung (a read that never returns) waited for ever, silent, and
    every run queued behind it (one run at a time) with it."""
    from datetime import timedelta

    from ug_airflow.alerts import task_timeout

    assert task_timeout() == timedelta(hours=6)
    monkeypatch.setenv("UG_TASK_TIMEOUT_HOURS", "0")
    assert task_timeout() is None
    for dag_id, dag in dagbag.dags.items():
        if dag_id.startswith(("utterances_publish", "privacy_requests", "governance_audit")):
            assert all(task.execution_timeout == timedelta(hours=6) for task in dag.tasks), dag_id
