"""The production stack's components, defined once (SPEC §8).

``docker-compose.yaml`` runs them in containers; the real-stack test (``harness.py``) runs the
same commands natively on loopback. ``test_compose_drift.py`` reads the compose file and checks
it against this module: the same services, the same commands, the same environment once the
compose names (hosts ``postgres``, ``redis``, ``minio``, ``airflow-apiserver``; roles, databases,
the bucket, ``/opt/airflow`` paths, ``${SECRETS}``) are mapped to what a native run uses
(``localize``). Change the stack here and in the compose file together; the drift test says where
they differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"

# -- the Airflow services: compose service name -> command (argv) ------------------------------
# In the image `airflow` and `python` are on PATH; the harness puts the venv's bin/ first.
INIT = "airflow-init"
AIRFLOW_SERVICES: dict[str, tuple[str, ...]] = {
    INIT: ("python", "-m", "ug_airflow.init_deployment"),
    "airflow-apiserver": ("airflow", "api-server"),
    "airflow-scheduler": ("airflow", "scheduler"),
    "airflow-dag-processor": ("airflow", "dag-processor"),
    "airflow-triggerer": ("airflow", "triggerer"),
    "airflow-worker": ("airflow", "celery", "worker"),
}
LONG_RUNNING = tuple(name for name in AIRFLOW_SERVICES if name != INIT)
API_SERVER = "airflow-apiserver"
WORKER = "airflow-worker"

# The worker's health check (compose `healthcheck`, the harness's readiness probe).
CELERY_APP = "airflow.providers.celery.executors.celery_executor.app"
WORKER_PING = ("celery", "--app", CELERY_APP, "inspect", "ping")

# -- backing services: compose service -> what the native run uses instead -------------------
BACKING_SERVICES: dict[str, str] = {
    "postgres": "the machine's PostgreSQL: a role and a database of its own per run for Airflow, and "
    "another pair for the governance store, dropped afterwards",
    "redis": "the machine's Redis: a database index of its own per run (the Celery broker), flushed afterwards",
    # (and a SELECT-only role on the governance database for the api-server, as deploy/postgres-init.sh)
    "minio": "moto_server on a free loopback port: the S3 API the lake is written through",
    "minio-init": "the harness makes the access-reports bucket on moto_server (airflow-init the lake's); "
    "moto accepts any credentials and enforces no MinIO user or policy: what is tested natively is that "
    "each service is given only its own credentials",
}

# -- environment ------------------------------------------------------------------------------
_SECRET = ":?set it in .env (see deploy/env.example)"

# `x-airflow-common.environment` of docker-compose.yaml, verbatim.
AIRFLOW_ENV: dict[str, str] = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
    "AIRFLOW__CORE__DAGS_FOLDER": "/opt/airflow/dags",
    "AIRFLOW__CORE__PLUGINS_FOLDER": "/opt/airflow/plugins",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__CORE__FERNET_KEY": "${AIRFLOW_FERNET_KEY" + _SECRET + "}",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:${POSTGRES_PASSWORD" + _SECRET
    + "}@postgres:5432/airflow",
    "AIRFLOW__CELERY__BROKER_URL": "redis://redis:6379/0",
    "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql://airflow:${POSTGRES_PASSWORD" + _SECRET
    + "}@postgres:5432/airflow",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
    "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "ug_airflow.celery_config.CELERY_CONFIG",
    "AIRFLOW__API__SECRET_KEY": "${AIRFLOW_API_SECRET_KEY" + _SECRET + "}",
    "AIRFLOW__API_AUTH__JWT_SECRET": "${AIRFLOW_JWT_SECRET" + _SECRET + "}",
    "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
    "UG_ENV": "production",
    "UG_DATA_ROOT": "s3://lake/utterance-governance",
    "UG_DATASET": "assistant-sft",
    "UG_TASK_RETRIES": "2",
    "UG_TASK_TIMEOUT_HOURS": "6",
    "UG_PUBLISH_DEADLINE_HOURS": "6",
    "UG_PRIVACY_DEADLINE_HOURS": "2",
    "FSSPEC_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ENDPOINT_URL": "http://minio:9000",
    "AWS_DEFAULT_REGION": "us-east-1",
}  # fmt: skip

# Least privilege: the secrets each service adds to the common environment, and no others.
GOVERNANCE_OWNER = {"UG_DATABASE_URL": "postgresql+psycopg2://governance:${GOVERNANCE_DB_PASSWORD" + _SECRET
                    + "}@postgres:5432/governance"}  # fmt: skip
PSEUDONYM_KEY = {"UG_PSEUDONYM_KEY": "${UG_PSEUDONYM_KEY" + _SECRET + "}"}
LAKE_USER = {"AWS_ACCESS_KEY_ID": "ug-lake", "AWS_SECRET_ACCESS_KEY": "${MINIO_LAKE_SECRET" + _SECRET + "}"}
ACCESS_REPORT_ROOT = "s3://access-reports/utterance-governance"
SERVICE_ENV: dict[str, dict[str, str]] = {
    INIT: {**GOVERNANCE_OWNER, **PSEUDONYM_KEY, **LAKE_USER,
           "UG_AIRFLOW_ADMIN_PASSWORD": "${AIRFLOW_ADMIN_PASSWORD" + _SECRET + "}"},
    # the governance view: the store through a SELECT-only role, the lake's reports/ read-only
    API_SERVER: {
        "UG_DATABASE_URL": "postgresql+psycopg2://governance_reader:${GOVERNANCE_DB_READER_PASSWORD" + _SECRET
        + "}@postgres:5432/governance",
        "AWS_ACCESS_KEY_ID": "ug-reports-reader",
        "AWS_SECRET_ACCESS_KEY": "${MINIO_REPORTS_READER_SECRET" + _SECRET + "}",
    },
    # a DAG's on_failure_callback runs here: the failed run's record and page
    "airflow-dag-processor": {**GOVERNANCE_OWNER, **LAKE_USER},
    # a missed deadline's alert, sent once (the store records it)
    "airflow-triggerer": {**GOVERNANCE_OWNER},
    WORKER: {**GOVERNANCE_OWNER, **PSEUDONYM_KEY, **LAKE_USER,
             "UG_ACCESS_REPORT_ROOT": ACCESS_REPORT_ROOT,
             "UG_ACCESS_REPORT_KEY_ID": "ug-access-reports",
             "UG_ACCESS_REPORT_SECRET": "${MINIO_ACCESS_REPORTS_SECRET" + _SECRET + "}"},
}  # fmt: skip

# Every secret the stack reads from `.env` (documented in deploy/env.example, never committed).
SECRETS = (
    "POSTGRES_PASSWORD",
    "GOVERNANCE_DB_PASSWORD",
    "GOVERNANCE_DB_READER_PASSWORD",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "MINIO_LAKE_SECRET",
    "MINIO_REPORTS_READER_SECRET",
    "MINIO_ACCESS_REPORTS_SECRET",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_ADMIN_PASSWORD",
    "UG_PSEUDONYM_KEY",
)

# Set by the native run only: what a container gets from its image or its own network namespace.
HARNESS_ONLY_ENV: dict[str, str] = {
    "AIRFLOW_HOME": "a fresh temporary folder per run (the image's is /opt/airflow)",
    "PATH": "the venv's bin/ first, as the image's PATH finds airflow and python",
    "PYTHONPATH": "plugins/ and dags/ of this checkout (the image sets it in its Dockerfile)",
    "AIRFLOW__API__HOST": "loopback only",
    "AIRFLOW__API__PORT": "a free port (8080 in compose)",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": "a free port (8974 in each container)",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "a free port (8793 in each container)",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "a free port (8794 in each container)",
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "the test triggers every run itself: unpausing a DAG starts "
    "no nightly or hourly run beside it",
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1 s, not 5: a task's supervisor also waits up to this long "
    "for a task process that has closed its sockets to be reaped, holding one of the worker's two slots "
    "(idle time, at every few tasks of a test's runs)",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "the DAG files do not change while the stack runs: "
    "parsed once at start, not again every 30 s beside the test's runs on a two-core machine",
}
# Compose values the native run replaces, and why.
HARNESS_OVERRIDES: dict[str, tuple[str, str]] = {
    "UG_TASK_RETRIES": ("0", "a failing task fails the test at once instead of retrying for minutes"),
}

# -- compose names -> native run ----------------------------------------------------------------
COMPOSE_HOSTS = {"postgres": 5432, "redis": 6379, "minio": 9000, "airflow-apiserver": 8080}
COMPOSE_BUCKET = "lake"
COMPOSE_ACCESS_BUCKET = "access-reports"
IMAGE_HOME = "/opt/airflow"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


@dataclass(frozen=True)
class Endpoints:
    """Where a native run's components are: what each compose name stands for."""

    home: str  # AIRFLOW_HOME (stands for /opt/airflow)
    postgres: str  # host:port
    roles: Mapping[str, str]  # compose role -> native role
    databases: Mapping[str, str]  # compose database -> native database
    redis: str  # host:port/db
    s3: str  # endpoint URL of the S3 API
    bucket: str  # the native lake bucket (compose: `lake`)
    access_bucket: str  # the native access-reports bucket (compose: `access-reports`)
    api: str  # base URL of the api-server
    secrets: Mapping[str, str] = field(repr=False)


