"""The adversarial suite: hostile-but-plausible privacy populations (``population``) taken through
the DAGs' steps (``scenario``), on SQLite and PostgreSQL, the invariant (``invariants``) checked
after every step. The same scenario runs through Airflow itself in
``tests/integration/test_adversarial_dags.py``."""

from __future__ import annotations

import pytest

from tests.adversarial import scenario
from tests.adversarial.population import Population
from tests.pipeline import Lake

# each population once, the backends in turn: both stores meet hostile input, and the suite pays three
# scenarios, not six (every store query runs on both backends in tests/unit/io/ and in each test
# parametrized by ``store_url``)
SEEDS = [(1, "sqlite"), (2, "postgresql"), (3, "sqlite")]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "store_url"), SEEDS, indirect=["store_url"])
def test_no_withdrawn_doubtful_or_malformed_row_survives_and_no_good_row_is_lost(seed, tmp_path, store_url):
    lake = Lake(str(tmp_path / "lake"), store_url, key=f"adversarial-key-{seed}")
    pop = Population(seed, "postgresql" if store_url.startswith("postgresql") else "sqlite")

    def store():
        from utterance_governance.io.store import GovernanceStore

        return GovernanceStore(lake.database_url)

    steps = scenario.Steps(
        publish=lambda between: lake.publish(between=between),
        privacy=lake.privacy,
        audit=lake.audit,
        storage=lake.storage,
        store=store,
        key=lake.key.encode(),
    )
    figures = scenario.run(pop, steps)
    assert len(figures) == 6
    assert figures[-1]["deleted_rows"] > 0 and figures[-1]["live"] > 0
