"""The store's landing paths after a delete-all (``purge.store_paths``): an export partitioned by customer
(``…/customer_id=zed-cust-77/part-0.jsonl``) named them in the file registry (``processed_files``,
``landing_arrivals``) and in a version's ``inputs`` after their delete-all completed (review 16). The purge
keeps those entries sealed (``customer_id=[customer:<keyed digest>]``); the registry still finds them from
the raw path the lake lists, so nothing is read again or registered twice."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pyarrow as pa
import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store.registry_paths import SEALED, sealed_path
from utterance_governance.purge import store_paths

DT = "landing/utterances/dt=2026-11-20"
ZED = f"{DT}/customer_id=zed-cust-77/part-0.jsonl"
BOB = f"{DT}/customer_id=bob-cust-11/part-0.jsonl"
KEY = b"test-key-for-registry-paths-0000"


def _partitioned(lake, path: str, uid: str, customer: str, text: str) -> None:
    """A line as Spark's ``partitionBy("customer_id")`` writes it: the id in the path, not in the row."""
    row = json.loads(line(uid, customer, text))
    row.pop("customer_id")
    lake.storage.write_bytes(path, json.dumps(row).encode() + b"\n")


def _query(lake, sql: str) -> list[tuple]:
    con = sqlite3.connect(lake.database_url.removeprefix("sqlite:///"))
    try:
        return list(con.execute(sql))
    finally:
        con.close()


def _rows(lake, table: str) -> list[tuple]:
    return _query(lake, f'select * from "{table}"')


def _naming(lake, needle: str) -> set[str]:
    """The store's tables holding ``needle`` in any value."""
    tables = [name for (name,) in _query(lake, "select name from sqlite_master where type = 'table'")]
    return {t for t in tables if any(needle in str(v) for r in _rows(lake, t) for v in r)}


def _paths(lake, table: str) -> list[str]:
    return sorted(path for (path,) in _query(lake, f"select path from {table}"))


def _discovered(lake) -> list[str]:
    """The files a publish of now would read (its discover step)."""
    from utterance_governance.jobs import publish

    with lake._environment():
        return [f["path"] for f in publish.discover_files(lake.context("utterances_publish"))]


def _inputs(lake) -> list[str]:
    rows = _query(lake, "select inputs from dataset_versions where inputs is not null")
    return sorted(i["path"] for (inputs,) in rows for i in json.loads(inputs))


def test_two_customers_part_files_one_deleted_the_others_entries_stay(lake):
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert "store_paths" in receipt(lake, "req-1")["searched"]
    assert lake.live_ids() == {"u-bob"}
    assert out["copies"]["store_paths"]["sealed"] == {
        "processed_files": 1,
        "landing_arrivals": 1,
        "version_inputs": 1,
    }
    assert _naming(lake, "zed-cust-77") == {"deletion_requests"}
    # two entries still, bob's as upstream wrote it, zed's sealed (not one ``customer_id=[customer]``)
    for table in ("processed_files", "landing_arrivals"):
        paths = _paths(lake, table)
        utterances = [p for p in paths if p.startswith(DT)]
        assert len(utterances) == 2 and BOB in utterances, (table, paths)
        (sealed,) = [p for p in utterances if p != BOB]
        assert sealed.endswith("/part-0.jsonl") and SEALED.search(sealed)
    assert BOB in _inputs(lake) and len(_inputs(lake)) == 2


def test_a_later_night_reads_nothing_again_and_notes_no_arrival_again(lake):
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    processed = {r[0]: r for r in _rows(lake, "processed_files")}
    arrived = {r[0]: r for r in _rows(lake, "landing_arrivals")}
    # the next night: zed's emptied file and bob's file are both known; nothing is read or published
    assert _discovered(lake) == []
    published = lake.publish()
    assert not published["new_version"] and not published["rows"], published
    assert lake.live_ids() == {"u-bob"}
    lake.privacy(check_deadlines=False)  # and the next privacy run notes no arrival under the raw path
    assert {r[0]: r for r in _rows(lake, "processed_files")} == processed
    assert {r[0]: r for r in _rows(lake, "landing_arrivals")} == arrived
    assert _naming(lake, "zed-cust-77") == {"deletion_requests"}
    # bob's file, written again upstream, is read again as bob's (once), under its own path
    lake.storage.write_bytes(
        BOB, line("u-bob", "bob-cust-11", "what is the weather") + line("u-bob-2", "bob-cust-11", "hello")
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-bob-2"}
    assert BOB in _paths(lake, "processed_files") and _naming(lake, "zed-cust-77") == {"deletion_requests"}


def test_a_customer_spelled_otherwise_in_the_folder_is_sealed(lake):
    """The key in another spelling and the value URL-encoded: ``customer_of_path`` reads the same id."""
    spelled = f"{DT}/Customer-ID=zed%2Dcust-77/part-0.jsonl"
    _partitioned(lake, spelled, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    for table in ("processed_files", "landing_arrivals"):
        assert spelled not in _paths(lake, table) and BOB in _paths(lake, table)
    assert spelled not in _inputs(lake) and BOB in _inputs(lake)
    assert _discovered(lake) == []  # not taken for new input


def test_a_deletion_of_listed_utterances_renames_no_path(lake):
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77", "utterances", utterance_ids=["u-zed"])
    )
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    assert out["copies"]["store_paths"]["sealed"] == {
        "processed_files": 0,
        "landing_arrivals": 0,
        "version_inputs": 0,
    }
    assert ZED in _paths(lake, "processed_files") and ZED in _paths(lake, "landing_arrivals")


def test_the_receipts_stay_open_when_the_paths_cannot_be_sealed(lake, monkeypatch):
    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))

    def fails(*args, **kwargs):
        raise RuntimeError(f"database gone while renaming {ZED}")

    monkeypatch.setattr(store_paths, "seal_store_paths", fails)
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] != "completed"
    problems = out["copies"]["problems"]
    assert problems and all("zed-cust-77" not in p for p in problems), problems
    monkeypatch.undo()
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert _naming(lake, "zed-cust-77") == {"deletion_requests"}


