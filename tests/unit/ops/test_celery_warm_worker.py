"""The production Celery worker imports the pipeline and Great Expectations once, before it forks
(``ug_airflow.celery_config``); the scheduler, which imports the same module, imports nothing more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_PROBE = """
import json, os, sys
import ug_airflow.celery_config as config
from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init
before = {m: m in sys.modules for m in config.WARM_MODULES}
if sys.argv[1] == "worker":
    worker_init.send(sender=None)
after = {m: m in sys.modules for m in config.WARM_MODULES}
# what a task forked from this process finds already imported
pid = os.fork()
if pid == 0:
    os._exit(0 if all(m in sys.modules for m in config.WARM_MODULES) else 3)
_, status = os.waitpid(pid, 0)
print(json.dumps({"before": before, "after": after, "child_warm": os.waitstatus_to_exitcode(status) == 0,
                  "same_config": config.CELERY_CONFIG == DEFAULT_CELERY_CONFIG}))
"""


def _probe(role: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "dags"), str(ROOT)]),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, role], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_worker_imports_the_pipeline_and_gx_before_it_forks_its_tasks():
    seen = _probe("worker")
    assert not any(seen["before"].values()), seen["before"]  # importing the config imports none of them
    assert all(seen["after"].values()), seen["after"]
    assert seen["child_warm"]  # a forked task has them without importing
    assert seen["same_config"]  # the configuration is Airflow's own, unchanged


def test_the_scheduler_importing_the_config_imports_nothing_heavy():
    seen = _probe("scheduler")
    assert not any(seen["after"].values()), seen["after"]
    assert not seen["child_warm"]
