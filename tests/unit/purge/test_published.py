"""Purging the published dataset, on SQLite and PostgreSQL: only affected shards are rewritten, the
old version is revoked, replaced files are removed, and an interrupted purge converges."""

from __future__ import annotations

import json

import pyarrow.compute as pc
import pytest
from sqlalchemy import select
from tests.unit.lakes import (
    DATASET,
    KEY,
    add_privacy,
    assert_ledger_matches_live,
    consent_event,
    deletion,
    live_ids,
    live_manifest,
    publish_records,
    store_state,
    ts,
    utterance,
)

from utterance_governance import schema as S
from utterance_governance.io.storage import Storage
from utterance_governance.io.store_schema import ledger
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest
from utterance_governance.purge import published

POLICY = Policy(shard_target_rows=4)


class Crash(RuntimeError):
    pass


@pytest.fixture
def lake(tmp_path, store):
    """v1: 8 rows in 2 shards; v2 adds 4 rows in a third shard (the first two carried over)."""
    storage = Storage(str(tmp_path / "lake"))
    first = [utterance(f"u{i:02d}", f"c{i % 4}", i) for i in range(8)]
    later = [utterance(f"u{i:02d}", f"c{i % 4}", i) for i in range(8, 12)]
    publish_records(storage, store, first, "run-1", target_rows=4)
    publish_records(storage, store, later, "run-2", target_rows=4)
    return storage, store


def purge(storage, store, run_id="purge-1", **kw) -> dict:
    return published.purge_published(
        storage, store, DATASET, run_id=run_id, policy=POLICY, pseudonym_key=KEY,
        state=lambda: store_state(store), now=lambda: ts(5000), **kw,
    )  # fmt: skip


def test_only_affected_shards_are_rewritten_and_the_old_version_is_revoked(lake):
    storage, store = lake
    before = live_manifest(storage)
    assert before["version"] == "v000002" and len(before["shards"]) == 3
    # u00 (c0, in v1's first shard) is deleted; c3 (u03, u07, u11) opts out
    add_privacy(store, consent=[consent_event("e1", "c3", "opted_out", 100)],
                deletions=[deletion("d1", "c0", "utterances", ids=["u00"])])  # fmt: skip

    result = purge(storage, store)

    after = live_manifest(storage)
    assert result["new_version"] and result["version"] == after["version"] == "v000003"
    assert result["rows_removed"] == {S.DELETION_REQUESTED: 1, S.OPTED_OUT: 3}
    assert result["by_request"] == {"d1": {"published_rows": 1}}
    assert live_ids(storage) == {f"u{i:02d}" for i in range(12)} - {"u00", "u03", "u07", "u11"}
    # each of the three shards held an affected row: all three were rewritten
    old = {s["path"] for s in before["shards"]}
    assert set(after["replaces"]["shards"]) == old
    assert after["parent_version"] == "v000002"
    assert after["replaces"]["version"] == "v000002" and after["replaces"]["status"] == "revoked"
    assert after["replaces"]["erase_copies"] is True
    assert after["replaces"]["reason"] == [S.DELETION_REQUESTED, S.OPTED_OUT]
    for path in old:  # replaced files are gone
        assert not storage.exists(DatasetPaths(DATASET).shard(path))
    statuses = {v["version"]: v["status"] for v in store.versions(DATASET)}
    assert statuses == {"v000001": "revoked", "v000002": "revoked", "v000003": "live"}
    for version in ("v000001", "v000002"):
        manifest = read_manifest(storage, DATASET, version)
        assert manifest["status"] == "revoked" and manifest["purged_shards"]
        assert set(manifest["purged_shards"]) <= old
    assert_ledger_matches_live(storage, store)
    assert store.ledger_rows(DATASET, None, utterance_ids=["u00"]).num_rows == 0
    assert store.ledger_rows(DATASET, "v000001", utterance_ids=["u00"]).num_rows == 0  # erased everywhere


