"""Airflow's own Backfill of utterances_publish, through the REST API, processes exactly the dt=
partitions of its runs' data intervals.

The lightest real Airflow that runs a backfill: ``airflow api-server``, ``airflow scheduler`` (the
LocalExecutor) and ``airflow dag-processor`` on SQLite, this checkout's dags and plugins, a lake of
three days (dt=2026-11-20..22). As a data engineer would: a token, ``POST /api/v2/backfills`` from
2026-11-20 to 2026-11-21, unpause, watch its runs succeed. Then the governance store and the lake say
which landing files each run read: the first run exactly dt=2026-11-20's, the second dt=2026-11-21's,
and dt=2026-11-22 untouched. The scheduler makes no scheduled runs here (``use_job_schedule`` off:
a scheduled run would take whatever is new, all three days), so only the backfill reads the lake.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.airflow_env import ROOT, migrated_metadata_db
from tests.stack.harness import Api, StackError, free_ports, tail

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DAG = "utterances_publish"
DAYS = ("2026-11-20", "2026-11-21", "2026-11-22")


def _create_backfill(api: Api, body: dict, attempts: int = 5) -> dict:
    """POST /api/v2/backfills, again after a 503 "Database is locked": on SQLite, Airflow refuses to create
    a backfill while the scheduler writes (its transaction rolled back, nothing created), and says so;
    a data engineer tries again. Any other error fails at once."""
    for _ in range(attempts - 1):
        try:
            return api.post("/api/v2/backfills", body)
        except StackError as error:
            if "HTTP 503" not in str(error) or "Database is locked" not in str(error):
                raise
            time.sleep(2)
    return api.post("/api/v2/backfills", body)  # the last try: whatever it answers


# The scheduler imports the pipeline before it starts, as the production stack's Celery worker does
# before forking its pool (ug_airflow.celery_config.warm_imports): the LocalExecutor's workers are forked
# from the scheduler and each task from a worker, so every task has what the scheduler imported. Each of
# the runs' 22 tasks imported it again otherwise (Great Expectations, pandas, pyarrow: seconds a task).
WARM_SCHEDULER = (
    "from ug_airflow.celery_config import warm_imports; warm_imports(); "
    "from airflow.__main__ import main; main()"
)


class Airflow:
    """api-server, scheduler and dag-processor of one AIRFLOW_HOME; logs under it."""

    def __init__(self, home: Path, lake_env: dict[str, str]) -> None:
        self.home = home
        self.port = free_ports(1)[0]
        self.base = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        (home / "passwords.json").write_text(json.dumps({"admin": self.password}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW", "UG_"))}
        env.update(lake_env)
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",  # a 2-core machine
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base}/execution/",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__API__BASE_URL": self.base,
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # no scheduled runs: only the backfill's
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            # the DAG files do not change while the test runs: parsed once, not again every 30 s beside the runs
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
            # a task's supervisor waits up to this long (select on no socket) for a task process that has
            # closed its sockets to be reaped, holding one of the two executor slots: 5 s by default
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            "UG_TASK_RETRIES": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "dags"), str(ROOT)]),
        })  # fmt: skip
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        migrated_metadata_db(self.home)  # what `airflow db migrate` makes here, copied
        airflow = (sys.executable, "-m", "airflow")
        commands = {
            "api-server": (*airflow, "api-server", "--host", "127.0.0.1", "--port", str(self.port)),
            "scheduler": (sys.executable, "-c", WARM_SCHEDULER, "scheduler"),
            "dag-processor": (*airflow, "dag-processor"),
        }
        for name, argv in commands.items():
            with open(self.home / f"{name}.log", "wb") as log:
                self.procs[name] = subprocess.Popen(
                    argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def logs(self) -> str:
        parts = [f"--- {name}.log\n{tail(self.home / f'{name}.log', 40)}" for name in self.procs]
        for path in sorted((self.home / "logs").rglob("*.log"))[-6:]:
            parts.append(f"--- {path.relative_to(self.home)}\n{tail(path, 30)}")
        return "\n".join(parts)

    def wait_until(self, what: str, probe, timeout: float):
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    pytest.fail(f"{name} exited with {proc.returncode}\n{self.logs()}")
            try:
                result = probe()
            except Exception as exc:  # not up yet
                last, result = exc, None
            if result:
                return result
            time.sleep(1)
        pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})\n{self.logs()}")


@pytest.fixture
def lake(tmp_path):
    from utterance_governance.synth.generator import generate_landing

    root = tmp_path / "lake"
    env = {"UG_ENV": "development", "UG_DATA_ROOT": str(root), "UG_DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
           "UG_PSEUDONYM_KEY": "backfill-test-key-" + "0" * 32}  # fmt: skip
    generate_landing(str(root), 900, seed=9, file_format="mixed", days=len(DAYS), files_per_day=2)
    return root, env


@pytest.fixture
def airflow(tmp_path, lake):
    home = tmp_path / "airflow-home"
    home.mkdir()
    running = Airflow(home, lake[1])
    try:
        running.start()
        yield running
    finally:
        running.stop()


def landing_files(root: Path) -> dict[str, set[str]]:
    """dt -> the landing files of utterances of that partition."""
    from utterance_governance.io.readers import SUFFIXES
    from utterance_governance.io.storage import Storage

    out: dict[str, set[str]] = {}
    for info in Storage(str(root)).list_files("landing/utterances", SUFFIXES):
        dt = next(p[3:] for p in info.path.split("/") if p.startswith("dt="))
        out.setdefault(dt, set()).add(info.path)
    return out


def test_a_backfill_of_two_dates_processes_exactly_their_dt_partitions(airflow, lake):
    from sqlalchemy import create_engine, select

    from utterance_governance.io.readers import read_landing_file
    from utterance_governance.io.storage import Storage
    from utterance_governance.io.store_schema import processed_files
    from utterance_governance.jobs.run_keys import run_key

    root, env = lake
    files = landing_files(root)
    assert sorted(files) == list(DAYS) and all(len(f) == 2 for f in files.values())

    api = Api(airflow.base, "admin", airflow.password)
    airflow.wait_until("the api-server", lambda: api.login() or True, 180)
    # the first request to the api-server's task-execution API takes seconds (2.5-5 s seen): the first
    # task's first call timed out (its 5 s) and was retried; made here, it delays no task
    api.session.get(f"{airflow.base}/execution/health", timeout=60)
    airflow.wait_until(f"{DAG} parsed", lambda: api.get(f"/api/v2/dags/{DAG}"), 240)

    # the dialog's "Backfill — run this Dag for a range of dates", as its REST call
    backfill = _create_backfill(api, {"dag_id": DAG, "from_date": "2026-11-20T00:00:00Z",
                                      "to_date": "2026-11-21T23:59:59Z", "max_active_runs": 1,
                                      "reprocess_behavior": "none"})  # fmt: skip
    # backfill runs of a paused DAG do not start: unpaused once the backfill is made. (On SQLite a creation
    # that meets the lock deletes the runs it made, and a scheduler that had loaded one of them died of a
    # StaleDataError; the scheduler loads no run of a paused DAG.)
    api.patch(f"/api/v2/dags/{DAG}", {"is_paused": False})

    def runs_done():
        runs = api.get(f"/api/v2/dags/{DAG}/dagRuns", params={"order_by": "logical_date"})["dag_runs"]
        if len(runs) == 2 and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        return None

    runs = airflow.wait_until("the backfill's two runs", runs_done, 900)
    assert [r["state"] for r in runs] == ["success", "success"], airflow.logs()
    assert {r["run_type"] for r in runs} == {"backfill"}
    assert [r["logical_date"][:10] for r in runs] == ["2026-11-20", "2026-11-21"]

    # which landing files each run read: the store's registry, and the run's decisions and report
    engine = create_engine(env["UG_DATABASE_URL"])
    with engine.connect() as conn:
        read = conn.execute(select(processed_files.c.path, processed_files.c.run_id)).all()
    engine.dispose()
    by_run: dict[str, set[str]] = {}
    for path, run_id in read:
        if path.startswith("landing/utterances/"):
            by_run.setdefault(run_id, set()).add(path)
    storage = Storage(str(root))
    for run, dt in zip(runs, ("2026-11-20", "2026-11-21"), strict=True):
        assert by_run[run["dag_run_id"]] == files[dt], (run["dag_run_id"], by_run)
        key = run_key("utterances_publish", run["dag_run_id"])
        report = json.loads(storage.read_bytes(f"reports/{key}/report.json"))
        assert report["params"]["dt_from"] == report["params"]["dt_to"] == dt
        decided = {s for f in storage.list_files(f"decisions/{key}", (".parquet",))
                   for s in storage.read_parquet(f.path, ["source_file"]).column(0).to_pylist()}  # fmt: skip
        assert decided == files[dt]
    assert set(by_run) == {r["dag_run_id"] for r in runs}  # no other run read anything
    assert not any(path in files["2026-11-22"] for paths in by_run.values() for path in paths)

    # the task logs of a real worker have each file's progress line: name, rows, rows/s; no customer id
    customers = {r["customer_id"] for dt in DAYS[:2] for path in files[dt]
                 for r in read_landing_file(storage, path, "utterances").records.to_pylist()}  # fmt: skip
    for run, dt in zip(runs, ("2026-11-20", "2026-11-21"), strict=True):
        logs = sorted((airflow.home / "logs" / f"dag_id={DAG}" / f"run_id={run['dag_run_id']}"
                       / "task_id=process_file").rglob("*.log"))  # fmt: skip
        text = "\n".join(path.read_text() for path in logs)
        progress = [
            json.loads(line)["event"] for line in text.splitlines() if '"progress process_file: ' in line
        ]
        assert sorted(p.split(": ")[1] for p in progress) == sorted(files[dt]), progress
        assert all(" rows/s" in p for p in progress)
        assert customers and not [c for c in customers if c in text]

    # and the scheduler marks the backfill complete (a check it runs every 30 s: waited for last, so the
    # checks above are done while it comes)
    airflow.wait_until("the backfill completed", lambda: api.get(f"/api/v2/backfills/{backfill['id']}")["completed_at"], 120)  # fmt: skip