# --- the store's part, on both backends -----------------------------------------------------------
NOW = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)


def _info(path: str, size: int = 10, fingerprint: str = "f1") -> ObjectInfo:
    return ObjectInfo(path, size, fingerprint, NOW)


def _deletions(*rows: tuple[str, str]) -> pa.Table:
    return pa.table(
        {
            "request_id": pa.array([f"req-{i}" for i in range(len(rows))], pa.string()),
            "customer_id": pa.array([c for c, _ in rows], pa.string()),
            "scope": pa.array([s for _, s in rows], pa.string()),
        }
    )


@pytest.fixture
def keyed(store):
    store.path_key = KEY
    return store


def test_the_registry_finds_a_sealed_entry_from_the_raw_path(keyed):
    store = keyed
    mixed = f"{DT}/customer_id=ZED%2Dcust-77/part-0.jsonl"  # another letter case: sealed too (generous)
    other = f"{DT}/customer_id=zed-cust-7/part-0.jsonl"  # an id the deleted one begins with: not theirs
    files = [_info(ZED), _info(BOB), _info(mixed), _info(other), _info(f"{DT}/a=b/x.jsonl")]
    store.mark_files_processed(files, "run-1")
    store.record_arrivals(files, NOW)
    store.record_version("ds", "v1", None, "run-1", NOW, None, "live", inputs=files)
    arrived = store.arrivals(f.path for f in files)
    # pages of two paths: the page a renamed entry moves into is read again and skipped
    sealed = store.seal_customer_paths(store_paths.deleted_customer(["zed-cust-77"]), page=2)
    assert sealed == {"processed_files": 2, "landing_arrivals": 2, "rewriting": 0}
    assert store.seal_version_inputs(store_paths.deleted_customer(["zed-cust-77"]), KEY, page=1) == 2
    with store._read() as conn:
        for table in ("processed_files", "landing_arrivals"):
            stored = sorted(conn.exec_driver_sql(f"select path from {table}").scalars())
            assert len(stored) == 5 and {BOB, other} <= set(stored)
            assert not [p for p in stored if "zed-cust-77" in p.casefold().replace("%2d", "-")]
    inputs = [f.path for f in store.version_inputs("ds", "v1")]
    assert sorted(inputs) == sorted(
        [sealed_path(ZED, KEY), BOB, sealed_path(mixed, KEY), other, files[-1].path]
    )
    # found from the raw path: not new, its arrival kept, never noted again under the raw path
    assert store.select_new_files(files) == []
    assert store.arrivals(f.path for f in files) == arrived
    assert store.record_arrivals([_info(ZED)], NOW + dt.timedelta(days=1))[ZED] == arrived[ZED]
    store.mark_files_processed([_info(ZED, 0, "f2")], "run-2")  # an emptied file re-registered: still sealed
    assert store.processed_file(ZED)["fingerprint"] == "f2"
    assert store.note_rewrite(ZED, "abc") and list(store.pending_rewrites()) == [sealed_path(ZED, KEY)]
    store.update_file_fingerprint(ZED, 0, "f3")
    assert store.processed_versions([ZED]) == {ZED: (0, "f3")}
    with store._read() as conn:
        assert "zed-cust-77" not in " ".join(
            conn.exec_driver_sql("select path from processed_files").scalars()
        )
    assert store.forget_files([ZED]) == 1 and store.select_new_files([_info(ZED, 0, "f3")]) != []
    # without the key, a sealed entry is not found: its file looks new (it holds no rows)
    store.path_key = None
    assert {f.path for f in store.select_new_files(files)} == {mixed, ZED}


