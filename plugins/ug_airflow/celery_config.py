"""Celery configuration of the production stack: Airflow's defaults, and a warm worker.

``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=ug_airflow.celery_config.CELERY_CONFIG`` (compose's common
environment). The configuration itself is Airflow's ``DEFAULT_CELERY_CONFIG``, unchanged.

What it adds is one-off work in the Celery worker, before it forks its pool: every task of our DAGs
runs in a process forked from a pool process (Airflow's task supervisor forks on Linux), so what
the worker has imported, each task has without paying for it. Importing the pipeline (pandas,
pyarrow, SQLAlchemy, the redaction's word lists) costs about 2 s, s3fs about 1 s and Great
Expectations about 4.5 s: paid per task otherwise (a night of 10 files and 8 partitions runs
30-odd tasks), here once per worker start. The scheduler and the api-server import this module too (the Celery app is built
from it) but receive no ``worker_init`` signal, so they import nothing more.
"""

from __future__ import annotations

import importlib
import logging
import time

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init

log = logging.getLogger(__name__)

CELERY_CONFIG = dict(DEFAULT_CELERY_CONFIG)

# What the tasks of our DAGs import, heaviest first (Great Expectations: only the gate imports it,
# inside the task, never a DAG file at parse time).
WARM_MODULES = (
    "great_expectations",
    "utterance_governance.quality.gate",
    "utterance_governance.jobs.publish",
    "utterance_governance.jobs.privacy",
    "utterance_governance.jobs.audit",
    "s3fs",  # the lake on S3, with botocore: about 1 s in each task otherwise
)


def warm_imports(modules: tuple[str, ...] = WARM_MODULES) -> dict[str, float]:
    """Import ``modules`` now; seconds per module. A module that fails to import is logged and
    left to the task that needs it (which then fails with the real error, in its own log)."""
    seconds = {}
    for name in modules:
        started = time.perf_counter()
        try:
            importlib.import_module(name)
        except Exception:  # a warm-up never stops the worker; the task that needs it reports it
            log.exception("warm-up: importing %s failed; the tasks that need it will import it", name)
            continue
        seconds[name] = round(time.perf_counter() - started, 2)
    return seconds


@worker_init.connect
def _warm_worker(**_: object) -> None:
    started = time.perf_counter()
    seconds = warm_imports()
    log.info(
        "warm-up: imported %s in %.1f s (once per worker, not per task)",
        seconds,
        time.perf_counter() - started,
    )
