"""OpenLineage events of a publish, through Airflow's OpenLineage provider (lineage to training).

When ``announce`` puts a new version's asset event out, one OpenLineage ``COMPLETE`` event goes to the
transport configured in Airflow's ``[openlineage]`` section (HTTP to Marquez, Kafka, a file, the
console, ...), as a run of the announcing task (the run id the provider's own listener gives it, its
parent the DAG run):

- **inputs**: the landing partitions (``landing/utterances/dt=…``) the version's new rows were read
  from (the manifest's ``inputs``), each with its bytes and files (``inputStatistics``); never a
  file's path, which may name its customer;
- **output**: the published dataset at the lake's URL (the Asset's URI) with the version
  (``version`` facet), its rows, bytes and shards (``outputStatistics``) and the quality gate's
  result (``dataQualityAssertions``: the suite, and each failed check).

Dataset names follow OpenLineage's naming: ``file`` + absolute path for a local lake,
``s3://bucket`` + key for S3. Nothing is sent when OpenLineage is not configured (the provider's
``is_disabled``), and a transport that fails never fails the task (the adapter logs it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

PRODUCER = "https://github.com/utterance-governance/utterance-governance"


def ol_dataset(url: str) -> tuple[str, str]:
    """(namespace, name) of a lake URL by OpenLineage's naming: ``file`` + path, ``s3://bucket`` + key."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "file", parts.path
    return f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")


def publish_run_event(
    extra: Mapping[str, Any],
    manifest: Mapping[str, Any],
    *,
    data_root: str,
    job_namespace: str,
    job_name: str,
    run_id: str,
    parent: tuple[str, str] | None = None,
    event_time: datetime | None = None,
):
    """The OpenLineage ``COMPLETE`` event of a published version (``extra``: its asset event's extra)."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import (
        data_quality_assertions_dataset,
        dataset_version_dataset,
        input_statistics_input_dataset,
        output_statistics_output_dataset,
        parent_run,
    )

    from utterance_governance.publish.lineage import lake_url

    inputs = []
    for item in manifest.get("inputs", []):
        if "partition" not in item:  # a version published before manifests named partitions: no paths out
            continue
        namespace, name = ol_dataset(lake_url(data_root, item["partition"]))
        stats = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(
            size=item.get("bytes"), fileCount=item.get("files")
        )
        inputs.append(InputDataset(namespace=namespace, name=name, inputFacets={"inputStatistics": stats}))

    gate = manifest.get("quality_gate") or {}
    failed = list(gate.get("failed") or [])
    assertions = [
        data_quality_assertions_dataset.Assertion(
            assertion=gate.get("suite_name") or "quality_gate",
            success=bool(gate.get("success")),
            name="quality gate",
            expected=str(gate.get("evaluated", "")),
            actual=str(max(int(gate.get("evaluated") or 0) - len(failed), 0)),
            description="the Great Expectations gate of the batch (expectations evaluated / passed)",
        )
    ]
    assertions += [
        data_quality_assertions_dataset.Assertion(
            assertion=str(f.get("check")), success=False, severity="error"
        )
        for f in failed
    ]
    namespace, name = ol_dataset(extra["dataset_url"])
    output = OutputDataset(
        namespace=namespace,
        name=name,
        facets={
            "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=extra["version"]),
            "dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
                assertions=assertions
            ),
        },
        outputFacets={
            "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                rowCount=int(manifest.get("rows", 0)),
                size=sum(int(s.get("bytes", 0)) for s in manifest.get("shards", [])),
                fileCount=len(manifest.get("shards", [])),
            )
        },
    )
    run_facets = {}
    if parent is not None:
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent[0]), job=parent_run.Job(namespace=job_namespace, name=parent[1])
        )
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=(event_time or datetime.now(UTC)).isoformat(),
        run=Run(runId=run_id, facets=run_facets),
        job=Job(namespace=job_namespace, name=job_name),
        inputs=inputs,
        outputs=[output],
        producer=PRODUCER,
    )


def emit_publish_lineage(extra: Mapping[str, Any], data_root: str, dataset: str) -> bool:
    """Emit the publish's OpenLineage event from the running task; False when OpenLineage is off.

    Lineage never fails the announcement: an error building or sending the event is logged."""
    try:
        from airflow.providers.openlineage import conf as ol_conf
    except ImportError:  # the provider is not installed here
        return False
    if ol_conf.is_disabled():
        return False
    try:
        return _emit(ol_conf, extra, data_root, dataset)
    except Exception:
        log.warning("OpenLineage: the publish's event could not be built or sent", exc_info=True)
        return False


def _emit(ol_conf, extra: Mapping[str, Any], data_root: str, dataset: str) -> bool:
    from airflow.providers.openlineage.plugins.adapter import OpenLineageAdapter
    from airflow.sdk import get_current_context

    from utterance_governance.io.storage import Storage
    from utterance_governance.publish.commit import read_manifest

    manifest = read_manifest(Storage(data_root), dataset, extra["version"])
    context = get_current_context()
    ti, dag_run = context["ti"], context["dag_run"]
    date = dag_run.logical_date or dag_run.run_after
    adapter = OpenLineageAdapter()
    try:
        run_id = adapter.build_task_instance_run_id(
            dag_id=ti.dag_id, task_id=ti.task_id, try_number=ti.try_number, logical_date=date,
            map_index=ti.map_index,
        )  # fmt: skip
        parent = (adapter.build_dag_run_id(ti.dag_id, date, getattr(dag_run, "clear_number", 0)), ti.dag_id)
    except Exception:  # an id the provider cannot build for this run: a run of its own
        log.warning(
            "OpenLineage: no run id of the task; sending the publish as a run of its own", exc_info=True
        )
        run_id, parent = str(uuid.uuid4()), None
    event = publish_run_event(
        extra, manifest, data_root=data_root, job_namespace=ol_conf.namespace(),
        job_name=f"{ti.dag_id}.{ti.task_id}", run_id=run_id, parent=parent,
    )  # fmt: skip
    adapter.emit(event)
    return True
