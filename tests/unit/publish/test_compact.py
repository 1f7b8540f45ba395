"""Compaction by speaker, on SQLite and PostgreSQL: a customer who speaks every night ends up in one
shard again, no row is lost or changed, older versions stay loadable for the grace period, a purge
reaches every copy, and a compaction that cannot be sure of a shard changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow.compute as pc
import pytest
from sqlalchemy import delete, update
from tests.unit.lakes import (
    DATASET,
    KEY,
    add_privacy,
    assert_ledger_matches_live,
    consent_event,
    deletion,
    live_manifest,
    live_table,
    publish_records,
    speaker,
    store_state,
    ts,
    utterance,
)

from utterance_governance.io.storage import Storage
from utterance_governance.io.store_schema import ledger
from utterance_governance.policy import Policy
from utterance_governance.publish import compact as C
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest
from utterance_governance.publish.lineage import consume_version, revocation_announcement
from utterance_governance.purge import published
from utterance_governance.reports.access import gather_access

POLICY = Policy(shard_target_rows=4, compaction_fanout=3, compaction_grace_hours=24)
CUSTOMERS = ("c0", "c1", "c2", "c3", "c4", "c5")
AT = ts(3000)  # the compaction's "now"


def night(n: int) -> list[dict]:
    """Night ``n``: every customer says two things (12 rows: 3 shards of 4 target rows)."""
    return [
        utterance(f"n{n}-{c}-{k}", c, n * 24 + i + k / 10) for i, c in enumerate(CUSTOMERS) for k in range(2)
    ]


@pytest.fixture
def lake(tmp_path, store):
    storage = Storage(str(tmp_path / "lake"))
    for n in range(3):
        publish_records(storage, store, night(n), f"night-{n}", target_rows=4)
    return storage, store


def run_compact(storage, store, run_id="compact-1", at=AT, **kw) -> dict:
    return C.compact(storage, store, DATASET, run_id=run_id, policy=POLICY, now=lambda: at, **kw)


def shards_holding(storage, customer: str) -> list[str]:
    key = speaker(customer)
    out = []
    for shard in live_manifest(storage)["shards"]:
        table = storage.read_parquet(DatasetPaths(DATASET).shard(shard["path"]), columns=["speaker_key"])
        if key in table.column("speaker_key").to_pylist():
            out.append(shard["path"])
    return out


def test_the_plan_takes_the_lowest_level_with_fanout_batches():
    nightly = [{"path": f"v00000{i}/shards/part-00000.parquet", "rows": 5} for i in range(1, 4)]
    merged = [{"path": "v000009/shards/part-00000.parquet", "rows": 9, "level": 1}]
    assert C.plan({"shards": nightly[:2] + merged}, 3) is None  # two batches of level 0, one of level 1
    due = C.plan({"shards": nightly + merged}, 3)
    assert (due.level, due.batches, due.rows) == (0, ("v000001", "v000002", "v000003"), 15)
    # a purge's rewrite of a shard sits in its old batch, whatever its path
    rewritten = {"path": "v000007/shards/part-00003.parquet", "rows": 2, "batch": "v000001", "level": 0}
    assert C.plan({"shards": [*nightly[1:], rewritten]}, 3).batches == ("v000001", "v000002", "v000003")
    assert C.plan({"shards": nightly}, 0) is None  # fanout 0: compaction off


def test_a_customer_in_a_shard_per_night_is_in_one_shard_after_compaction(lake):
    storage, store = lake
    before = live_table(storage).sort_by("utterance_id")
    assert len(shards_holding(storage, "c0")) == 3  # one per night
    parent = read_current(storage, DATASET)["version"]
    merged = sorted(s["path"] for s in live_manifest(storage)["shards"])

    result = run_compact(storage, store)

    assert result["new_version"] and result["level"] == 1 and result["batches_merged"] == 3
    assert result["ledger_rows_moved"] == 36  # the merged lineages' rows, recorded again under the new ones
    for customer in CUSTOMERS:
        assert len(shards_holding(storage, customer)) == 1, customer
    after = live_table(storage).sort_by("utterance_id")
    assert after.equals(before)  # every row, byte for byte: nothing decided again, nothing redacted again
    manifest = live_manifest(storage)
    assert {s["level"] for s in manifest["shards"]} == {1}
    assert manifest["replaces"] == {"version": parent, "status": "superseded", "revoke": False,
                                    "reason": ["compaction"], "erase_copies": False,
                                    "shards": merged}  # fmt: skip
    assert read_manifest(storage, DATASET, parent)["status"] == "superseded"
    assert_ledger_matches_live(storage, store)
    # the ledger keeps the capture and landing times exactly (a deletion by range is decided on them)
    times = store.ledger_rows(DATASET, None).sort_by("utterance_id")
    assert times.column("captured_at").to_pylist()[0] == ts(0)
    assert not storage.exists("staging/compact-1/compact")


def test_nothing_is_due_below_the_fanout_and_a_second_run_merges_nothing(lake):
    storage, store = lake
    run_compact(storage, store)
    version = read_current(storage, DATASET)["version"]
    again = run_compact(storage, store, run_id="compact-2")
    assert not again["new_version"] and read_current(storage, DATASET)["version"] == version
    assert again["batches_by_level"] == {"level_1": 1}


def test_the_merged_files_stay_for_the_grace_period_then_go_and_their_versions_are_revoked(lake):
    storage, store = lake
    old_versions = [v["version"] for v in store.versions(DATASET)]
    old_paths = [s["path"] for s in live_manifest(storage)["shards"]]
    run_compact(storage, store)
    root = DatasetPaths(DATASET)
    # an hourly purge with nothing to remove, inside the grace period: a training job still reads them
    quiet = published.purge_published(storage, store, DATASET, run_id="purge-1", policy=POLICY, pseudonym_key=KEY,
                                      state=lambda: store_state(store), now=lambda: AT + timedelta(hours=1))  # fmt: skip
    assert quiet["cleanup_before"]["kept_in_grace"] == len(old_paths)
    assert all(storage.exists(root.shard(p)) for p in old_paths)
    assert read_manifest(storage, DATASET, old_versions[-1])["status"] == "superseded"

    # the next compaction after the grace period removes them and revokes the versions listing them
    later = run_compact(storage, store, run_id="compact-2", at=AT + timedelta(hours=25))
    assert sorted(later["cleanup"]["removed_shards"]) == sorted(old_paths)
    assert not any(storage.exists(root.shard(p)) for p in old_paths)
    assert all(read_manifest(storage, DATASET, v)["status"] == "revoked" for v in old_versions)
    assert_ledger_matches_live(storage, store)
    assert store.shards_left_behind(DATASET, read_current(storage, DATASET)["version"]) == {}


def test_a_purge_that_removes_rows_removes_the_merged_files_at_once(lake):
    storage, store = lake
    old_paths = [s["path"] for s in live_manifest(storage)["shards"]]
    run_compact(storage, store)
    add_privacy(store, deletions=[deletion("r1", "c0", at=2900)])
    result = published.purge_published(storage, store, DATASET, run_id="purge-1", policy=POLICY, pseudonym_key=KEY,
                                       state=lambda: store_state(store), now=lambda: AT + timedelta(hours=1))  # fmt: skip
    assert result["rows_removed"] == {"deletion_requested": 6}
    assert len(result["shards_replaced"]) == 1  # one shard for three nights of the customer
    # the compaction paid for the rows it moved: the purge erases only the 6 rows it removed
    assert result["cleanup"]["ledger_rows_erased"] == 6
    # no file under published/ holds the customer any more, the grace period notwithstanding
    key = speaker("c0")
    for info in storage.list_files(DatasetPaths(DATASET).root, (".parquet",)):
        assert key not in storage.read_parquet(info.path).column("speaker_key").to_pylist(), info.path
    assert not any(storage.exists(DatasetPaths(DATASET).shard(p)) for p in old_paths)
    assert_ledger_matches_live(storage, store)


def test_a_purge_rewrite_keeps_its_shards_batch_and_level(lake):
    storage, store = lake
    run_compact(storage, store)
    add_privacy(store, deletions=[deletion("r1", "c1", scope="utterances", ids=["n0-c1-0"], at=2900)])
    published.purge_published(storage, store, DATASET, run_id="purge-1", policy=POLICY, pseudonym_key=KEY,
                              state=lambda: store_state(store), now=lambda: AT)  # fmt: skip
    manifest = live_manifest(storage)
    merged = read_manifest(storage, DATASET, manifest["parent_version"])
    assert {s["level"] for s in manifest["shards"]} == {1}
    assert {C.shard_batch(s) for s in manifest["shards"]} == {merged["version"]}
    assert C.plan(manifest, POLICY.compaction_fanout) is None  # still one batch of level 1


def test_a_shard_whose_ledger_rows_are_missing_is_not_compacted_and_nothing_changes(lake):
    storage, store = lake
    version = read_current(storage, DATASET)["version"]
    victim = live_manifest(storage)["shards"][0]["path"]
    with store.engine.begin() as conn:  # a ledger row lost (a restore gone wrong)
        conn.execute(delete(ledger).where(ledger.c.utterance_id == "n0-c0-0"))
    with pytest.raises(C.CompactionRefused, match="other rows than their ledger rows"):
        run_compact(storage, store)
    assert read_current(storage, DATASET)["version"] == version
    assert storage.exists(DatasetPaths(DATASET).shard(victim))
    assert not storage.exists("staging/compact-1/compact")
    assert [v["status"] for v in store.versions(DATASET)][-1] == "live"


def test_a_ledger_row_naming_another_utterance_is_not_compacted(lake):
    """As many ledger rows as shard rows, one of them for an utterance no shard holds: copying the
    ledger into the new lineages would leave a row no purge can find."""
    storage, store = lake
    with store.engine.begin() as conn:
        conn.execute(update(ledger).where(ledger.c.utterance_id == "n1-c2-1").values(utterance_id="n1-c2-9"))
    version = read_current(storage, DATASET)["version"]
    with pytest.raises(C.CompactionRefused, match="other rows than their ledger rows"):
        run_compact(storage, store)
    assert read_current(storage, DATASET)["version"] == version


def test_a_tampered_shard_is_not_compacted(lake):
    storage, store = lake
    path = DatasetPaths(DATASET).shard(live_manifest(storage)["shards"][0]["path"])
    table = storage.read_parquet(path)
    storage.write_parquet(path, table.slice(1))
    with pytest.raises(C.CompactionRefused, match="does not match its manifest"):
        run_compact(storage, store)


class Crash(RuntimeError):
    pass


def _crash_at(stage: str):
    def on_stage(name: str) -> None:
        if name == stage:
            raise Crash(name)

    return on_stage


def test_a_crash_before_the_switch_leaves_the_live_version_and_the_retry_converges(lake):
    storage, store = lake
    version = read_current(storage, DATASET)["version"]
    with pytest.raises(Crash):
        run_compact(storage, store, on_stage=_crash_at("staged"))
    assert read_current(storage, DATASET)["version"] == version
    assert not storage.exists("staging/compact-1/compact")
    result = run_compact(storage, store)
    assert result["new_version"] and len(shards_holding(storage, "c3")) == 1
    assert_ledger_matches_live(storage, store)


def test_a_retry_after_the_switch_reports_the_merge_and_merges_nothing_more(lake):
    storage, store = lake
    with pytest.raises(Crash):
        run_compact(storage, store, on_stage=_crash_at("switched"))
    version = read_current(storage, DATASET)["version"]
    retried = run_compact(storage, store)
    assert (
        retried["retried_after_switch"] and retried["version"] == version and retried["batches_merged"] == 3
    )
    assert read_current(storage, DATASET)["version"] == version


def test_a_dry_run_reports_the_plan_and_changes_nothing(lake):
    storage, store = lake
    version = read_current(storage, DATASET)["version"]
    result = run_compact(storage, store, dry_run=True)
    assert (result["new_version"], result["batches_merged"], result["rows_moved"]) == (False, 3, 36)
    assert read_current(storage, DATASET)["version"] == version


def test_levels_climb_one_merge_at_a_time(tmp_path, store):
    """Nine nights with a fanout of 3: three merges of level 0, then one of level 1 (one merge a run) —
    each customer in one shard, every row still there once."""
    storage = Storage(str(tmp_path / "lake"))
    for n in range(9):
        publish_records(storage, store, night(n), f"night-{n}", target_rows=4)
        run_compact(storage, store, run_id=f"compact-{n}", at=AT + timedelta(hours=n))
    assert C.batches_by_level(live_manifest(storage)) == {"level_1": 3}  # the last merge made the third
    assert all(len(shards_holding(storage, c)) == 3 for c in CUSTOMERS)
    run_compact(storage, store, run_id="compact-9", at=AT + timedelta(hours=9))  # the next run merges those
    assert C.batches_by_level(live_manifest(storage)) == {"level_2": 1}
    assert all(len(shards_holding(storage, c)) == 1 for c in CUSTOMERS)
    ids = live_table(storage).column("utterance_id")
    assert len(ids) == 9 * 12 and pc.count_distinct(ids).as_py() == 9 * 12
    assert_ledger_matches_live(storage, store)
    # the versions before are still listed with their files (all merges within the grace period)
    assert json.loads(storage.read_bytes(DatasetPaths(DATASET).manifest("v000001")))["status"] == "superseded"


# --- what a compaction must not lose: the purge's reach, training runs' erasure, access reports -----


def files_holding(storage, customer: str) -> list[str]:
    key = speaker(customer)
    return sorted(
        info.path
        for info in storage.list_files(DatasetPaths(DATASET).root, (".parquet",))
        if key in storage.read_parquet(info.path, columns=["speaker_key"]).column("speaker_key").to_pylist()
    )


def test_a_purge_cut_short_after_its_switch_still_takes_the_merged_files_with_the_next_purge(lake):
    """The purge that removed an opted-out customer's rows crashed before its clean-up; the next hourly
    purge (another run, nothing left to remove live) must not keep the merged files for their grace
    period: they hold the customer."""
    storage, store = lake
    run_compact(storage, store)
    add_privacy(store, consent=[consent_event("e1", "c0", "opted_out", 2900)])
    with pytest.raises(Crash):
        published.purge_published(storage, store, DATASET, run_id="purge-1", policy=POLICY, pseudonym_key=KEY,
                                  state=lambda: store_state(store), now=lambda: AT + timedelta(hours=1),
                                  on_stage=_crash_at("purged"))  # fmt: skip
    nxt = published.purge_published(storage, store, DATASET, run_id="purge-2", policy=POLICY, pseudonym_key=KEY,
                                    state=lambda: store_state(store), now=lambda: AT + timedelta(hours=2))  # fmt: skip
    # the next run reports the switched purge its run never handed on, and finishes its clean-up
    assert nxt["new_version"] and nxt["cleanup"]["kept_in_grace"] == 0
    assert files_holding(storage, "c0") == []


def test_a_deletion_tells_the_training_runs_of_versions_merged_away(lake):
    """A training run consumed v3; a compaction merged v1-v3's files, whose grace period then ended; a
    deletion purged from the merged shards must still list that run (it holds the customer's rows)."""
    storage, store = lake
    used = consume_version(store, storage.root_url, DATASET, dag_id="train", run_id="t1", announced=None)
    run_compact(storage, store)
    run_compact(storage, store, run_id="compact-2", at=AT + timedelta(hours=25))  # the old files go
    add_privacy(store, deletions=[deletion("r1", "c0", at=2900)])
    purged = published.purge_published(storage, store, DATASET, run_id="purge-1", policy=POLICY, pseudonym_key=KEY,
                                       state=lambda: store_state(store), now=lambda: AT + timedelta(hours=26))  # fmt: skip
    announced = revocation_announcement(storage, store, storage.root_url, DATASET, purged)
    assert announced["erase_copies"]
    assert used["version"] in announced["merged_versions"]
    assert [(r["run_id"], r["version"]) for r in announced["training_runs"]] == [("t1", used["version"])]


def test_an_access_report_names_the_versions_before_a_merge_while_their_files_are_kept(lake):
    storage, store = lake
    before = gather_access(storage, store, DATASET, "c0", KEY)
    run_compact(storage, store)
    after = gather_access(storage, store, DATASET, "c0", KEY)

    def versions(report, uid):
        return {v["version"] for u in report["utterances"] if u["utterance_id"] == uid for v in u["versions"]}

    merged = read_current(storage, DATASET)["version"]
    assert versions(after, "n0-c0-0") == versions(before, "n0-c0-0") | {merged}
    assert {v["version"] for v in after["versions"]} >= {"v000001", "v000002", "v000003", merged}