def test_a_rewritten_shard_keeps_its_ledger_rows_only_the_removed_rows_change(lake):
    storage, store = lake
    with store.engine.connect() as conn:
        before = {
            (r.utterance_id, r.shard_id)
            for r in conn.execute(select(ledger.c.utterance_id, ledger.c.shard_id))
        }
    add_privacy(store, deletions=[deletion("d1", "c1", "utterances", ids=["u09"])])
    result = purge(storage, store)
    assert result["rows_rewritten"] == 3 and result["cleanup"]["ledger_rows_erased"] == 1
    with store.engine.connect() as conn:
        after = {
            (r.utterance_id, r.shard_id)
            for r in conn.execute(select(ledger.c.utterance_id, ledger.c.shard_id))
        }
    # the kept rows were not recorded again: same rows, same lineage (the old shard's first path)
    assert after == before - {("u09", "v000002/shards/part-00000.parquet")}
    rows = store.ledger_rows(DATASET, None)
    new_path = live_manifest(storage)["rewritten_shards"]["v000002/shards/part-00000.parquet"]
    moved = rows.filter(pc.equal(rows.column("shard_path"), new_path)).column("utterance_id").to_pylist()
    assert moved == ["u08", "u10", "u11"]
    assert_ledger_matches_live(storage, store)


def test_unaffected_shards_are_carried_over_by_reference(lake):
    storage, store = lake
    before = {s["path"]: s for s in live_manifest(storage)["shards"]}
    add_privacy(store, deletions=[deletion("d1", "c1", "utterances", ids=["u09"])])  # in v2's shard only
    result = purge(storage, store)
    after = {s["path"]: s for s in live_manifest(storage)["shards"]}
    assert result["shards_replaced"] == ["v000002/shards/part-00000.parquet"]
    carried = {p: s for p, s in before.items() if p.startswith("v000001/")}
    assert all(after[p] == s for p, s in carried.items())  # same path, same checksum: not copied
    assert [p for p in after if p not in before] == result["shards_written"]
    assert live_ids(storage) == {f"u{i:02d}" for i in range(12)} - {"u09"}
    assert {v["version"]: v["status"] for v in store.versions(DATASET)} == {
        "v000001": "superseded", "v000002": "revoked", "v000003": "live"}  # fmt: skip
    assert_ledger_matches_live(storage, store)


def test_opt_out_only_purges_say_so_and_do_not_ask_to_erase_copies(lake):
    storage, store = lake
    add_privacy(store, consent=[consent_event("e1", "c2", "opted_out", 100)])
    result = purge(storage, store)
    replaces = live_manifest(storage)["replaces"]
    assert result["reason"] == [S.OPTED_OUT] and replaces["erase_copies"] is False
    assert replaces["status"] == "revoked" and replaces["requests"] == []


def test_a_repeat_purge_changes_nothing_and_a_dry_run_changes_nothing(lake):
    storage, store = lake
    add_privacy(store, deletions=[deletion("d1", "c0", "all")])
    dry = purge(storage, store, dry_run=True)
    assert dry["rows_removed"] == {S.DELETION_REQUESTED: 3} and not dry["new_version"]
    assert read_current(storage, DATASET)["version"] == "v000002"
    assert {s["path"] for s in live_manifest(storage)["shards"]} == set(
        store.version_shard_paths(DATASET, "v000002")
    )

    purge(storage, store)
    current = storage.read_bytes(DatasetPaths(DATASET).current)
    files = sorted(f.path for f in storage.list_files("published"))
    again = purge(storage, store, run_id="purge-2")
    assert not again["new_version"] and again["rows_removed"] == {}
    assert storage.read_bytes(DatasetPaths(DATASET).current) == current
    assert sorted(f.path for f in storage.list_files("published")) == files


def test_purging_every_row_leaves_an_empty_live_version(lake):
    storage, store = lake
    add_privacy(store, deletions=[deletion(f"d{c}", f"c{c}", "all") for c in range(4)])
    purge(storage, store)
    manifest = live_manifest(storage)
    assert manifest["shards"] == [] and manifest["rows"] == 0
    assert store.ledger_count(DATASET, manifest["version"]) == 0


def test_a_shard_that_does_not_match_its_manifest_is_not_rewritten(lake):
    storage, store = lake
    add_privacy(store, deletions=[deletion("d1", "c1", "utterances", ids=["u09"])])
    path = DatasetPaths(DATASET).shard("v000002/shards/part-00000.parquet")
    storage.write_bytes(path, storage.read_bytes(path) + b"tampered")
    with pytest.raises(published.ShardCorrupt):
        purge(storage, store)
    assert read_current(storage, DATASET)["version"] == "v000002"


