"""The production stack of ``docker-compose.yaml``, run natively on loopback (no Docker engine).

The same components with the same commands and environment (``components.py``): Airflow's
api-server, scheduler, dag-processor, triggerer and a Celery worker with the CeleryExecutor,
their metadata and the governance store in PostgreSQL databases of their own, Redis as the
broker, and ``moto_server`` standing in for MinIO as the lake's S3.

Per run: a fresh temporary ``AIRFLOW_HOME``; free ports chosen at start; a PostgreSQL role and
database for Airflow and another pair for the governance store (unique names, dropped at
teardown); a Redis database index claimed for this run (flushed at teardown); every secret
generated. Each component runs in its own process group, its output in ``<workdir>/logs/``.

    python -m tests.stack.harness      # start the stack, print where the UI is; Ctrl-C tears it down

From pytest: ``tests/stack/conftest.py`` (fixture ``stack``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.postgres import admin_sql, postgres_admin_url
from tests.stack.components import (
    AIRFLOW_SERVICES,
    HARNESS_ONLY_ENV,
    HARNESS_OVERRIDES,
    INIT,
    LONG_RUNNING,
    ROOT,
    SECRETS,
    WORKER,
    Endpoints,
    service_environment,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
ADMIN_USER = "admin"  # airflow-init creates it (FAB), with AIRFLOW_ADMIN_PASSWORD
CLAIM_KEY = "ug-stack:claimed-by"
USER_ROLES = ("DataEngineer", "PrivacyOfficer", "GovernanceViewer")  # ug_airflow.roles
# Variables of the parent process that must not leak into the stack's components.
_SCRUBBED_PREFIXES = ("AIRFLOW", "_AIRFLOW", "UG_", "AWS_", "FSSPEC_", "PYTHONPATH", "BOTO")

_PING = (
    "import sys; from celery import Celery; app = Celery('ug-stack-ping', broker=sys.argv[1]); "
    "sys.exit(0 if app.control.ping(timeout=1.0) else 1)"
)
INIT_TIMEOUT = 240
READY_TIMEOUT = 180
STOP_TIMEOUT = 20


class StackUnavailable(RuntimeError):
    """A service the stack needs (PostgreSQL, Redis) is not reachable on this machine."""


class StackError(RuntimeError):
    """The stack did not come up or a component died; the message carries the logs' tails."""


class RunFailed(AssertionError):
    """A DAG run did not succeed; the message lists task states and the failed tasks' logs."""


def redis_url() -> str:
    return os.environ.get("UG_TEST_REDIS_URL") or DEFAULT_REDIS_URL


