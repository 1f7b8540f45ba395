"""No drift: docker-compose.yaml runs what the real-stack test runs (``components.py``).

The same services; each Airflow service's command; the same environment, value for value once the
compose names (hosts, roles, databases, bucket, /opt/airflow, ${SECRETS}) are mapped to the native
run's (``components.localize``); secrets only from the git-ignored .env that deploy/env.example
documents. Reads files only: no service is needed.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.stack import components as C
from tests.stack.harness import Stack

pytestmark = pytest.mark.stack

COMPOSE = yaml.safe_load(C.COMPOSE_FILE.read_text())
SERVICES = COMPOSE["services"]
COMPOSE_NAME = re.compile(r"[/@](postgres|redis|minio|airflow-apiserver):\d|/opt/airflow|\$\{|s3://lake/")


@pytest.fixture
def planned(tmp_path) -> Stack:
    """A native run's configuration, as the harness would start it (nothing is started)."""
    stack = Stack(str(tmp_path), pg_url="postgresql://postgres@127.0.0.1:5432/postgres",
                  rd_url="redis://127.0.0.1:6379")  # fmt: skip
    stack.configure(18080, 19000, 18974, 18793, 18794, redis_db=7)
    return stack


def test_the_compose_services_are_the_stacks_components():
    assert set(SERVICES) == set(C.AIRFLOW_SERVICES) | set(C.BACKING_SERVICES)


@pytest.mark.parametrize("service", sorted(C.AIRFLOW_SERVICES))
def test_each_airflow_service_runs_the_command_the_harness_runs(service):
    definition = SERVICES[service]
    assert definition["command"] == list(C.AIRFLOW_SERVICES[service])
    assert definition["build"] == "."  # the image of ./Dockerfile, from the lock
    assert {"./dags:/opt/airflow/dags:ro", "./plugins:/opt/airflow/plugins:ro"} <= set(definition["volumes"])


def test_the_common_environment_is_the_harness_definition_verbatim():
    common = COMPOSE["x-airflow-common"]["environment"]
    assert {k: str(v) for k, v in common.items()} == C.AIRFLOW_ENV
    for service in C.AIRFLOW_SERVICES:
        env = {k: str(v) for k, v in SERVICES[service]["environment"].items()}
        assert env == {**C.AIRFLOW_ENV, **C.SERVICE_ENV.get(service, {})}, service


@pytest.mark.parametrize("service", sorted(C.AIRFLOW_SERVICES))
def test_the_native_run_sets_the_compose_environment_with_local_names(planned, service):
    compose_env = {k: str(v) for k, v in SERVICES[service]["environment"].items()}
    native = planned.environment(service)
    for key, value in compose_env.items():
        expected = (
            C.HARNESS_OVERRIDES[key][0]
            if key in C.HARNESS_OVERRIDES
            else C.localize(value, planned.endpoints)
        )
        assert native[key] == expected, key
        assert not COMPOSE_NAME.search(native[key]), (key, "a compose name left unmapped")
    base = Stack.base_environment()
    ours = {key for key, value in native.items() if base.get(key) != value}
    assert ours - set(compose_env) == set(C.HARNESS_ONLY_ENV)  # nothing else set only natively
    assert set(C.HARNESS_OVERRIDES) <= set(compose_env)


def test_localize_maps_each_compose_name_to_the_native_one(planned):
    ep = planned.endpoints
    env = planned.environment("airflow-worker")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        f"postgresql+psycopg2://{ep.roles['airflow']}:{ep.secrets['POSTGRES_PASSWORD']}@127.0.0.1:5432/{ep.databases['airflow']}"
    )
    assert env["UG_DATABASE_URL"].endswith(f"@127.0.0.1:5432/{ep.databases['governance']}")
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6379/7"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["FSSPEC_S3_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:19000"
    assert env["UG_DATA_ROOT"] == f"s3://{ep.bucket}/utterance-governance"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(C.ROOT / "dags")
    assert (
        planned.environment(C.WORKER)["UG_ACCESS_REPORT_ROOT"]
        == f"s3://{ep.access_bucket}/utterance-governance"
    )
    reader = planned.environment(C.API_SERVER)["UG_DATABASE_URL"]
    assert reader.startswith(f"postgresql+psycopg2://{ep.roles['governance_reader']}:")
    with pytest.raises(ValueError, match="no value"):
        C.localize("${NOT_A_SECRET:?x}", ep)
    with pytest.raises(ValueError, match="unexpected port"):
        C.localize("redis://redis:6380/0", ep)


