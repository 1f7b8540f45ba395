"""Point Airflow at this checkout before anything imports it: our dags/ and plugins/, no
examples, and a throwaway AIRFLOW_HOME (so tests never touch the demo's metadata DB)."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
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


_MIGRATED: list[Path] = []  # this process's template, once made


def migrated_metadata_db(home: Path) -> Path:
    """``home/airflow.db``: a fresh Airflow metadata DB, as ``airflow db migrate`` makes it (SQLite, the
    default ``sql_alchemy_conn`` of ``home``), copied from one this process migrated once. The migration
    takes about 10 s and makes the same fresh DB every time; each caller gets its own copy."""
    if not _MIGRATED:
        template = Path(tempfile.mkdtemp(prefix="ug-test-airflow-db-"))
        creator = os.getpid()
        atexit.register(lambda: os.getpid() == creator and shutil.rmtree(template, ignore_errors=True))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
        env.update({"AIRFLOW_HOME": str(template), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
                    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])})  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
        )
        _MIGRATED.append(template / "airflow.db")
    home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(_MIGRATED[0], home / "airflow.db"))
