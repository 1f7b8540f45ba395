"""A run's params: each DAG takes only its own (``jobs.context.PARAMS_OF``); any other is refused before any work,
named when its name is plain letters (a typo: ``dryrun``) and never shown when it holds digits or marks (it may be
a customer id). A dry run, or an audit, records no pseudonym key in a new store: the first real publish's key makes
the copies."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs.context import PARAMS_OF, InvalidParams


@pytest.mark.parametrize(
    ("dag_id", "params"),
    [
        ("utterances_publish", {"dryrun": True}),
        ("privacy_requests", {"dry-run": True}),
        ("privacy_requests", {"dt_from": "2026-11-20"}),  # a range is the publish DAG's
        ("governance_audit", {"customer": "cus-411dc8da5285"}),
        ("governance_audit", {"dry_run": True}),
    ],
)
def test_a_param_the_dag_does_not_take_is_refused(lake, dag_id, params):
    name = next(iter(params))
    with pytest.raises(InvalidParams, match=f"does not take the param\\(s\\) '{name}'") as refused:
        lake.context(dag_id, params)
    assert all(str(value) not in str(refused.value) for value in params.values())


def test_a_typo_names_the_param_it_resembles(lake):
    with pytest.raises(InvalidParams, match=r"did you mean dry_run\?"):
        lake.context("utterances_publish", {"dryrun": True})


def test_a_param_name_holding_digits_is_not_shown(lake):
    with pytest.raises(InvalidParams) as refused:
        lake.context("governance_audit", {"cus-411dc8da5285": True})
    assert "411dc8da5285" not in str(refused.value)
    assert "a name not shown" in str(refused.value)


@pytest.mark.parametrize("dag_id", sorted(PARAMS_OF))
def test_every_param_a_dag_takes_is_accepted(lake, dag_id):
    given = {
        "dt_from": "2026-11-20",
        "dt_to": "2026-11-21",
        "dry_run": True,
        "reprocess": True,
        "access_request": None,
    }
    ctx = lake.context(dag_id, {name: given[name] for name in PARAMS_OF[dag_id]})
    assert ctx.extra == ({"access_request": None} if dag_id == "governance_audit" else {})


@pytest.mark.parametrize(
    ("dag_id", "params"),
    [
        ("utterances_publish", {"dry_run": True}),
        ("privacy_requests", {"dry_run": True}),
        ("governance_audit", {}),
    ],
)
def test_a_run_that_writes_no_keyed_copy_records_no_key(lake, dag_id, params):
    lake.context(dag_id, params)
    with lake.store() as store:
        assert store.key_fingerprint() is None


def test_a_real_publish_run_records_its_key(tmp_path, store_url):
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.context("utterances_publish", {})
    with lake.store() as store:
        assert store.key_fingerprint() is not None
