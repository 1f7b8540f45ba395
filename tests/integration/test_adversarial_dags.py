"""The adversarial scenario (``tests/adversarial``) through Airflow itself: every step is a real
``dag.test()`` run of ``utterances_publish``, ``privacy_requests`` or ``governance_audit``, the
invariant checked after every step. (Between deciding and publishing nothing can be slipped into a
``dag.test()`` run: the records that arrive "during" the publish arrive right after it here; the
direct-steps tier covers the interleaving.)

On the SQLite store only. What this tier adds to the direct-steps tier (``tests/adversarial``) is
the wiring: the DAGs' tasks, their order, XCom hand-offs and params, which do not depend on the
store's backend; each task reaches the store through ``UG_DATABASE_URL`` alone. Hostile populations
meet PostgreSQL in the direct-steps tier, and every store query runs on both backends in the tests
parametrized by ``store_url``; the DAGs run on PostgreSQL in ``tests/stack`` (the production stack:
a backfill, a privacy drop, audits, through a real scheduler and Celery worker). A second run here
on PostgreSQL took about 55 s of the Airflow tests' single worker and proved nothing those do not."""

from __future__ import annotations

import pytest
from tests.adversarial import scenario
from tests.adversarial.population import Population

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _succeeded(run) -> None:
    failed = [ti.task_id for ti in run.get_task_instances() if ti.state not in ("success", "skipped")]
    assert run.state == "success", f"{run.dag_id} failed in {failed}"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # why one backend: the docstring
def test_the_adversarial_scenario_through_the_dags(run_dag, lake_env, store_url, monkeypatch):
    monkeypatch.setenv("UG_DATABASE_URL", store_url)
    with GovernanceStore(store_url) as store:  # the deployment's init step (`ug migrate-store`)
        store.migrate()
    pop = Population(7, "postgresql" if store_url.startswith("postgresql") else "sqlite")
    storage = Storage(str(lake_env))
    steps = scenario.Steps(
        publish=lambda _between: _succeeded(run_dag("utterances_publish")),
        privacy=lambda: _succeeded(run_dag("privacy_requests")),
        audit=lambda: _succeeded(run_dag("governance_audit")),
        storage=storage,
        store=lambda: GovernanceStore(store_url),
        key=b"integration-test-key",
        mid_publish=False,
    )
    figures = scenario.run(pop, steps)
    assert len(figures) == 6 and figures[-1]["deleted_rows"] > 0
