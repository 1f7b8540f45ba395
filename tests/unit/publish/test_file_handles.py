"""What the publish DAG's tasks hand each other (Airflow XCom, a mapped task's arguments) names no landing
path (``jobs.file_handles``): an export partitioned by customer (``…/customer_id=zed-cust-77/part-0.jsonl``)
put the raw path in every task's return value, kept in Airflow's metadata database beyond the purge's reach.
The steps run here as the DAG wires them, each value through JSON as XCom keeps it."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, receipt
from tests.unit.purge.test_store_paths import BOB, DT, ZED, _partitioned

from utterance_governance.jobs import file_handles, publish


def _xcom(value):
    """A value as XCom keeps it (JSON), and kept: every one the run handed on."""
    text = json.dumps(value)
    _xcom.kept.append(text)
    return json.loads(text)


def _pulled(mapped: list) -> list[dict]:
    return [item for result in mapped for item in (result if isinstance(result, list) else [result])]


def _run(lake, limit: int = 1024) -> dict:
    """utterances_publish as its DAG wires it (``dags/utterances_publish.py``), through ``file_handles``."""
    with lake._environment():
        ctx = lake.context("utterances_publish")
        privacy = _xcom(publish.ingest_privacy(ctx))
        units = _xcom(file_handles.discover(ctx, limit))
        staged = [_xcom(file_handles.process(ctx, _xcom(unit))) for unit in units]
        parts = _xcom(publish.batch_partitions(_pulled(staged)))
        for part in parts:
            _xcom(publish.dedup_content(ctx, part))
        partials = [_xcom(publish.gate_partition(ctx, part)) for part in parts]
        gated = _xcom(file_handles.gate_batch(ctx, _pulled(staged), partials))
        published = _xcom(file_handles.publish_version(ctx, _pulled(staged), gated))
        _xcom(file_handles.write_report(ctx, privacy, published))
        assert not lake.storage.exists(file_handles.table_path(ctx))  # the run's table goes with it
        return published


@pytest.fixture(autouse=True)
def _kept():
    _xcom.kept = []


@pytest.mark.parametrize("limit", [1024, 1])  # a unit per file, and files grouped into one unit
def test_no_value_handed_between_the_tasks_names_a_landing_path(lake, limit):
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    published = _run(lake, limit)
    assert published["new_version"] and lake.live_ids() == {"u-zed", "u-bob"}
    kept = "\n".join(_xcom.kept)
    assert "customer_id=[customer]" in kept  # shown, as logs show it
    assert "zed-cust-77" not in kept and "bob-cust-11" not in kept
    with lake.store() as store:  # the registry has the files as the lake lists them
        assert store.processed_versions([ZED, BOB]).keys() == {ZED, BOB}
    assert _run(lake)["new_version"] is False  # nothing new the next night


def test_a_handle_the_purge_scrubbed_from_the_runs_table_fails_the_step_naming_no_customer(lake):
    """A delete-all purged while the run was under way: the purge shows the customer's folder in the run's
    table as ``customer_id=[customer]``; the step fails (the run is run again) rather than read another file."""
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    _partitioned(
        lake, f"{DT}/customer_id=zed-cust-77/part-1.jsonl", "u-zed-2", "zed-cust-77", "call my sister"
    )
    with lake._environment():
        ctx = lake.context("utterances_publish")
        units = _xcom(file_handles.discover(ctx, 1024))
        assert len(units) == 1
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
        lake.privacy(check_deadlines=False)
        assert "zed-cust-77" not in lake.storage.read_bytes(file_handles.table_path(ctx)).decode()
        with pytest.raises(file_handles.FileTableLost) as caught:
            file_handles.process(ctx, units[0])
        assert "zed-cust-77" not in str(caught.value)
    # (the run was under way: the next privacy run completes it)
    assert receipt(lake, "req-1")["status"] != "completed"
