"""
### privacy_requests — opt-outs and deletions reach every copy, with receipts and deadlines

Hourly (and on demand):

1. **ingest** — new consent events and deletion requests into the governance store (idempotent);
   unreadable ones are quarantined with their reason: one naming its customer holds them back,
   one naming nobody blocks publishing (fail closed). Every deletion request gets a receipt
   and a deadline (`requested_at` + `deletion_deadline_days` of the policy). The run marks itself
   in flight (`staging/<run>/_in_flight.json`) before it reads, until its report: it writes the
   unreadable lines it read to the quarantine, so another run's receipts wait for it.
2. **purge_published** — under the dataset lock: every live shard holding an utterance that a
   deletion (any scope) covers or an opt-out in force now excludes is rewritten without those
   rows into a new version; unaffected shards are carried over by reference. The switch of
   `current.json` is atomic; then the replaced shard files are removed and every version that
   named them is marked **revoked** (it held rows that may no longer be used).
3. **purge_copies** — deletions only: landing, staging, quarantine and decisions files are
   rewritten without the deleted utterances (other lines kept byte for byte), and the
   processed-file registry follows, so a rewritten landing file is not taken as new input.
4. **issue_receipts** — what each request removed, per location, and the versions rewritten:
   in the store and in `reports/receipts/<request_id>.json` (no customer id, no text).
5. **announce** — an asset event for the new version, naming the versions it revokes and why, and
   the training runs that consumed them (`training_runs`; `erase_copies`: downstream copies must go);
   and, when a deletion names a customer an earlier opt-out withdrew, the versions that opt-out revoked
   (`erased_versions`, or `erase_only` when nothing was live to purge): their training runs must now erase them.
6. **check_deadlines** — tells a person (mail, webhook: see the README's "Alerts") of each deletion
   request at risk, overdue or completed after its deadline, once per request and state; then
   fails the run when a request is past its deadline without a completed receipt, after
   everything that could be purged was purged.
7. **write_report** — `reports/<run>/privacy_requests.json`; the run's in-flight mark goes (a failed
   run's: the DAG's failure callback).
8. **any_step_failed** — fails the run when any step above failed (skipped otherwise).

The purge steps run even when an earlier one failed: never publish more, always delete. The run is
still failed (red) when any of them failed.

**Params**: `dry_run` — find and report what would be purged, change nothing.

At 2 a.m.: a failed `check_deadlines` names the overdue requests; a failed purge step says
what it could not do, and the receipts stay open until a run completes them. Re-running is
always safe: a run with nothing new to purge changes nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.task.trigger_rule import TriggerRule

from ug_airflow import dataset_asset, new_run_context, run_context
from ug_airflow.alerts import on_run_failed, run_deadline, task_failure_notifier, task_timeout
from ug_airflow.retry import RETRY_ONLY_WHAT_HEALS

DATASET = dataset_asset()


@dag(
    dag_id="privacy_requests",
    description="Hourly: purge opted-out and deleted customers from every copy, with receipts, before the deadline",
    schedule="0 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "dry_run": Param(
            False, type="boolean", description="Find and report what would be purged; change nothing."
        )
    },
    default_args={
        "owner": "utterance-governance",  # the team on call for it (DAG list, alerts)
        "retries": int(os.environ.get("UG_TASK_RETRIES", "2")),
        "execution_timeout": task_timeout(),  # a hung task fails (and alerts) instead of waiting for ever
        "retry_delay": timedelta(minutes=2),
        "retry_policy": RETRY_ONLY_WHAT_HEALS,  # an overdue deletion or a blocked publish fails at once
        "on_failure_callback": [task_failure_notifier()],
    },
    on_failure_callback=on_run_failed,  # the run is recorded failed, with its page
    deadline=run_deadline("privacy_requests", "UG_PRIVACY_DEADLINE_HOURS"),  # not finished N hours after
    tags=["utterance-governance", "privacy"],
    doc_md=__doc__,
)
def privacy_requests():
    @task
    def prepare() -> dict:
        """Validate params and settings (production without a pseudonym key refuses to start)."""
        return new_run_context("privacy_requests")

    @task
    def ingest(ctx: dict) -> dict:
        from utterance_governance.jobs import privacy

        return privacy.ingest(run_context(ctx))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def purge_published(ctx: dict) -> dict:
        from utterance_governance.jobs import privacy

        return privacy.purge_published(run_context(ctx))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def purge_copies(ctx: dict) -> dict:
        from utterance_governance.jobs import privacy

        return privacy.purge_copies(run_context(ctx))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def issue_receipts(ctx: dict, purged: dict | None, copied: dict | None) -> dict:
        from utterance_governance.jobs import privacy

        return privacy.issue_receipts(run_context(ctx), purged, copied)

    @task(outlets=[DATASET])
    def announce(purged: dict, *, outlet_events=None) -> dict:
        """Emit the dataset's asset event when a purge put a new version live, or a deletion names a speaker an
        earlier opt-out withdrew (their training runs are told to erase the versions it revoked)."""
        from ug_airflow.lineage import purge_extra

        # the new version, the versions revoked and the training runs that consumed them
        extra = purge_extra(purged)
        if extra is None:
            raise AirflowSkipException("nothing was purged from the published dataset: nothing to announce")
        outlet_events[DATASET].extra = extra
        return extra

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def check_deadlines(ctx: dict, issued: dict | None) -> dict:
        from ug_airflow.alerts import send_deletion_alerts
        from utterance_governance.jobs import privacy

        run = run_context(ctx)
        send_deletion_alerts(run)  # at risk, overdue, completed late: each request and state told once
        return privacy.check_deadlines(run, issued)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def write_report(ctx: dict, ingested: dict | None, purged: dict | None, copied: dict | None,
                     issued: dict | None) -> dict:  # fmt: skip
        from utterance_governance.jobs import privacy

        return privacy.write_report(run_context(ctx), ingested, purged, copied, issued)

    # (the failed step alerted already: this one does not)
    @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0, on_failure_callback=[])
    def any_step_failed() -> None:
        """Fails the run when a step failed. The steps after a failed one still run (``ALL_DONE``: what can be
        purged is purged, the receipts and the report say what was not), and Airflow judges a run by its last
        tasks only: without this one a failed intake, purge or receipt left the run green."""
        from utterance_governance.purge.receipts import PurgeIncomplete

        raise PurgeIncomplete(
            "a step of this run failed (see the failed task's log): what it had to do is not all done"
        )

    ctx = prepare()
    ingested = ingest(ctx)
    purged = purge_published(ctx)
    ingested >> purged
    copied = purge_copies(ctx)
    purged >> copied
    issued = issue_receipts(ctx, purged, copied)
    announced = announce(purged)
    report = write_report(ctx, ingested, purged, copied, issued)
    deadlines = check_deadlines(ctx, issued)
    deadlines << report
    [ctx, ingested, purged, copied, issued, announced, report, deadlines] >> any_step_failed()


privacy_requests()
