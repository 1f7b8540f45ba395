"""
### utterances_publish — decide, clean, gate and publish new utterances

Nightly at 02:00 UTC (and on demand for backfills and re-runs):

1. **ingest_privacy** — new consent events and deletion requests into the governance store;
   unreadable ones are quarantined and hold their customer back (or block publishing). The run is
   marked in flight before it reads (a dry run from `discover_files`), until its staging goes: no
   deletion's receipt completes while it may still write a copy of what it read.
2. **discover_files** — new landing files under `landing/utterances/dt=*/` (late files for
   old partitions too; a file already processed is skipped unless `reprocess`).
3. **process_file** — one mapped task per file: read, decide every row with a reason code,
   redact both turns, stage the results (handles and shown paths, never frames or landing
   paths, go through XCom: `jobs.file_handles`).
4. **dedup_content** — one mapped task per hash partition of the night's batch (its size follows
   `partition_bytes`, never the night's volume): content already live or repeated this night.
5. **gate_partition** — one per partition by utterance id: ids already live or sent twice, then the
   Great Expectations gate on what is left; **gate_batch** combines the partitions' results. On
   failure nothing is published and the run says which expectations failed.
6. **withdraw_live** — the live version's rows that the privacy state now withdraws (this run's intake:
   a deletion, an opt-out, a hold, a policy's new opt-in region) are purged first, as `privacy_requests`
   purges them, so the version this run announces carries none of them; **announce_withdrawal** emits
   the purge's asset event (the revoked versions and the training runs that consumed them). The receipts
   record what it removed; the next `privacy_requests` run searches every other copy and completes them.
7. **publish** — shards and ledger rows one speaker partition at a time → manifest → atomic switch
   of `current.json`, under the dataset lock.
8. **announce** — an asset event for the new version (training DAGs schedule on it): the manifest's
   absolute URL and figures, the gate's verdict, the pseudonym key's fingerprint.
9. **compact_shards** — off by default (`compaction_fanout: 0`); when set, and the live version
   holds that many nightly batches (or merged batches of one level), they are merged into one, each
   customer's rows in one shard again, so a purge rewrites few shards however old the dataset; the
   merged files stay for `compaction_grace_hours` for training jobs reading an older version
   (docs/publishing.md, "Compaction by speaker"). Removes merged files whose grace period is over either way.
10. **write_report** — counts by reason, gate result, version: `reports/<run>/report.json`.

**Params** (manual runs): `dt_from` / `dt_to` (YYYY-MM-DD), `dry_run` (decide and report,
change nothing), `reprocess` (re-read the range; nothing is ever published twice).

**What a run covers**: a scheduled or manual run takes whatever landing files are new (late ones
for old partitions too), within `dt_from`/`dt_to` when given. A run of Airflow's **Backfill**
("run this Dag for a range of dates") processes exactly the `dt=` partitions of its data interval:
the schedule's interval is the previous day (the run at 02:00 on D has the interval
[D-1 02:00, D 02:00) and the logical date D-1), so a backfill from 2026-11-20 to 2026-11-22 runs
`dt=2026-11-20`, `dt=2026-11-21` and `dt=2026-11-22`, one run each. `dt_from`/`dt_to` in the
backfill's params win; `reprocess` there re-reads files already processed.

**Progress and metrics**: each file, gate partition and speaker partition of the publish logs a
`progress …` line (rows, seconds, rows/s; file names and counts only, never text or customer ids).
Counts by reason, gate verdicts and failing checks go to Airflow's StatsD / OpenTelemetry
(`[metrics]`) as `ug.publish.*` (README, "Metrics").

At 2 a.m.: a failed `gate_batch` names the failing expectations and where the batch is kept;
`reports/<run>/gate.json` has the details. Re-running is always safe.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.task.trigger_rule import TriggerRule

from ug_airflow import backfill_params, dataset_asset, new_run_context, run_context
from ug_airflow.alerts import on_run_failed, run_deadline, task_failure_notifier, task_timeout
from ug_airflow.retry import RETRY_ONLY_WHAT_HEALS

DATASET = dataset_asset()


def _pulled(mapped) -> list[dict]:
    """All results of a mapped task, by index (iterating would probe one past the end); a unit's list
    of results (``process_file`` of several files) gives each of them."""
    if not mapped:
        return []
    out: list[dict] = []
    for i in range(len(mapped)):
        result = mapped[i]
        out.extend(result if isinstance(result, list) else [result])
    return out


@dag(
    dag_id="utterances_publish",
    description="Nightly: decide, redact, gate and publish new utterances as a versioned, checksummed dataset",
    # a data interval of the previous day: a backfill run covers its dt= day (ug_airflow/backfill.py)
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params=backfill_params(),
    default_args={
        "owner": "utterance-governance",  # the team on call for it (DAG list, alerts)
        "retries": int(os.environ.get("UG_TASK_RETRIES", "2")),
        "execution_timeout": task_timeout(),  # a hung task fails (and alerts) instead of waiting for ever
        "retry_delay": timedelta(minutes=2),
        "retry_policy": RETRY_ONLY_WHAT_HEALS,  # a failed gate, blocked publishing, bad params: at once
        "on_failure_callback": [task_failure_notifier()],  # the step and its error: store, mail
    },
    on_failure_callback=on_run_failed,  # the run is recorded failed, with its page
    deadline=run_deadline("utterances_publish", "UG_PUBLISH_DEADLINE_HOURS"),  # not finished N hours after
    tags=["utterance-governance", "publish"],
    doc_md=__doc__,
)
def utterances_publish():
    @task
    def prepare() -> dict:
        """Validate params and settings (production without a pseudonym key refuses to start)."""
        return new_run_context("utterances_publish", backfill_covers_interval=True)

    @task
    def ingest_privacy(ctx: dict) -> dict:
        from utterance_governance.jobs import publish

        return publish.ingest_privacy(run_context(ctx))

    @task
    def discover_files(ctx: dict) -> list:
        """The new files, as at most ``[core] max_map_length`` units of work (a file, or a group), each
        file a handle and its shown path: XCom never holds a landing path (``jobs.file_handles``)."""
        from airflow.sdk.configuration import conf

        from utterance_governance.jobs import file_handles

        limit = conf.getint("core", "max_map_length", fallback=1024)
        return file_handles.discover(run_context(ctx), limit)

    @task(max_active_tis_per_dagrun=4)
    def process_file(ctx: dict, file: dict | list) -> list[dict]:
        from utterance_governance.jobs import file_handles

        return file_handles.process(run_context(ctx), file)

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def plan_partitions(staged) -> list[dict]:
        from utterance_governance.jobs import publish

        return publish.batch_partitions(_pulled(staged))

    @task(max_active_tis_per_dagrun=4)
    def dedup_content(ctx: dict, part: dict) -> dict:
        from utterance_governance.jobs import publish

        return publish.dedup_content(run_context(ctx), part)

    @task(max_active_tis_per_dagrun=4)
    def gate_partition(ctx: dict, part: dict) -> dict:
        from utterance_governance.jobs import publish

        return publish.gate_partition(run_context(ctx), part)

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def gate_batch(ctx: dict, staged, partials) -> dict:
        from utterance_governance.jobs import file_handles

        return file_handles.gate_batch(run_context(ctx), _pulled(staged), _pulled(partials))

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def withdraw_live(ctx: dict) -> dict:
        """The privacy run's purge of the live version, before this run publishes on top of it: a row its
        intake withdraws is not carried over into the version it announces."""
        from utterance_governance.jobs import privacy

        return privacy.withdraw_live(run_context(ctx))

    @task(outlets=[DATASET])
    def announce_withdrawal(withdrawn: dict, *, outlet_events=None) -> dict:
        """The purge's asset event (the versions revoked and the training runs that consumed them), as the
        privacy run announces its own."""
        from ug_airflow.lineage import purge_extra

        extra = purge_extra(withdrawn)
        if extra is None:
            raise AirflowSkipException(
                "nothing was withdrawn from the published dataset: nothing to announce"
            )
        outlet_events[DATASET].extra = extra
        return extra

    @task(trigger_rule=TriggerRule.NONE_FAILED, retries=0)
    def publish_version(ctx: dict, staged, gated: dict) -> dict:
        from utterance_governance.jobs import file_handles

        return file_handles.publish_version(run_context(ctx), _pulled(staged), gated)

    @task(outlets=[DATASET])
    def announce(published: dict, *, outlet_events=None) -> dict:
        """Emit the dataset's asset event, only when a new version went live."""
        if not published.get("new_version"):
            raise AirflowSkipException("no new version: nothing to announce")
        from ug_airflow.lineage import publish_extra

        # absolute manifest URLs, the key fingerprint, the manifest's figures and gate verdict
        outlet_events[DATASET].extra = publish_extra(published)
        return published

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def compact_shards(ctx: dict, published: dict) -> dict:
        """Merge the nightly batches by speaker when due (a separate step: a failure here never
        undoes the night's publish, and a retry finishes or reports the merge)."""
        from utterance_governance.jobs import publish

        return publish.compact(run_context(ctx))

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def write_report(ctx: dict, privacy: dict, published: dict) -> dict:
        from utterance_governance.jobs import file_handles

        return file_handles.write_report(run_context(ctx), privacy, published)

    ctx = prepare()
    privacy = ingest_privacy(ctx)
    files = discover_files(ctx)
    privacy >> files
    staged = process_file.partial(ctx=ctx).expand(file=files)
    parts = plan_partitions(staged)
    deduped = dedup_content.partial(ctx=ctx).expand(part=parts)
    partials = gate_partition.partial(ctx=ctx).expand(part=parts)
    deduped >> partials
    gated = gate_batch(ctx, staged, partials)
    withdrawn = withdraw_live(ctx)
    gated >> withdrawn
    announce_withdrawal(withdrawn)
    published = publish_version(ctx, staged, gated)
    withdrawn >> published
    announce(published)
    compact_shards(ctx, published)
    write_report(ctx, privacy, published)


utterances_publish()