def check_services(pg_url: str, rd_url: str) -> None:
    """Raise ``StackUnavailable`` with the precise reason when PostgreSQL or Redis is unreachable."""
    import psycopg2
    import redis

    try:
        admin_sql(pg_url)
    except psycopg2.OperationalError as exc:
        raise StackUnavailable(f"PostgreSQL unreachable at {pg_url}: {str(exc).strip()}") from exc
    try:
        redis.Redis.from_url(rd_url, socket_connect_timeout=5).ping()
    except redis.exceptions.ConnectionError as exc:
        raise StackUnavailable(f"Redis unreachable at {rd_url}: {exc}") from exc


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on loopback right now."""
    sockets, ports = [], []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def generate_secrets() -> dict[str, str]:
    values = {name: secrets.token_urlsafe(24) for name in SECRETS}
    for name in ("AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"):  # HMAC-SHA512 keys: 64 bytes or more
        values[name] = secrets.token_urlsafe(64)
    values["AIRFLOW_FERNET_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    values["MINIO_ROOT_USER"] = f"ug-stack-{secrets.token_hex(4)}"
    return values


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no output)"
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 64 * 1024))
        text = fh.read().decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


class Api:
    """The Airflow REST API as a data engineer uses it: a token, then /api/v2."""

    def __init__(self, base_url: str, username: str, password: str):
        import requests

        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self._credentials = {"username": username, "password": password}

    def login(self) -> None:
        response = self.session.post(f"{self.base_url}/auth/token", json=self._credentials, timeout=30)
        if response.status_code != 201:
            raise StackError(f"POST /auth/token: HTTP {response.status_code}: {response.text[:500]}")
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs) -> Any:
        kwargs.setdefault("timeout", 30)
        response = self.session.request(method, f"{self.base_url}{path}", **kwargs)
        if response.status_code >= 400:
            raise StackError(f"{method} {path}: HTTP {response.status_code}: {response.text[:1000]}")
        return response.json() if response.content else None

    def get(self, path: str, **kwargs) -> Any:
        return self.request("GET", path, **kwargs)

    def status(self, method: str, path: str, **kwargs) -> int:
        """Only the HTTP status of a request (a refusal is an answer here, not an error)."""
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, f"{self.base_url}{path}", **kwargs).status_code

    def post(self, path: str, body: dict) -> Any:
        return self.request("POST", path, json=body)

    def patch(self, path: str, body: dict) -> Any:
        return self.request("PATCH", path, json=body)


class Stack:
    def __init__(self, workdir: str | None = None, *, pg_url: str | None = None, rd_url: str | None = None):
        self.pg_url = pg_url or postgres_admin_url()
        self.rd_url = rd_url or redis_url()
        self.run_id = uuid.uuid4().hex[:10]
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="ug-stack-"))
        self.home = self.workdir / "airflow_home"
        self.logs = self.workdir / "logs"
        self.bin = Path(sys.executable).parent
        self.secrets = generate_secrets()
        self.procs: dict[str, subprocess.Popen] = {}
        self.started: dict[str, tuple[str, ...]] = {}  # component -> the argv it was started with
        self._log_files: list[Any] = []
        self._roles: list[str] = []
        self._databases: list[str] = []
        self._redis_db: int | None = None
        self._ports: dict[str, int] = {}
        self.endpoints: Endpoints | None = None
        self.api: Api | None = None
        self.health: dict | None = None  # /api/v2/monitor/health once ready
        self.users: dict[str, Api] = {}  # role -> a logged-in user of that role (FAB), once ready
        self._down = False

    # -- lifecycle ----------------------------------------------------------------------------
    def up(self) -> Stack:
        """Everything, ready for a DAG run; on failure everything started so far is torn down."""
        try:
            self.start()
            self.wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def start(self) -> None:
        """Backing services, ``airflow-init``, then every long-running component (not yet ready)."""
        check_services(self.pg_url, self.rd_url)
        self.home.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.configure(*free_ports(5), redis_db=self._claim_redis_db())
        self._create_databases()
        self._start_s3()
        self._run_init()
        for name in LONG_RUNNING:
            self._start(name, AIRFLOW_SERVICES[name], self.environment(name))

    def configure(self, api_port: int, s3_port: int, scheduler_health_port: int, worker_log_port: int,
                  trigger_log_port: int, *, redis_db: int) -> Endpoints:  # fmt: skip
        """Where everything of this run is (no service is touched: the drift test calls it too)."""
        pg, rd = urlsplit(self.pg_url), urlsplit(self.rd_url)
        names = {"airflow": f"ug_stack_{self.run_id}_airflow", "governance": f"ug_stack_{self.run_id}_gov"}
        roles = {**names, "governance_reader": f"ug_stack_{self.run_id}_gov_reader"}
        self._ports = {"scheduler_health": scheduler_health_port, "worker_logs": worker_log_port,
                       "trigger_logs": trigger_log_port}  # fmt: skip
        self.endpoints = Endpoints(
            home=str(self.home),
            postgres=f"{pg.hostname}:{pg.port or 5432}",
            roles=roles,
            databases=names,
            redis=f"{rd.hostname}:{rd.port or 6379}/{redis_db}",
            s3=f"http://127.0.0.1:{s3_port}",
            bucket=f"ug-stack-{self.run_id}",
            access_bucket=f"ug-stack-{self.run_id}-access",
            api=f"http://127.0.0.1:{api_port}",
            secrets=self.secrets,
        )
        return self.endpoints

    def add_user(self, role: str) -> Api:
        """A person's account with one role, as an admin makes it (FAB's REST API), logged in."""
        username, password = f"{role.lower()}-{self.run_id}", secrets.token_urlsafe(18)
        self.api.post("/auth/fab/v1/users", {"username": username, "email": f"{username}@example.invalid",
                                              "first_name": role, "last_name": "Test", "password": password,
                                              "roles": [{"name": role}]})  # fmt: skip
        api = Api(self.endpoints.api, username, password)
        api.login()
        return api

    def wait_ready(self) -> None:
        """api-server healthy and seeing a healthy scheduler, triggerer and dag-processor; every DAG
        parsed without import errors; the Celery worker answering a ping."""
        self.api = Api(self.endpoints.api, ADMIN_USER, self.secrets["AIRFLOW_ADMIN_PASSWORD"])
        self.health = self.wait_until(
            "the api-server and its components healthy", self._healthy, READY_TIMEOUT
        )
        self.api.login()
        # the first request to the task-execution API takes seconds (3-5 s seen; a task's call times out
        # at 5 s and is retried): made here, it delays no task
        self.api.session.get(f"{self.endpoints.api}/execution/health", timeout=60)
        self.users = {role: self.add_user(role) for role in USER_ROLES}
        self.wait_until("every DAG parsed", self._dags_parsed, READY_TIMEOUT)
        self.wait_until("the Celery worker answering a ping", self._worker_pings, READY_TIMEOUT)

    def down(self) -> list[str]:
        """Stop every component, drop the databases and roles, flush the Redis database, remove the
        work folder (kept when ``UG_STACK_KEEP=1``). Idempotent; returns what could not be undone."""
        if self._down:
            return []
        self._down = True
        problems: list[str] = []
        self._stop_processes(problems)
        for fh in self._log_files:
            fh.close()
        with _collect(problems, "drop databases"):
            self._drop_databases()
        with _collect(problems, "flush redis"):
            self._release_redis_db()
        if os.environ.get("UG_STACK_KEEP") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)
        return problems

    # -- environment --------------------------------------------------------------------------
    def environment(self, service: str) -> dict[str, str]:
        """The full environment a component runs with: the parent's (scrubbed), then the compose
        service's environment localized, then what only a native run sets."""
        overrides = {key: value for key, (value, _) in HARNESS_OVERRIDES.items()}
        compose = service_environment(service, self.endpoints)
        return {**self.base_environment(), **compose, **self.harness_only_environment(), **overrides}

    @staticmethod
    def base_environment() -> dict[str, str]:
        """This process's environment without anything that configures Airflow, the lake or AWS."""
        return {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}

    def harness_only_environment(self) -> dict[str, str]:
        api = urlsplit(self.endpoints.api)
        values = {
            "AIRFLOW_HOME": str(self.home),
            "PATH": os.pathsep.join([str(self.bin), os.environ.get("PATH", "")]),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "dags")]),
            "AIRFLOW__API__HOST": api.hostname,
            "AIRFLOW__API__PORT": str(api.port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self._ports["scheduler_health"]),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self._ports["worker_logs"]),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self._ports["trigger_logs"]),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        }
        assert values.keys() == HARNESS_ONLY_ENV.keys()
        return values

    @property
    def lake_url(self) -> str:
        return self.environment(WORKER)["UG_DATA_ROOT"]

    def lake_storage_options(self) -> dict:
        """fsspec options for reading the lake from this (test) process."""
        return {
            "key": "ug-lake",
            "secret": self.secrets["MINIO_LAKE_SECRET"],
            "client_kwargs": {"endpoint_url": self.endpoints.s3},
        }

    def access_report_storage_options(self) -> dict:
        """fsspec options for the access reports' bucket (the worker's UG_ACCESS_REPORT_* credentials)."""
        env = self.environment(WORKER)
        return {"key": env["UG_ACCESS_REPORT_KEY_ID"], "secret": env["UG_ACCESS_REPORT_SECRET"],
                "client_kwargs": {"endpoint_url": self.endpoints.s3}}  # fmt: skip

    # -- backing services -----------------------------------------------------------------------
    def _create_databases(self) -> None:
        passwords = {
            "airflow": self.secrets["POSTGRES_PASSWORD"],
            "governance": self.secrets["GOVERNANCE_DB_PASSWORD"],
        }
        for compose_name, password in passwords.items():
            role, database = self.endpoints.roles[compose_name], self.endpoints.databases[compose_name]
            admin_sql(self.pg_url, (f'CREATE ROLE "{role}" LOGIN PASSWORD %s', (password,)))
            self._roles.append(role)
            admin_sql(self.pg_url, f'CREATE DATABASE "{database}" OWNER "{role}"')
            self._databases.append(database)
        # the api-server's SELECT-only role, as deploy/postgres-init.sh makes it
        owner, reader = self.endpoints.roles["governance"], self.endpoints.roles["governance_reader"]
        database = self.endpoints.databases["governance"]
        admin_sql(self.pg_url, (f'CREATE ROLE "{reader}" LOGIN PASSWORD %s',
                                (self.secrets["GOVERNANCE_DB_READER_PASSWORD"],)))  # fmt: skip
        self._roles.insert(0, reader)
        admin_sql(self.pg_url, f'GRANT CONNECT ON DATABASE "{database}" TO "{reader}"')
        governance = urlsplit(self.pg_url)._replace(path=f"/{database}").geturl()
        admin_sql(governance, f'GRANT USAGE ON SCHEMA public TO "{reader}"',
                  f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public GRANT SELECT ON TABLES TO "{reader}"')  # fmt: skip

    def _drop_databases(self) -> None:
        if not (self._databases or self._roles):
            return
        admin_sql(
            self.pg_url,
            *(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)' for database in self._databases),
            *(f'DROP ROLE IF EXISTS "{role}"' for role in self._roles),
        )
        self._databases, self._roles = [], []

    def _redis(self, db: int):
        import redis

        return redis.Redis.from_url(self.rd_url, db=db, socket_connect_timeout=5)

    def _claim_redis_db(self) -> int:
        """An empty Redis database index (not 0), claimed for this run with SET NX."""
        try:
            count = int(self._redis(0).config_get("databases").get("databases", 16))
        except Exception:
            count = 16
        candidates = list(range(1, count))
        random.shuffle(candidates)
        for db in candidates:
            client = self._redis(db)
            if client.dbsize() == 0 and client.set(CLAIM_KEY, self.run_id, nx=True):
                self._redis_db = db
                return db
        raise StackUnavailable(f"Redis at {self.rd_url}: no empty database index left to claim")

    def _release_redis_db(self) -> None:
        if self._redis_db is None:
            return
        client = self._redis(self._redis_db)
        if client.get(CLAIM_KEY) in (self.run_id.encode(), None):
            client.flushdb()
        self._redis_db = None

    def _start_s3(self) -> None:
        import requests

        port = urlsplit(self.endpoints.s3).port
        self._start(
            "minio",
            (str(self.bin / "moto_server"), "-H", "127.0.0.1", "-p", str(port)),
            self.base_environment(),
        )

        def answers() -> bool:
            return requests.get(self.endpoints.s3, timeout=2).status_code == 200

        self.wait_until("moto_server answering", answers, 60, every=0.2)
        # minio-init's part that moto can play: the access reports' bucket (the lake's: airflow-init)
        import s3fs

        s3fs.S3FileSystem(**self.access_report_storage_options()).mkdir(self.endpoints.access_bucket)

    # -- components -----------------------------------------------------------------------------
    def _start(self, name: str, argv: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed in down())
        self._log_files.append(log)
        proc = subprocess.Popen(list(argv), env=env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.procs[name] = proc
        self.started[name] = tuple(argv)
        return proc

    def _run_init(self) -> None:
        proc = self._start(INIT, AIRFLOW_SERVICES[INIT], self.environment(INIT))
        try:
            code = proc.wait(timeout=INIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise StackError(f"{INIT} did not finish in {INIT_TIMEOUT}s:\n{self.log_tails([INIT])}") from None
        if code != 0:
            raise StackError(f"{INIT} exited with {code}:\n{self.log_tails([INIT])}")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if name != INIT and proc.poll() is not None:
                raise StackError(f"{name} exited with {proc.returncode}:\n{self.log_tails([name])}")

    def wait_until(self, what: str, probe: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
        """Poll ``probe`` until it returns something truthy; fail at once when a component dies."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                result = probe()
            except StackError:
                raise
            except Exception as exc:  # not up yet
                last, result = exc, None
            if result:
                return result
            time.sleep(every)
        raise StackError(
            f"timed out after {timeout}s waiting for {what} (last: {last!r})\n{self.log_tails()}"
        )

    def _healthy(self) -> dict | None:
        health = self.api.get("/api/v2/monitor/health", timeout=5)
        parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return health if all((health.get(p) or {}).get("status") == "healthy" for p in parts) else None

    def _dags_parsed(self) -> list[str] | None:
        errors = self.api.get("/api/v2/importErrors")
        if errors["total_entries"]:
            details = "\n".join(
                f"{e['filename']}: {e['stack_trace'][-800:]}" for e in errors["import_errors"]
            )
            raise StackError(f"DAG import errors:\n{details}")
        # every DAG file, the example training DAG of dags/examples/ included (file name == dag_id)
        expected = sorted(p.stem for p in (ROOT / "dags").rglob("*.py") if not p.name.startswith("_"))
        found = sorted(d["dag_id"] for d in self.api.get("/api/v2/dags", params={"limit": 100})["dags"])
        return found if found == expected else None

    def _worker_pings(self) -> bool:
        """The compose health check's ``celery inspect ping`` (``WORKER_PING``): a bare Celery
        client on the broker, in a subprocess (no Airflow import: a poll takes a second, not six;
        and no Celery client state left in this process, which would hang a later ``fork``)."""
        broker = self.environment(WORKER)["AIRFLOW__CELERY__BROKER_URL"]
        result = subprocess.run([sys.executable, "-c", _PING, broker], env=self.base_environment(),
                                capture_output=True, timeout=60)  # fmt: skip
        return result.returncode == 0

    def _stop_processes(self, problems: list[str]) -> None:
        import psutil

        family: list[psutil.Process] = []
        for proc in self.procs.values():
            with contextlib.suppress(psutil.Error):
                family.extend(psutil.Process(proc.pid).children(recursive=True))
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                problems.append(f"{name} ignored SIGTERM for {STOP_TIMEOUT}s: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for child in family:  # anything that left our process groups (a setsid'd task runner)
            with contextlib.suppress(psutil.Error):
                if child.is_running():
                    child.kill()

    # -- runs -------------------------------------------------------------------------------------
    def unpause(self, dag_id: str, api: Api | None = None) -> None:
        assert (api or self.api).patch(f"/api/v2/dags/{dag_id}", {"is_paused": False})["is_paused"] is False

    def trigger(
        self, dag_id: str, conf: dict | None = None, note: str | None = None, api: Api | None = None
    ) -> str:
        run = (api or self.api).post(
            f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}, "note": note}
        )
        return run["dag_run_id"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> dict:
        """Poll the run until it finishes; ``RunFailed`` with task states and logs unless it succeeded."""

        def finished() -> dict | None:
            run = self.api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            return run if run["state"] in ("success", "failed") else None

        try:
            run = self.wait_until(f"{dag_id} run {run_id} to finish", finished, timeout, every=1.0)
        except StackError as exc:
            raise RunFailed(f"{exc}\n{self.run_report(dag_id, run_id)}") from None
        if run["state"] != "success":
            raise RunFailed(f"{dag_id} run {run_id} ended {run['state']}\n{self.run_report(dag_id, run_id)}")
        return run

    def run_dag(self, dag_id: str, conf: dict | None = None, *, timeout: float = 180, note: str | None = None,
                api: Api | None = None) -> dict:  # fmt: skip
        """Trigger as ``api``'s user (default: admin), then watch the run as admin."""
        return self.wait_for_run(dag_id, self.trigger(dag_id, conf, note, api), timeout)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 200})[
            "task_instances"
        ]

    def task_log(self, dag_id: str, run_id: str, ti: dict, lines: int = 60) -> str:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{ti['task_id']}/logs/{ti['try_number']}"
        content = self.api.get(path, params={"map_index": ti["map_index"], "full_content": True},
                               headers={"Accept": "application/json"})["content"]  # fmt: skip
        out = []
        for entry in content if isinstance(content, list) else [content]:
            if isinstance(entry, dict):
                out.append(" ".join(str(entry.get(k, "")) for k in ("timestamp", "level", "event")).strip())
                if entry.get("error_detail"):
                    out.append(json.dumps(entry["error_detail"])[:3000])
            else:
                out.extend(str(entry).splitlines())
        return "\n".join(out[-lines:])

    def run_report(self, dag_id: str, run_id: str) -> str:
        """Task states of a run, then the log tail of each task that did not succeed."""
        try:
            tis = self.task_instances(dag_id, run_id)
        except Exception as exc:
            return f"(task instances unavailable: {exc})\n{self.log_tails()}"
        lines = [f"  {t['task_id']}[{t['map_index']}]: {t['state']} (try {t['try_number']})" for t in tis]
        for ti in tis:
            if ti["state"] in ("failed", "up_for_retry") and ti["try_number"]:
                try:
                    lines.append(
                        f"--- log of {ti['task_id']}[{ti['map_index']}]:\n{self.task_log(dag_id, run_id, ti)}"
                    )
                except Exception as exc:
                    lines.append(f"--- log of {ti['task_id']} unavailable: {exc}")
        return "task instances:\n" + "\n".join(lines)

    # -- diagnostics --------------------------------------------------------------------------------
    def log_tails(self, names: list[str] | None = None, lines: int = 40) -> str:
        names = names or list(self.procs)
        return "\n".join(f"===== {name} (last {lines} lines of {self.logs / (name + '.log')})\n"
                         f"{tail(self.logs / f'{name}.log', lines)}" for name in names)  # fmt: skip


@contextlib.contextmanager
def _collect(problems: list[str], what: str):
    try:
        yield
    except Exception as exc:
        problems.append(f"{what}: {exc}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.stack.harness", description=__doc__.split("\n\n")[0]
    )
    parser.parse_args(argv)
    stack = Stack()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` tears down like Ctrl-C
    try:
        print(f"starting the stack in {stack.workdir} (logs: {stack.logs}) ...", flush=True)
        stack.up()
        for dag_id in ("utterances_publish", "privacy_requests", "governance_audit"):
            stack.unpause(dag_id)
        print(f"UI and REST API: {stack.endpoints.api}  (user {ADMIN_USER}, password "
              f"{stack.secrets['AIRFLOW_ADMIN_PASSWORD']})")  # fmt: skip
        print(
            f"lake: {stack.lake_url} on {stack.endpoints.s3}; Ctrl-C stops and removes everything", flush=True
        )
        while True:
            stack.check_alive()
            time.sleep(2)
    except KeyboardInterrupt:
        pass
    finally:
        for problem in stack.down():
            print(f"teardown: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