def test_a_raw_entry_beside_a_sealed_one_keeps_the_later_processing_and_the_first_arrival(keyed):
    store = keyed
    deleted = store_paths.deleted_customer(["zed-cust-77"])
    store.mark_files_processed([_info(ZED, 5, "old")], "run-1")
    store.record_arrivals([_info(ZED)], NOW)
    store.seal_customer_paths(deleted)
    store.path_key = None  # a writer without the key registers the raw path again
    store.mark_files_processed([_info(ZED, 7, "new")], "run-2")
    store.record_arrivals([_info(ZED)], NOW + dt.timedelta(days=2))
    store.path_key = KEY
    assert store.seal_customer_paths(deleted) == {"processed_files": 1, "landing_arrivals": 1, "rewriting": 0}
    assert store.processed_versions([ZED]) == {ZED: (7, "new")}
    assert store.arrivals([ZED])[ZED][0] == NOW
    with store._read() as conn:
        assert list(conn.exec_driver_sql("select path from processed_files").scalars()) == [
            sealed_path(ZED, KEY)
        ]


def test_a_rewrite_cut_short_is_not_sealed_and_keeps_the_receipts_open(keyed):
    store = keyed
    store.mark_files_processed([_info(ZED)], "run-1")
    store.note_rewrite(ZED, "abc")
    result = store_paths.seal_store_paths(store, _deletions(("zed-cust-77", "all")), KEY)
    assert result.problems and result.sealed["processed_files"] == 0
    assert all("zed-cust-77" not in p for p in result.problems)


def test_only_delete_alls_seal(keyed):
    store = keyed
    store.mark_files_processed([_info(ZED)], "run-1")
    result = store_paths.seal_store_paths(store, _deletions(("zed-cust-77", "utterances")), KEY)
    assert result.sealed == {"processed_files": 0, "landing_arrivals": 0, "version_inputs": 0}
    assert store.processed_file(ZED)["path"] == ZED
    dry = store_paths.seal_store_paths(store, _deletions(("zed-cust-77", " ALL ")), KEY, dry_run=True)
    assert dry.sealed["processed_files"] == 1 and store.processed_file(ZED)["path"] == ZED


def test_a_key_rotation_seals_again_with_the_new_key(lake, monkeypatch):
    """The seal is a digest keyed with the pseudonym key: after a rotation the registry would no longer find
    the emptied file's entry from its raw path, read it again and register the raw path."""
    from tests.unit.purge.test_rekey_seams import NEW, _rotate

    _partitioned(lake, ZED, "u-zed", "zed-cust-77", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    old = sealed_path(ZED, lake.key.encode())
    assert old in _paths(lake, "processed_files") and old in _inputs(lake)
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    new = sealed_path(ZED, NEW.encode())
    for table in ("processed_files", "landing_arrivals"):
        assert new in _paths(lake, table) and old not in _paths(lake, table) and BOB in _paths(lake, table)
    assert new in _inputs(lake) and old not in _inputs(lake)
    assert _discovered(lake) == []
    assert _naming(lake, "zed-cust-77") == {"deletion_requests"}


def test_a_publish_retried_past_its_switch_after_a_delete_all_sealed_its_inputs_publishes_nothing_again(
    lake, caplog
):
    """The version's ``inputs`` name the deleted customer's file by its sealed path now; the retry reads the
    run's raw paths: it is a retry all the same (not a run that found new input), and says no raw path."""
    from utterance_governance.jobs import publish as job

    _partitioned(lake, ZED, "u-zed-1", "zed-cust-77", "what time is it in tokyo")
    _partitioned(lake, BOB, "u-bob-1", "bob-cust-11", "what is the weather in paris")
    with lake._environment():
        ctx = lake.context("utterances_publish")
        ingested = job.ingest_privacy(ctx)
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        gated = job.gate_batch(ctx, staged)
        first = job.publish(ctx, staged, gated)
    assert lake.live_ids() == {"u-zed-1", "u-bob-1"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] != "completed"  # the run is under way until its report
    assert "zed-cust-77" not in json.dumps(_rows(lake, "dataset_versions"))
    with lake._environment():
        again = job.publish(ctx, staged, gated)  # Airflow retries publish_version with the same inputs
        job.write_report(ctx, ingested, again)
    assert again["version"] == first["version"] and "retry past its switch" in caplog.text
    assert lake.live_ids() == {"u-bob-1"}
    assert "zed-cust-77" not in caplog.text
    lake.privacy(check_deadlines=False)  # the run has ended: the next privacy run completes the receipt
    assert receipt(lake, "req-1")["status"] == "completed"
