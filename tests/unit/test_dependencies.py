"""The image's dependencies (the runtime set of ``pyproject.toml``, pinned in ``uv.lock``) hold no
test tool, and every module the DAGs and plugins import is in them.

The runtime set is what ``uv sync --frozen --no-dev`` installs (the Dockerfile): the project's
dependencies and, transitively, theirs (with the extras asked for), read from ``uv.lock`` on every
platform's markers at once (a superset, so nothing is missed). A module is mapped to the
distribution that provides it in this environment (``importlib.metadata``)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = "utterance-governance"
# tools of tests and benchmarks only: never in the image
TEST_TOOLS = {
    "pytest", "pytest-timeout", "hypothesis", "moto", "ruff", "datasets", "presidio-evaluator",
    "aiosmtpd", "selenium", "responses", "faker",
}  # fmt: skip
# in the dev group for the benchmarks, and a dependency of Airflow itself at run time
DEV_AND_RUNTIME = {"psutil"}
FIRST_PARTY = {"utterance_governance", "ug_airflow", "governance_view_plugin"} | {
    p.stem for p in (ROOT / "dags").rglob("*.py")
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


PACKAGES = {norm(p["name"]): p for p in LOCK["package"]}


def closure(requirements: list[dict]) -> set[str]:
    """Every locked package ``requirements`` pull in, with the extras they ask for."""
    seen: set[tuple[str, str | None]] = set()
    todo = [(norm(r["name"]), extra) for r in requirements for extra in (None, *r.get("extra", []))]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        package = PACKAGES[name]
        deps = package.get("dependencies", []) if extra is None else package["optional-dependencies"][extra]
        todo += [(norm(d["name"]), e) for d in deps for e in (None, *d.get("extra", []))]
    return {name for name, _ in seen}


RUNTIME = closure(PACKAGES[PROJECT]["dependencies"])
DEV = closure(PACKAGES[PROJECT]["dev-dependencies"]["dev"])


def runtime_imports() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in dags/ and plugins/ (functions' bodies included) ->
    the files importing them."""
    found: dict[str, set[str]] = {}
    for path in [*(ROOT / "dags").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_lock_is_the_pyproject_locked():
    """``uv.lock`` was made from this pyproject (``uv lock`` after every change of a dependency)."""
    metadata = PACKAGES[PROJECT]["metadata"]

    def declared(specs: list[str]) -> set[str]:
        return {norm(re.split(r"[\[<>=!~ ;]", s, maxsplit=1)[0]) for s in specs}

    assert {norm(r["name"]) for r in metadata["requires-dist"]} == declared(
        PYPROJECT["project"]["dependencies"]
    )
    dev = PYPROJECT["dependency-groups"]["dev"]
    assert {norm(r["name"]) for r in metadata["requires-dev"]["dev"]} == declared(dev)
    assert LOCK["requires-python"] == "==3.11.*"


def test_every_locked_package_carries_hashes():
    for name, package in PACKAGES.items():
        if name == PROJECT:
            continue
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files and all(f.get("hash", "").startswith("sha256:") for f in files), name


def test_the_runtime_set_holds_no_test_tool():
    assert not RUNTIME & TEST_TOOLS, sorted(RUNTIME & TEST_TOOLS)
    dev_only = {norm(r["name"]) for r in PACKAGES[PROJECT]["dev-dependencies"]["dev"]}
    assert dev_only & RUNTIME == DEV_AND_RUNTIME  # the rest of the dev group stays out of the image
    assert {"pytest", "hypothesis", "moto", "ruff", "datasets"} <= DEV  # the check sees the dev set


def test_every_module_the_dags_and_plugins_import_is_in_the_runtime_set():
    providers = packages_distributions()
    stdlib = set(sys.stdlib_module_names)
    missing = {}
    for module, files in sorted(runtime_imports().items()):
        if module in stdlib or module in FIRST_PARTY or module == "__future__":
            continue
        distributions = {norm(d) for d in providers.get(module, [])}
        if not distributions & RUNTIME:
            missing[module] = (sorted(distributions) or "not installed", sorted(files)[:3])
    assert not missing, f"imported at run time but not in the runtime set: {missing}"


def test_the_import_scan_sees_what_it_must():
    imports = runtime_imports()
    assert {"airflow", "alembic", "pyarrow", "sqlalchemy", "great_expectations"} <= set(imports)
    assert "pytest" not in imports


@pytest.mark.parametrize("driver", ["psycopg2-binary", "s3fs", "statsd", "redis", "celery"])
def test_what_the_stack_loads_by_name_is_in_the_runtime_set(driver):
    """Loaded through a URL or Airflow's configuration, never imported by name in our code: the
    PostgreSQL driver, S3 for fsspec, StatsD, the Celery broker."""
    assert driver in RUNTIME
