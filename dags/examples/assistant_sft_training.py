"""
### assistant_sft_training — an example training job that consumes the published dataset

Scheduled on the dataset's Asset (`utterance-governance/assistant-sft`, whose URI is the
dataset's real location: `file:///…/published/assistant-sft` or `s3://…/published/assistant-sft`):
it runs whenever `utterances_publish` or `privacy_requests` announces a new version.

1. **select_version** — the newest triggering event's version (the live one on a manual run) is
   read through the absolute manifest URL in the event, refused if it is revoked, and recorded in
   the governance store as consumed by this run (`training_runs`).
2. **train** — stands in for fine-tuning: reads every shard the manifest lists, by URL, and checks
   the rows add up. A real job would call
   `datasets.load_dataset("parquet", data_files=<the shard URLs>)`.

When a purge revokes a version, the `privacy_requests` asset event names the revoked versions
and this DAG's runs that consumed them (`training_runs`), and says whether copies must be
erased (`erase_copies`): the model owner's cue to act. The governance view lists them too.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

from ug_airflow import dataset_asset

DATASET = dataset_asset()


@dag(
    dag_id="assistant_sft_training",
    description="Example training job: consumes each published version and records which one it used",
    schedule=[DATASET],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "ml-training"},  # the team that trains on the dataset
    tags=["utterance-governance", "training", "example"],
    doc_md=__doc__,
)
def assistant_sft_training():
    @task
    def select_version() -> dict:
        """Which version this run trains on, checked (not revoked) and recorded as consumed."""
        from ug_airflow.lineage import consume_latest

        context = get_current_context()
        return consume_latest(
            context["dag"].dag_id, context["run_id"], context.get("triggering_asset_events")
        )

    @task
    def train(selected: dict) -> dict:
        """Stand-in for fine-tuning: read every shard by its URL and count the rows."""
        import fsspec
        import pyarrow.parquet as pq

        rows = 0
        for url in selected["shards"]:
            with fsspec.open(url, "rb") as fh:
                rows += pq.ParquetFile(fh).metadata.num_rows
        if rows != selected["rows"]:
            raise ValueError(
                f"{selected['version']}: the shards hold {rows} rows, the manifest says {selected['rows']}"
            )
        return {"version": selected["version"], "rows": rows}

    train(select_version())


assistant_sft_training()
