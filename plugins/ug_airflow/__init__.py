"""The thin Airflow layer: params, overrides from Airflow connections/variables, the asset.

The product package (``utterance_governance``) never imports Airflow; the DAG files and
this module are the only places that do. Nothing here touches a database at import time.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from airflow.sdk import Asset, Param

log = logging.getLogger(__name__)

DATASET_NAME = os.environ.get("UG_DATASET") or "assistant-sft"


def lake_url(rel: str = "", data_root: str | None = None) -> str:
    """The absolute URL of ``rel`` in the lake (``UG_DATA_ROOT``): ``file:///…`` locally, else ``s3://…``.

    The rule of ``utterance_governance.publish.lineage.lake_url``, here without importing the
    product package (DAG files import this module at parse time).
    """
    root = (data_root or os.environ.get("UG_DATA_ROOT") or "./data").rstrip("/")
    if "://" not in root:
        root = Path(root).absolute().as_uri()
    rel = rel.lstrip("/")
    return f"{root}/{rel}" if rel else root


def dataset_asset(name: str = DATASET_NAME) -> Asset:
    """The published dataset as an Airflow Asset: training DAGs schedule on its events.

    Its URI is the dataset's real location in the lake (``file:///…/published/<name>`` or
    ``s3://bucket/prefix/published/<name>``), from ``UG_DATA_ROOT`` of the process parsing the DAGs:
    every Airflow component of a deployment has the same one. (The ``ug_data_root`` Airflow
    variable, read at run time, cannot move an Asset: the events' extra carries the run's own URLs.)
    """
    return Asset(name=f"utterance-governance/{name}", uri=lake_url(f"published/{name}"), group="dataset")


def backfill_params() -> dict[str, Param]:
    """Typed params of a manual run (validated by Airflow at trigger time, again by the job)."""
    return {
        "dt_from": Param(None, type=["null", "string"], format="date",
                         description="First dt= partition to process (YYYY-MM-DD). Empty: no lower bound."),
        "dt_to": Param(None, type=["null", "string"], format="date",
                       description="Last dt= partition to process (YYYY-MM-DD). Empty: no upper bound."),
        "dry_run": Param(False, type="boolean",
                         description="Decide and report only: publish nothing, change no state."),
        "reprocess": Param(False, type="boolean",
                           description="Treat the dt range as new (idempotent: nothing is published twice)."),
    }  # fmt: skip


_OVERRIDES = {  # Airflow variable -> environment variable of utterance_governance.settings
    "ug_data_root": "UG_DATA_ROOT",
    "ug_dataset": "UG_DATASET",
    "ug_policy_file": "UG_POLICY_FILE",
}


def apply_airflow_overrides() -> None:
    """Let the ``governance_db`` connection and ``ug_*`` variables override the environment.

    Called at the start of each task (never at parse time). Absent ones change nothing,
    so tests and ``airflow dags test`` run on the environment alone. The task's metrics go
    through Airflow's Stats from here on (``ug_airflow.metrics``).
    """
    from airflow.sdk import Connection, Variable

    from ug_airflow.metrics import install

    install()

    try:
        conn = Connection.get("governance_db")
    except Exception:  # not defined: the environment (or the embedded default) stands
        conn = None
    if conn is not None:
        os.environ["UG_DATABASE_URL"] = sqlalchemy_url(conn.get_uri())
    for variable, env in _OVERRIDES.items():
        try:
            value = Variable.get(variable, default=None)
        except Exception:
            value = None
        if value:
            os.environ[env] = value


def new_run_context(dag_id: str, backfill_covers_interval: bool = False) -> dict:
    """The ``prepare`` task of a DAG: validate the run's params and settings (production
    without a pseudonym key refuses to start) and return the context every task receives.

    ``backfill_covers_interval``: a run made by Airflow's Backfill processes the ``dt=`` partitions
    of its data interval (``ug_airflow.backfill``) unless its params give a dt range."""
    from airflow.sdk import get_current_context

    from utterance_governance.jobs.context import RunContext
    from utterance_governance.settings import load_settings

    apply_airflow_overrides()
    context = get_current_context()
    params = dict(context["params"])
    if backfill_covers_interval:
        from ug_airflow.backfill import run_params

        params = run_params(context, params)
    return RunContext.create(context["run_id"], dag_id, params, load_settings()).to_dict()


def run_context(ctx: dict | None):
    """A task's ``RunContext`` (from the dict ``prepare`` returned), after Airflow overrides. None (``prepare``
    failed, and a step that runs whatever happened before it got no context): the step is skipped, not failed
    with an error of its own; ``prepare``'s failure says why."""
    from utterance_governance.jobs.context import RunContext

    if ctx is None:
        from airflow.sdk.exceptions import AirflowSkipException

        raise AirflowSkipException("prepare failed: this run has no context to work with (see prepare's log)")
    apply_airflow_overrides()
    return RunContext.from_dict(ctx)


def sqlalchemy_url(uri: str) -> str:
    """An Airflow connection URI as a SQLAlchemy URL (``postgres://`` → ``postgresql+psycopg2://``)."""
    for prefix, replacement in (
        ("postgres://", "postgresql+psycopg2://"),
        ("postgresql://", "postgresql+psycopg2://"),
    ):
        if uri.startswith(prefix):
            return replacement + uri[len(prefix) :]
    return uri