def test_secrets_come_only_from_the_uncommitted_env_file():
    text = C.COMPOSE_FILE.read_text()
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert referenced == set(C.SECRETS)
    # every reference is required: compose refuses to start while a secret is missing
    assert not re.findall(r"(?<!\$)\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}", text)
    documented = dict(line.split("=", 1) for line in C.ENV_EXAMPLE.read_text().splitlines()
                      if line.strip() and not line.lstrip().startswith("#"))  # fmt: skip
    assert set(documented) == set(C.SECRETS) and not any(documented.values()), "env.example holds no value"
    ignored = [line.strip() for line in (C.ROOT / ".gitignore").read_text().splitlines()]
    assert ".env" in ignored or "/.env" in ignored


def test_backing_services_and_health_checks():
    postgres = SERVICES["postgres"]
    init_script = "./deploy/postgres-init.sh:/docker-entrypoint-initdb.d/10-governance.sh:ro"
    assert init_script in postgres["volumes"]
    sql = (C.ROOT / "deploy" / "postgres-init.sh").read_text()
    assert "CREATE ROLE governance" in sql and "CREATE DATABASE governance OWNER governance" in sql
    assert "CREATE ROLE governance_reader" in sql and "GRANT SELECT ON TABLES TO governance_reader" in sql
    for service, env in C.SERVICE_ENV.items():
        if "UG_DATABASE_URL" in env:
            assert env["UG_DATABASE_URL"].split("@")[1] == "postgres:5432/governance", service
    assert (
        postgres["environment"]["POSTGRES_DB"] == "airflow"
        and postgres["environment"]["POSTGRES_USER"] == "airflow"
    )
    assert SERVICES["minio"]["command"][:2] == ["server", "/data"]
    for service in C.LONG_RUNNING:
        assert "healthcheck" in SERVICES[service], service
    assert " ".join(C.WORKER_PING) in " ".join(SERVICES[C.WORKER]["healthcheck"]["test"])
    assert SERVICES[C.WORKER]["depends_on"][C.API_SERVER] == {"condition": "service_healthy"}
    for service in C.LONG_RUNNING:
        assert SERVICES[service]["depends_on"][C.INIT] == {"condition": "service_completed_successfully"}


def test_the_image_installs_the_locked_runtime_set_and_finds_the_package(planned):
    """The image installs uv.lock's runtime set only (``uv sync --frozen --no-dev``: hash-checked, never
    re-resolved, no test tool; tests/unit/test_dependencies.py checks what that set holds)."""
    dockerfile = (C.ROOT / "Dockerfile").read_text()
    assert "COPY pyproject.toml uv.lock ./" in dockerfile
    (sync,) = re.findall(r"^RUN (uv sync [^\n]*)", dockerfile, re.MULTILINE)
    assert {"--frozen", "--no-dev", "--no-install-project"} <= set(sync.split())
    assert not re.search(r"--(all-)?(groups?|extras?)\b|--dev\b|--only-dev", sync)
    assert re.findall(r"pip install (.*)", dockerfile) == [
        "--no-cache-dir uv==0.13.9"
    ]  # uv itself, nothing else
    assert "requirements" not in dockerfile
    assert "COPY --from=build /opt/venv /opt/venv" in dockerfile  # uv and the lock stay in the build stage
    context = [line for line in (C.ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")]
    assert context == ["!pyproject.toml", "!uv.lock", "!dags/", "!plugins/"]
    (pythonpath,) = re.findall(r"PYTHONPATH=(\S+)", dockerfile)
    native = planned.environment(C.INIT)["PYTHONPATH"].split(":")
    assert [C.localize(p, planned.endpoints) for p in pythonpath.split(":")] == native


# -- least privilege: each service's secrets ------------------------------------------------------
# The secrets (as ${NAME} of .env) each service may hold; any other is a leak. minio and minio-init
# alone hold MinIO's root credentials; the pseudonym key only where speaker keys are computed.
ALLOWED_SECRETS = {
    "postgres": {"POSTGRES_PASSWORD", "GOVERNANCE_DB_PASSWORD", "GOVERNANCE_DB_READER_PASSWORD"},
    "redis": set(),
    "minio": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},
    "minio-init": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_LAKE_SECRET", "MINIO_REPORTS_READER_SECRET",
                   "MINIO_ACCESS_REPORTS_SECRET"},
}  # fmt: skip
AIRFLOW_COMMON_SECRETS = {
    "AIRFLOW_FERNET_KEY",
    "POSTGRES_PASSWORD",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
}
OWN_SECRETS = {
    C.INIT: {"GOVERNANCE_DB_PASSWORD", "UG_PSEUDONYM_KEY", "MINIO_LAKE_SECRET", "AIRFLOW_ADMIN_PASSWORD"},
    C.API_SERVER: {"GOVERNANCE_DB_READER_PASSWORD", "MINIO_REPORTS_READER_SECRET"},
    "airflow-scheduler": set(),
    "airflow-dag-processor": {"GOVERNANCE_DB_PASSWORD", "MINIO_LAKE_SECRET"},
    "airflow-triggerer": {"GOVERNANCE_DB_PASSWORD"},  # a missed deadline's alert, recorded once
    C.WORKER: {
        "GOVERNANCE_DB_PASSWORD",
        "UG_PSEUDONYM_KEY",
        "MINIO_LAKE_SECRET",
        "MINIO_ACCESS_REPORTS_SECRET",
    },
}


