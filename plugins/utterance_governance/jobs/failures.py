"""Failed runs are first-class: recorded in the governance store with the failing step and its
error, given a report page, and shown in the run history like any other run.

Airflow calls these through ``ug_airflow.alerts`` — ``record_step_failure`` from each task that
fails for good (its ``on_failure_callback``), ``record_failed_run`` from the DAG's failure
callback once every task is done — so a run whose report step never ran (``write_report`` sits
downstream of the failure in ``utterances_publish``) is recorded all the same.

What is recorded holds no transcript and no raw id: an error's message is kept only when the
exception is this package's own (their messages are written to name steps, files, request ids
and counts, never a customer id or text) or Airflow's, or a plain OS error; anything else (a
driver's error quotes its SQL parameters, pyarrow quotes the value it could not convert) is kept
by its type alone, with a pointer to the task log. A kept message names a landing path as the
reports show paths (``readers.shown_path``: ``customer_id=[customer]``): an export partitioned by
customer puts the id in the path, and the record, ``failure.json`` and the alerts outlive a delete-all.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from utterance_governance.io.readers import shown_path
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.run_keys import run_key
from utterance_governance.settings import load_settings

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 1000
_QUOTING_MODULES = ("utterance_governance.", "airflow.", "ug_airflow.")
NOT_RECORDED = "message not recorded (it may quote data); see the task log"


def describe_error(exc: BaseException | None) -> str:
    """``Type: message`` of a failure, safe to keep in the store and to send in an alert."""
    if exc is None:
        return "no exception was reported (the task may have been killed or timed out); see the task log"
    cls = type(exc)
    module = cls.__module__ or ""
    if module.startswith(_QUOTING_MODULES):
        message = str(exc)
    elif module == "builtins" and isinstance(exc, OSError):  # an errno, a path, a storage error's words
        message = str(exc) or NOT_RECORDED
    else:
        message = NOT_RECORDED
    text = shown_path(f"{cls.__name__}: {message}".strip())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _store() -> GovernanceStore:
    return GovernanceStore.from_settings(
        load_settings(pseudonym_key=False)
    )  # at head, or refused: tasks never migrate


def record_step_failure(
    dag_id: str, run_id: str, step: str, exc: BaseException | None, try_number: int | None = None
) -> dict[str, Any]:
    """A task failed for good: the run is ``failed`` in the store, with the step and its error."""
    error = describe_error(exc)
    store = _store()
    try:
        store.record_step_failure(run_id, dag_id, step, error, datetime.now(UTC), try_number)
    finally:
        store.dispose()
    log.error("run %s of %s: step %s failed: %s", run_id, dag_id, step, error)
    return {"dag_id": dag_id, "run_id": run_id, "step": step, "error": error}


def record_failed_run(
    dag_id: str,
    run_id: str,
    failed_steps: list[str],
    *,
    reason: str | None = None,
    started_at: datetime | None = None,
    run_url: str | None = None,
) -> dict[str, Any]:
    """The run ended failed: its store record says so (with every failing step and error), and it
    gets ``reports/<run>/failure.json`` and a page ``reports/<run>/index.html`` (listed in
    ``reports/index.html``). Returns the failure report."""
    settings = load_settings(pseudonym_key=False)
    storage = Storage(settings.data_root)
    key = run_key(dag_id, run_id)
    now = datetime.now(UTC)
    from utterance_governance.jobs.in_flight import mark_in_flight, no_longer_in_flight

    # this callback writes copies too (failure.json copies the gate's samples, which name utterances): the run is
    # in flight again while it writes them, whatever its steps left (a failed gate dropped its mark already)
    mark_in_flight(storage, key, run_id, now)
    store = _store()
    try:
        failure_path = f"reports/{key}/failure.json"
        record = store.mark_run_failed(
            run_id, dag_id, now, started_at=started_at, failed_steps=failed_steps,
            details={"failure_report": failure_path, "reason": reason},
        )  # fmt: skip
        details = record["details"]
        report_path = details.get("report") if isinstance(details.get("report"), str) else None
        if not report_path:  # the report step never ran: the failure report is the run's report
            details["report"] = failure_path
            store.mark_run_failed(run_id, dag_id, now, details={"report": failure_path})
        gate_path = f"reports/{key}/gate.json"
        gate = json.loads(storage.read_bytes(gate_path)) if storage.exists(gate_path) else None
        report = {
            "run_id": run_id,
            "dag_id": dag_id,
            "dataset": settings.dataset,
            "status": "failed",
            "reason": reason,
            "started_at": record["started_at"],
            "finished_at": now,
            "failed_steps": details.get("failed_steps", []),
            "failures": details.get("failures", []),
            "counts": record.get("counts") or {},
            "quality_gate": gate,
            "run_report": report_path,
            "airflow_run": run_url,
        }
        try:
            storage.write_bytes(failure_path, json.dumps(report, indent=2, default=str).encode())
            _write_failure_page(storage, store, report, key)
        finally:
            # a failed run writes no more copies once its failure report is written (the gate's samples name
            # utterances): recorded ended after that (a privacy run's receipts wait for a run that ended after
            # its copies purge searched), then no longer in flight. Not recorded (the store failed): the mark
            # stays, and counts until IN_FLIGHT_HOURS after the run's last step
            store.mark_run_failed(run_id, dag_id, datetime.now(UTC))
            no_longer_in_flight(storage, key)
    finally:
        store.dispose()
    # (the steps the tasks' own callbacks recorded: the DAG's callback is not told which failed)
    log.error(
        "run %s of %s failed in %s; report: %s",
        run_id,
        dag_id,
        report["failed_steps"] or "a step no task callback recorded",
        storage.url(failure_path),
    )
    return report


def _write_failure_page(storage: Storage, store: GovernanceStore, report: dict, key: str) -> None:
    """The failed run's page beside its report; a page that fails to render is logged, not raised."""
    try:
        from utterance_governance.policy import load_policy
        from utterance_governance.reports.site import write_run_page

        summary: dict[str, Any] = {
            "status": "FAILED",
            "failed steps": ", ".join(report["failed_steps"]) or "—",
        }
        for failure in report["failures"][-10:]:
            summary[f"error in {failure['step']}"] = failure["error"]
        if report.get("airflow_run"):
            summary["Airflow run"] = report["airflow_run"]
        page = {**report, "summary": summary, "decided_at": report["started_at"]}
        write_run_page(storage, store, page, run_key=key, policy=load_policy(load_settings(pseudonym_key=False).policy_file),
                       now=datetime.now(UTC))  # fmt: skip
    except Exception:
        log.exception(
            "could not render the page of failed run %s; failure.json is complete", report["run_id"]
        )
