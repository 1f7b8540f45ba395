"""Manual-run params: a key the DAG does not declare (a typo of ``dry_run``, a raw customer id) must be
refused at ``prepare`` with a clear reason, before any work (SPEC §7 "validated params")."""

from __future__ import annotations

import logging

import pytest

from utterance_governance.io.storage import Storage
from utterance_governance.jobs.context import InvalidParams
from utterance_governance.publish.commit import live_version
from utterance_governance.purge.receipts import PurgeIncomplete
from utterance_governance.synth.generator import generate_landing

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_a_typo_of_dry_run_is_refused_not_published(run_dag, lake_env, task_errors):
    """Expected: ``{"dryrun": true}`` (the engineer meant a dry run) is refused at prepare with
    InvalidParams naming the unknown key, and nothing is published.
    Before: the unknown key is accepted silently (RunContext.create puts it in ``extra``; Airflow
    passes undeclared conf keys through), the run is a real one and publishes v000001."""
    generate_landing(str(lake_env), 300, seed=5, file_format="jsonl", days=1, files_per_day=1)
    run = run_dag("utterances_publish", {"dryrun": True})
    assert live_version(Storage(str(lake_env)), DATASET) is None, "a typo'd dry run published a version"
    assert run.state == "failed" and states(run)["prepare"] == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {"prepare": InvalidParams}


def test_privacy_requests_refuses_an_unknown_param(run_dag, lake_env, task_errors):
    """Expected: privacy_requests with ``{"dry-run": true}`` is refused at prepare (InvalidParams).
    Before: the run succeeds as a real (destructive) purge run; the unknown key is ignored."""
    run = run_dag("privacy_requests", {"dry-run": True})
    assert run.state == "failed" and states(run)["prepare"] == "failed"
    # the steps that run whatever happened before them are skipped without a context, and the run's last
    # step fails it because a step failed
    assert {t: type(e) for t, e in task_errors.items()} == {
        "prepare": InvalidParams,
        "any_step_failed": PurgeIncomplete,
    }
    assert {t for t, s in states(run).items() if s == "skipped"} >= {
        "purge_published",
        "purge_copies",
        "check_deadlines",
    }


def test_an_unknown_param_holding_a_customer_id_is_refused_and_never_logged(
    run_dag, lake_env, task_errors, caplog, capfd
):
    """Expected: governance_audit refuses an undeclared key (here ``customer``, holding a raw customer
    id) at prepare, as it refuses ``customer_id``, and the id is in no task log.
    Before: the run succeeds; prepare returns the id in ``extra`` of the run context, which is
    logged ("Done. Returned value was: {... 'extra': {'customer': 'cus-…'}}") and sent through XCom
    to every task."""
    customer = "cus-REVIEWRAW0001"
    with caplog.at_level(logging.INFO):
        run = run_dag("governance_audit", {"customer": customer})
    logged = caplog.text + "".join(capfd.readouterr())  # task logs: the logging tree and Airflow's structlog
    assert customer not in logged, "a raw customer id from the run's params is in the task logs"
    assert run.state == "failed" and states(run)["prepare"] == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {"prepare": InvalidParams}
