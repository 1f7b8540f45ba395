"""Point Airflow at this checkout before anything imports it: our dags/ and plugins/, no
examples, and a throwaway AIRFLOW_HOME (so tests never touch the demo's metadata DB)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configure() -> str:
    # one home per pytest-xdist worker (each migrates its own metadata DB); the workers inherit the
    # controller's environment, so the variable is named by the worker
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    variable = f"UG_TEST_AIRFLOW_HOME_{worker}" if worker else "UG_TEST_AIRFLOW_HOME"
    home = os.environ.get(variable)
    if not home:
        home = tempfile.mkdtemp(prefix="ug-test-airflow-home-")
        os.environ[variable] = home
        creator = os.getpid()  # a forked child must not remove the session's home on its way out
        atexit.register(lambda: os.getpid() == creator and shutil.rmtree(home, ignore_errors=True))
    os.environ["AIRFLOW_HOME"] = home
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
    os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["UG_TASK_RETRIES"] = "0"  # a failing task fails the test at once
    # dag.test() registers the DAGs as parsed in each test's environment (the dataset's Asset URI is
    # that test's lake): store each new serialization at once, not at most every 30 s
    os.environ["AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL"] = "0"
    return home


configure()