def _secrets_of(environment: dict) -> set[str]:
    return {name for value in environment.values() for name in C.variables(str(value))}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_is_given_only_its_own_secrets(service):
    expected = (
        ALLOWED_SECRETS[service]
        if service in ALLOWED_SECRETS
        else AIRFLOW_COMMON_SECRETS | OWN_SECRETS[service]
    )
    assert _secrets_of(SERVICES[service].get("environment") or {}) == expected


def test_no_airflow_service_holds_minio_root_or_a_key_it_does_not_use(planned):
    """In the native run too: the scheduler, dag-processor, triggerer and api-server get no pseudonym
    key; no Airflow service gets MinIO's root credentials; only the worker the access reports' ones."""
    root = {planned.secrets["MINIO_ROOT_USER"], planned.secrets["MINIO_ROOT_PASSWORD"]}
    key = planned.secrets["UG_PSEUDONYM_KEY"]
    access = planned.secrets["MINIO_ACCESS_REPORTS_SECRET"]
    for service in C.AIRFLOW_SERVICES:
        values = set(planned.environment(service).values())
        assert not root & values, service
        assert (key in values) == (service in (C.INIT, C.WORKER)), service
        assert (access in values) == (service == C.WORKER), service
        assert ("UG_DATABASE_URL" in planned.environment(service)) == (service != "airflow-scheduler")


def test_published_ports_are_this_host_only():
    published = {name: spec.get("ports", []) for name, spec in SERVICES.items() if spec.get("ports")}
    assert published == {C.API_SERVER: ["127.0.0.1:8080:8080"], "minio": ["127.0.0.1:9001:9001"]}


def test_minio_init_makes_a_user_and_policy_per_role():
    script = (C.ROOT / "deploy" / "minio-init.sh").read_text()
    assert SERVICES["minio-init"]["volumes"] == ["./deploy/minio-init.sh:/minio-init.sh:ro"]
    for user, policy in (("ug-lake", "lake-rw"), ("ug-reports-reader", "reports-read"),
                         ("ug-access-reports", "access-reports-rw")):  # fmt: skip
        assert f"{user}:{policy}:" in script
    users = {v for s in SERVICES.values() for k, v in (s.get("environment") or {}).items()
             if k in ("AWS_ACCESS_KEY_ID", "UG_ACCESS_REPORT_KEY_ID")}  # fmt: skip
    assert users == {"ug-lake", "ug-reports-reader", "ug-access-reports"}
    for service in C.AIRFLOW_SERVICES:
        assert SERVICES[service]["depends_on"]["minio-init"] == {
            "condition": "service_completed_successfully"
        }