@pytest.mark.parametrize(
    "stage", ["affected", "read", "stage", "shards", "manifest", "ledger", "switch", "purged"]
)
def test_an_interrupted_purge_keeps_a_valid_live_version_and_a_rerun_converges(lake, stage):
    storage, store = lake
    add_privacy(store, consent=[consent_event("e1", "c3", "opted_out", 100)],
                deletions=[deletion("d1", "c0", "utterances", ids=["u00"])])  # fmt: skip
    expected = {f"u{i:02d}" for i in range(12)} - {"u00", "u03", "u07", "u11"}

    def crash(at: str) -> None:
        if at == stage:
            raise Crash(at)

    with pytest.raises(Crash):
        purge(storage, store, on_stage=crash)
    live = read_current(storage, DATASET)["version"]
    if stage in ("switch", "purged"):  # switched: the new version is live and complete
        assert live == "v000003" and live_ids(storage) == expected
    else:
        assert live == "v000002" and len(live_ids(storage)) == 12

    result = purge(storage, store, run_id="purge-retry")
    assert live_ids(storage) == expected
    assert_ledger_matches_live(storage, store)
    statuses = {v["version"]: v["status"] for v in store.versions(DATASET)}
    assert "staged" not in statuses.values() and list(statuses.values()).count("live") == 1
    assert statuses["v000001"] == statuses["v000002"] == "revoked"
    referenced = {s["path"] for s in live_manifest(storage)["shards"]}
    on_disk = {
        f.path.removeprefix(f"published/{DATASET}/") for f in storage.list_files("published", (".parquet",))
    }
    assert on_disk == referenced  # nothing replaced or abandoned is left behind
    if stage in ("switch", "purged"):  # another run reports the switched purge its run never handed on
        assert result["new_version"] and result["version"] == "v000003", result
        assert not purge(storage, store, run_id="purge-after")["new_version"]  # once
    json.dumps(result)  # what a task returns goes through XCom


@pytest.mark.parametrize("stage", ["switch", "purged"])
def test_the_same_run_retried_after_its_switch_reports_what_its_purge_did(lake, stage):
    """Airflow retries the task (same run) that failed after the switch: the result is that of the
    purge it finished, so the revocation is announced and the receipts count the removal."""
    storage, store = lake
    add_privacy(store, deletions=[deletion("d1", "c0", "utterances", ids=["u00"])])

    def crash(at: str) -> None:
        if at == stage:
            raise Crash(at)

    with pytest.raises(Crash):
        purge(storage, store, on_stage=crash)
    first = read_current(storage, DATASET)["version"]
    result = purge(storage, store)  # the same run, retried
    assert result["new_version"] is True and result["retried_after_switch"] is True
    assert result["version"] == first == "v000003" and result["live_before"] == "v000002"
    assert result["by_request"] == {"d1": {"published_rows": 1}}
    assert result["erase_copies"] is True and result["replaced_status"] == "revoked"
    referenced = {s["path"] for s in live_manifest(storage)["shards"]}
    on_disk = {
        f.path.removeprefix(f"published/{DATASET}/") for f in storage.list_files("published", (".parquet",))
    }
    assert on_disk == referenced  # the clean-up the first attempt did not reach is done
    json.dumps(result)


def test_a_purge_retried_after_a_publish_switched_on_top_still_reports_its_purge(lake):
    """The purge failed after its switch; the nightly publish switched a version on top before the
    retry. The retry finds its own version (superseded now) and reports it, and its clean-up runs
    against the version live now."""
    storage, store = lake
    add_privacy(store, deletions=[deletion("d1", "c0", "utterances", ids=["u00"])])

    def crash(at: str) -> None:
        if at == "purged":
            raise Crash(at)

    with pytest.raises(Crash):
        purge(storage, store, on_stage=crash)
    publish_records(storage, store, [utterance("u20", "c1", 20)], "publish-run-2", target_rows=4)
    result = purge(storage, store)  # the same run, retried
    assert result["new_version"] is True and result["version"] == "v000003"
    assert result["by_request"] == {"d1": {"published_rows": 1}} and result["erase_copies"] is True
    statuses = {v["version"]: v["status"] for v in store.versions(DATASET)}
    assert statuses["v000003"] == "superseded" and statuses["v000004"] == "live"
