"""Fixtures shared by every test tier.

``store_url`` runs a test once per governance-store backend: SQLite (a file in the test's
tmp dir) and PostgreSQL (a fresh database, dropped afterwards). PostgreSQL is reached at
``UG_TEST_POSTGRES_URL`` (an admin URL; default ``postgresql://postgres@127.0.0.1:5432/postgres``).
When that server is unreachable the PostgreSQL case is skipped, saying why; when
``UG_TEST_POSTGRES_URL`` is set explicitly, unreachable is a failure. Which PostgreSQL cases run:
``_postgres_cases`` (all of them with ``UG_TEST_BACKENDS=all``).

The suite is a development environment: ``UG_ENV=development`` (unset, a lake or store off the machine
means production, which refuses the short test keys and the development key); tests of production set
it themselves.

Hypothesis runs derandomized (profile ``suite``); ``HYPOTHESIS_PROFILE=explore`` draws new examples.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings

import tests.airflow_env  # noqa: F401  (Airflow must be configured before anything imports it)
from tests.postgres import admin_sql
from tests.postgres import postgres_admin_url as _postgres_admin_url

os.environ["UG_ENV"] = "development"  # subprocesses (airflow, the CLI) inherit it

# Property tests draw the same examples on every run of the suite (CI must not pass one day and fail
# the next on the same code); HYPOTHESIS_PROFILE=explore draws new ones, ten times as many, to look
# for the next edge (what it finds becomes a named test).
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n 2 --dist loadgroup`` (``make test``), the tests that run Airflow (marked
    ``integration`` or ``stack``: its processes, DAG runs) go to one worker, one after another, and the
    rest to the other: two of those at once on a 2-core machine would slow both past their timeouts.

    Then the PostgreSQL cases are chosen (``_postgres_cases``)."""
    for item in items:
        if item.get_closest_marker("integration") or item.get_closest_marker("stack"):
            item.add_marker(pytest.mark.xdist_group("airflow"))
    if os.environ.get("UG_TEST_BACKENDS", "").strip().lower() != "all":
        _postgres_cases(config, items)


def _backend(item: pytest.Item) -> str | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return params.get("store_url") or params.get("empty_store_url")


def _postgres_cases(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test over ``store_url`` runs every case on SQLite and, on PostgreSQL, its first case only, unless
    its cases' values reach SQL: the tests of the store itself (``tests/unit/io``), the adversarial
    scenario, and modules marked ``backend_cases`` (ids with other spaces, quotes, padding, control
    characters: the backends could compare them differently). The other cases vary what Python reads
    (spellings, crash points, texts) over one path to the store, which the first case takes on
    PostgreSQL. ``UG_TEST_BACKENDS=all`` (``make test-all-backends``) runs every case on both; the
    ones left out here are reported as deselected."""
    seen: set[tuple[str, str]] = set()
    kept, left = [], []
    for item in items:
        every_case = item.get_closest_marker("backend_cases") or item.nodeid.startswith(
            ("tests/unit/io/", "tests/adversarial/")
        )
        if _backend(item) != "postgresql" or every_case:
            kept.append(item)
            continue
        key = (str(item.path), getattr(item, "originalname", item.name))
        (left if key in seen else kept).append(item)
        seen.add(key)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The admin URL of a reachable PostgreSQL server, or skip (fail if it was configured explicitly)."""
    import psycopg2

    url = _postgres_admin_url()
    try:
        admin_sql(url)
    except psycopg2.OperationalError as exc:
        reason = f"PostgreSQL unreachable at {url}: {str(exc).strip()}"
        if os.environ.get("UG_TEST_POSTGRES_URL"):
            pytest.fail(f"{reason} (UG_TEST_POSTGRES_URL is set, so the server is expected)")
        pytest.skip(reason)
    return url


@contextlib.contextmanager
def _database(admin_url: str, prefix: str, template: str | None = None) -> Iterator[tuple[str, str]]:
    """A fresh, uniquely named PostgreSQL database (a clone of ``template`` when given): its name and its
    SQLAlchemy URL; dropped afterwards."""
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin_sql(admin_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = make_url(admin_url).set(drivername="postgresql+psycopg2", database=name)
    try:
        yield name, url.render_as_string(hide_password=False)
    finally:
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_admin_url: str):
    """A SQLAlchemy URL of a fresh, uniquely named PostgreSQL database, dropped after the test."""
    with _database(postgres_admin_url, "ug_test") as (_, url):
        yield url


@pytest.fixture(scope="session")
def postgres_head_template(postgres_admin_url: str):
    """The name of a PostgreSQL database at this code's head revision, made once per test process:
    ``store_url`` clones it (``CREATE DATABASE … TEMPLATE``) instead of running every Alembic revision
    for each test (0.2-0.4 s a test, a few hundred tests). Dropped at the end of the session."""
    from utterance_governance.io.store import GovernanceStore

    with _database(postgres_admin_url, "ug_template") as (name, url):
        store = GovernanceStore(url)
        try:
            store.create_schema()
        finally:
            store.dispose()  # a template must have no connection when it is cloned
        yield name


@pytest.fixture
def postgres_head_url(postgres_admin_url: str, postgres_head_template: str):
    """``postgres_url``, but the database is at this code's head revision (a clone of the template)."""
    with _database(postgres_admin_url, "ug_test", postgres_head_template) as (_, url):
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A governance-store URL, once per backend: a SQLite file (its first store migrates it), then a
    fresh PostgreSQL database at head (``postgres_head_url``). Tests of the migrations themselves, which
    need an empty store, use ``empty_store_url``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'governance.db'}"
    return request.getfixturevalue("postgres_head_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request, tmp_path) -> str:
    """A governance-store URL with nothing in it, once per backend: SQLite file, then a fresh, empty
    PostgreSQL database (for tests of creating, stamping and upgrading a store)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'governance.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str):
    """A governance store with its schema, once per backend (``store_url``); disposed afterwards."""
    from utterance_governance.io.store import GovernanceStore

    governance = GovernanceStore(store_url)
    governance.create_schema()
    yield governance
    governance.dispose()


@pytest.fixture
def lake(tmp_path):
    """A lake under ``tmp_path`` on the embedded SQLite store, for checks of what the lake's files hold
    (the store's backends are held to one another elsewhere). A module whose checks must hold on both
    backends defines its own ``lake`` over ``store_url``."""
    from tests.pipeline import Lake

    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
