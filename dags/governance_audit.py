"""
### governance_audit — prove that no live shard holds what it must not

Daily (and on demand). Re-reads **every row of every live shard** — the files, not the ledger —
and checks it against today's consent and deletion state, the identifier detectors, its own
content hash, and the ledger of recorded decisions; verifies the live version's manifest and
every shard's bytes, sha256 and row count; lists deletion requests near or past their deadline.

1. **prepare** — validate params (`access_request` switches the run to an access report).
2. **check_publication** — `current.json` → a complete, live version; shard files intact.
3. **scan_live_rows** — every live row: `deletion_requested`, `opted_out`, `no_consent`,
   `identifier_detected`, `content_hash_mismatch`, `not_in_ledger`, `ledger_row_missing`, ...
4. **check_deadlines** — `deletion_overdue` (a violation), `deletion_at_risk` (listed).
   **merge_ledger_eras** (beside the checks) — ledger upkeep: its eras merged down to a few, so a
   night's insert and lookups cost the same on an old dataset as on a new one (no row changes version).
5. **write_findings** — `reports/<run>/audit.json` and `reports/<run>/index.html`, whatever the
   checks' outcome, and `reports/index.html`.
6. **fail_on_violations** — any violation fails the run, naming shard, row and rule.

**Access report** (manual run with `{"access_request": "<reference>"}`): the privacy officer first
registers the request with `ug access request --customer-id ID --by NAME`, which keeps the customer id
in the governance store and prints a one-time reference; the run takes the reference, finds every
utterance the lake holds for that customer (landing, quarantine, staging, decisions, published
shards, versions) and writes it to the access reports' own location, **not the lake**:
`UG_ACCESS_REPORT_ROOT/reports/access/<speaker_key[:16]>/<run>/access.json|.html` (its own bucket
and credentials in production). A reference is good for one run; an unknown or used one, and any
raw `customer_id` param, is refused at `prepare`. The audit does not run in that mode.

At 6 a.m.: a failed `fail_on_violations` prints each violation (rule, shard, utterance_id) and
where the findings page is. Run `privacy_requests` to purge what a consent or deletion change
left live, restore a corrupt shard from its version, then re-run this audit.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.task.trigger_rule import TriggerRule

from ug_airflow import apply_airflow_overrides, run_context
from ug_airflow.alerts import on_run_failed, task_failure_notifier, task_timeout
from ug_airflow.retry import RETRY_ONLY_WHAT_HEALS

AUDIT_TASKS = ["check_publication", "scan_live_rows", "check_deadlines", "merge_ledger_eras"]


@dag(
    dag_id="governance_audit",
    description="Daily: prove no live shard holds anything it must not; access reports on request",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "access_request": Param(
            None,
            type=["null", "string"],
            description="For an access report (instead of the audit): the one-time reference "
            "`ug access request --customer-id ID --by NAME` printed. Never a customer id: it would stay "
            "in this run's conf. The report goes to UG_ACCESS_REPORT_ROOT, not the lake.",
        ),
    },
    default_args={
        "owner": "utterance-governance",  # the team on call for it (DAG list, alerts)
        # a violation fails at once (the policy); an unreachable object store or database retries
        "retries": int(os.environ.get("UG_TASK_RETRIES", "2")),
        "execution_timeout": task_timeout(),  # a hung task fails (and alerts) instead of waiting for ever
        "retry_delay": timedelta(minutes=2),
        "retry_policy": RETRY_ONLY_WHAT_HEALS,
        "on_failure_callback": [task_failure_notifier()],
    },
    on_failure_callback=on_run_failed,
    tags=["utterance-governance", "audit"],
    doc_md=__doc__,
)
def governance_audit():
    @task
    def prepare() -> dict:
        """Validate params and settings; decide between the audit and an access report."""
        from utterance_governance.jobs import audit

        apply_airflow_overrides()
        context = get_current_context()
        return audit.prepare(context["run_id"], context["params"])

    @task.branch
    def choose(ctx: dict) -> list[str]:
        return ["access_report"] if ctx["extra"]["mode"] == "access" else AUDIT_TASKS

    @task
    def check_publication(ctx: dict) -> dict:
        from utterance_governance.jobs import audit

        return audit.check_publication(run_context(ctx))

    @task
    def scan_live_rows(ctx: dict) -> dict:
        from utterance_governance.jobs import audit

        return audit.scan_live_rows(run_context(ctx))

    @task
    def check_deadlines(ctx: dict) -> dict:
        from utterance_governance.jobs import audit

        return audit.check_deadlines(run_context(ctx))

    @task(trigger_rule=TriggerRule.NONE_SKIPPED)
    def write_findings(ctx: dict | None) -> dict:
        """Runs when the checks are done, failed or not: the findings are written before any failure."""
        if ctx is None:  # prepare itself failed (its error says why): nothing was checked
            raise AirflowSkipException("prepare failed: there are no findings to write")
        from utterance_governance.jobs import audit

        return audit.write_findings(run_context(ctx))

    @task
    def fail_on_violations(result: dict) -> dict:
        from utterance_governance.jobs import audit

        return audit.fail_on_violations(result)

    @task
    def merge_ledger_eras(ctx: dict) -> dict:
        """Ledger upkeep beside the checks: its eras merged down to a few (no row changes version)."""
        from utterance_governance.jobs import audit

        return audit.merge_ledger_eras(run_context(ctx))

    @task
    def access_report(ctx: dict) -> dict:
        from utterance_governance.jobs import audit

        return audit.access_report(run_context(ctx))

    ctx = prepare()
    checks = [check_publication(ctx), scan_live_rows(ctx), check_deadlines(ctx)]
    choose(ctx) >> [*checks, merge_ledger_eras(ctx), access_report(ctx)]
    findings = write_findings(ctx)
    checks >> findings
    fail_on_violations(findings)


governance_audit()
