"""The privacy DAG's own ``announce`` callable (its asset event's extra and XCom JSON-ready, naming no one), a rules
change's purge on a dataset with withdrawal records, and a store upgraded to Alembic 0019: the opt-outs purged
before it had no record, and a later deletion told no training run to erase; the first purge after the upgrade
records them, fail closed. On both store backends."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_erase_after_opt_out import published_and_trained
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out

from utterance_governance.publish.lineage import consume_version

DATASET = "assistant-sft"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


@pytest.fixture(scope="module")
def announce_task():
    from airflow.dag_processing.dagbag import DagBag
    from tests.airflow_env import ROOT

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    return bag.dags["privacy_requests"].get_task("announce")


class _Events(dict):
    def __missing__(self, key):
        class _E:
            extra = None

        self[key] = _E()
        return self[key]


def dag_announce(lake, task, purged: dict):
    """Call the DAG's own announce callable; the extra set on the outlet event (None: skipped)."""
    from airflow.sdk.exceptions import AirflowSkipException

    events = _Events()
    with lake._environment():
        try:
            returned = task.python_callable(purged, outlet_events=events)
        except AirflowSkipException:
            return None
    (event,) = events.values()
    json.dumps(returned)  # XCom
    json.dumps(event.extra)  # the asset event's extra
    return event.extra


def _speakers(lake, customers):
    from utterance_governance.privacy import speaker_keys

    return speaker_keys(pa.array(customers), lake.key.encode()).to_pylist()


def _no_one_named(lake, extra, customers):
    text = json.dumps(extra)
    for c in customers:
        assert c not in text
    for s in _speakers(lake, customers):
        assert s not in text


def test_dag_announce_erase_only_and_combined(lake, announce_task):
    used = published_and_trained(lake, other="bob-5512")
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    told = dag_announce(lake, announce_task, purged)
    assert told is not None and not told["erase_copies"]
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    extra = dag_announce(lake, announce_task, purged)
    assert extra is not None and extra["erase_only"] and used["version"] in extra["revoked_versions"]
    _no_one_named(lake, extra, ["zed-4417", "bob-5512"])
    again = lake.privacy(check_deadlines=False)["published"]
    assert dag_announce(lake, announce_task, again) is None


def test_rules_change_purge_on_a_dataset_with_withdrawals(lake, announce_task, monkeypatch):
    """A dataset where zed opted out (recorded) and bob, amy are live. The rules version goes up: the purge judges
    every row, withdraws nothing, records nothing new, announces nothing; then bob's deletion erases only bob."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed-4417", "remind me about quokkamarmalade")
        + b"".join(line(f"u-bob-{i}", "bob-5512", f"what is the weather on day {i}") for i in range(3))
        + b"".join(line(f"u-amy-{i}", "amy-7781", f"play song number {i}") for i in range(3)),
    )
    lake.publish()
    with lake.store() as store:
        consume_version(store, lake.root, DATASET, dag_id="train", run_id="t1", announced=None)
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    dag_announce(lake, announce_task, lake.privacy(check_deadlines=False)["published"])
    from utterance_governance.purge import affected

    monkeypatch.setattr(affected, "RULES_VERSION", affected.RULES_VERSION + "-next")
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["judged_every_row"] is True and not purged["new_version"]
    assert not purged.get("erase_withdrawn")
    assert dag_announce(lake, announce_task, purged) is None
    with lake.store() as store:
        held = store.withdrawn_speakers_of(DATASET, _speakers(lake, ["zed-4417", "bob-5512", "amy-7781"]))
    assert [r["speaker_key"] for r in held] == _speakers(lake, ["zed-4417"])
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "bob-5512"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["new_version"] and purged["erase_copies"] and not purged.get("erase_withdrawn")
    extra = dag_announce(lake, announce_task, purged)
    assert extra is not None and "erased_versions" not in extra
    _no_one_named(lake, extra, ["zed-4417", "bob-5512", "amy-7781"])


def test_an_opt_out_purged_before_the_upgrade_to_0019_is_erased_by_a_later_deletion(lake, announce_task):
    """The deployment ran at revision 0018 when zed opted out: the opt-out's purge revoked the version the training
    run used with erase_copies false, and recorded nothing (no table). The store is upgraded to 0019; then zed
    deletes everything. The training run must be told to erase its copy: it is not (nothing live, no record)."""
    from alembic import command

    from utterance_governance.io import migrations

    used = published_and_trained(lake, other="bob-5512")
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed-4417"))
    told = dag_announce(lake, announce_task, lake.privacy(check_deadlines=False)["published"])
    assert told is not None and not told["erase_copies"]
    # the store as revision 0018 left it (the opt-out's purge ran before 0019 existed), then upgraded to head
    with lake.store() as store:
        with store._write() as conn:
            command.downgrade(migrations.config(conn), "0018")
        store.migrate()
        assert store.schema_revision() == migrations.head()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    purged = lake.privacy(check_deadlines=False)["published"]
    assert not purged["new_version"]
    extra = dag_announce(lake, announce_task, purged)
    assert extra is not None and used["version"] in extra.get("revoked_versions", []), (
        "zed's delete-all after the upgrade told the training run that holds zed's recordings nothing"
    )
