"""A run's folder name under ``reports/`` and ``staging/`` (light: the dag-processor's failure
callback and the governance view use it too)."""

from __future__ import annotations

import re


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", part)


def run_key(dag_id: str, run_id: str) -> str:
    """The run's DAG and run id, made safe for a path segment. Airflow gives runs of different DAGs
    the same run id (``scheduled__<day>T02:00:00+00:00`` for the publish and the privacy run of one
    night): keyed by the run id alone they shared their folders, and one run's failure removed the
    other's in-flight mark and wrote over its page."""
    return f"{_safe(dag_id)}__{_safe(run_id)}"