def variables(value: str) -> list[str]:
    """The ``${NAME}`` references of a compose value."""
    return [m.group(1) for m in _VARIABLE.finditer(value)]


def localize(value: str, endpoints: Endpoints) -> str:
    """A compose environment value as the native run sets it.

    Raises ``ValueError`` for a secret the run has no value for and for a compose host it
    cannot map, so a new kind of value cannot slip past the drift test unmapped.
    """

    def secret(match: re.Match) -> str:
        name = match.group(1)
        if name not in endpoints.secrets:
            raise ValueError(f"no value for ${{{name}}} in the native run")
        return endpoints.secrets[name]

    value = _VARIABLE.sub(secret, value)
    for sub in ("dags", "plugins"):
        if value == f"{IMAGE_HOME}/{sub}":
            return str(ROOT / sub)
    if value.startswith(f"{IMAGE_HOME}/"):
        return f"{endpoints.home}/{value[len(IMAGE_HOME) + 1 :]}"
    if value.startswith(f"s3://{COMPOSE_BUCKET}/"):
        return f"s3://{endpoints.bucket}/{value[len(COMPOSE_BUCKET) + 6 :]}"
    if value.startswith(f"s3://{COMPOSE_ACCESS_BUCKET}/"):
        return f"s3://{endpoints.access_bucket}/{value[len(COMPOSE_ACCESS_BUCKET) + 6 :]}"
    if "://" not in value:
        return value
    parts = urlsplit(value)
    host = parts.hostname
    if host not in COMPOSE_HOSTS:
        return value
    if parts.port != COMPOSE_HOSTS[host]:
        raise ValueError(
            f"compose host {host} with an unexpected port in {parts.scheme}://{host}:{parts.port}"
        )
    if host == "postgres":
        user, password = parts.username, parts.password
        database = parts.path.lstrip("/")
        if user not in endpoints.roles or database not in endpoints.databases:
            raise ValueError(f"no native role/database for {user}@postgres/{database}")
        credentials = endpoints.roles[user] + (f":{password}" if password is not None else "")
        return urlunsplit((parts.scheme, f"{credentials}@{endpoints.postgres}",
                           f"/{endpoints.databases[database]}", parts.query, parts.fragment))  # fmt: skip
    if host == "redis":
        return urlunsplit((parts.scheme, endpoints.redis.split("/")[0], "/" + endpoints.redis.split("/")[1],
                           parts.query, parts.fragment))  # fmt: skip
    base = endpoints.s3 if host == "minio" else endpoints.api
    return base.rstrip("/") + (parts.path if parts.path not in ("", "/") else "")


def service_environment(service: str, endpoints: Endpoints) -> dict[str, str]:
    """The compose environment of ``service``, localized (without harness-only additions)."""
    env = {**AIRFLOW_ENV, **SERVICE_ENV.get(service, {})}
    return {key: localize(value, endpoints) for key, value in env.items()}
