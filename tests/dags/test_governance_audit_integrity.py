"""governance_audit: parses, is scheduled and wired as documented, and parses without heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.airflow_env import ROOT

DAG_ID = "governance_audit"
CHECKS = ["check_deadlines", "check_publication", "scan_live_rows"]


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / f"{DAG_ID}.py"))
    assert bag.import_errors == {}
    return bag.dags[DAG_ID]


def test_schedule_and_run_settings(dag):
    assert dag.fileloc.endswith(f"{DAG_ID}.py")
    assert dag.timetable.expression == "0 6 * * *"
    assert dag.catchup is False and dag.max_active_runs == 1
    assert dag.doc_md and DAG_ID in dag.doc_md and "reports/access/" in dag.doc_md


def test_params_take_an_optional_access_request_reference_never_a_customer_id(dag):
    assert set(dag.params.keys()) == {"access_request"}
    assert dag.params["access_request"] is None


def test_wiring(dag):
    down = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert down["prepare"] == sorted(
        ["choose", *CHECKS, "merge_ledger_eras", "access_report", "write_findings"]
    )
    assert down["choose"] == sorted([*CHECKS, "merge_ledger_eras", "access_report"])
    for check in CHECKS:
        assert down[check] == ["write_findings"]
    assert down["write_findings"] == ["fail_on_violations"]
    # the ledger's upkeep beside the checks: its failure fails the run, never the findings
    assert (
        down["fail_on_violations"] == [] and down["access_report"] == [] and down["merge_ledger_eras"] == []
    )
    # findings are written whether the checks passed or failed, and never in an access run
    assert dag.get_task("write_findings").trigger_rule == "none_skipped"
    assert all(t.retries == 0 for t in dag.tasks)


def test_parsing_imports_nothing_heavy():
    code = (
        "import sys, runpy\n"
        f"sys.path[:0] = [{str(ROOT / 'plugins')!r}, {str(ROOT / 'dags')!r}]\n"
        f"runpy.run_path({str(ROOT / 'dags' / f'{DAG_ID}.py')!r})\n"
        "print(','.join(m for m in ('pyarrow', 'jinja2.environment', 'great_expectations', 'utterance_governance')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy = [m for m in out.stdout.strip().splitlines()[-1].split(",") if m]
    assert not {"pyarrow", "great_expectations", "utterance_governance"} & set(heavy), heavy
