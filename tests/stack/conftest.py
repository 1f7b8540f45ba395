"""The real-stack tier: one native run of the production stack per module (``harness.Stack``).

Skips, saying why, only when PostgreSQL or Redis is unreachable (``UG_TEST_POSTGRES_URL``,
``UG_TEST_REDIS_URL``; defaults on 127.0.0.1). When either variable is set explicitly the
service is expected and unreachable is a failure. Anything else that goes wrong is a failure.
When a test fails, the tails of the components' logs are added to its report.
"""

from __future__ import annotations

import os

import pytest

from tests.stack.harness import Stack, StackUnavailable, check_services, postgres_admin_url, redis_url

_RUNNING: list[Stack] = []


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Stack:
    try:
        check_services(postgres_admin_url(), redis_url())
    except StackUnavailable as exc:
        if os.environ.get("UG_TEST_POSTGRES_URL") or os.environ.get("UG_TEST_REDIS_URL"):
            pytest.fail(f"{exc} (UG_TEST_POSTGRES_URL/UG_TEST_REDIS_URL is set, so the service is expected)")
        pytest.skip(str(exc))
    running = Stack(str(tmp_path_factory.mktemp("stack")))
    _RUNNING.append(running)
    try:
        running.up()
        yield running
    finally:
        _RUNNING.remove(running)
        problems = running.down()
        assert not problems, f"teardown left work undone: {problems}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _RUNNING and "stack" in item.fixturenames:
        report.sections.append(("stack component logs (tails)", _RUNNING[-1].log_tails()))
