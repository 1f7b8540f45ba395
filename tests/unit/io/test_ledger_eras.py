"""The ledger's eras (``store_schema``: the part of its indexes keyed by hashes a night's rows go into).

Which era a row is in must never change what a lookup finds: the duplicate rule's lookups, a purge's by
id, the recording twins' by content, the erasure of ids. A night goes into the youngest era while it is
small, else a new one; the audit's upkeep merges eras down to a few, in pieces that commit."""

from __future__ import annotations

import datetime as dt
import threading

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from utterance_governance.io.store import ledger as store_module
from utterance_governance.io.store_schema import LEDGER_INPUT, ledger, ledger_eras

T0 = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
DS = "assistant-sft"


def night(version: str, start: int, n: int) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "shard_path": f"{version}/part-{(start + i) % 3:05d}.parquet",
                "utterance_id": f"u{start + i:07d}",
                "speaker_key": f"spk{(start + i) % 7:03d}",
                "content_hash": f"h{start + i:07d}",
                "captured_at": T0 + dt.timedelta(seconds=start + i),
            }
            for i in range(n)
        ],
        schema=LEDGER_INPUT,
    )


def publish_nights(store, sizes: list[int]) -> str:
    """One version a night, each carrying the last one over; the last version's name."""
    start, previous = 0, None
    for number, size in enumerate(sizes, 1):
        version = f"v{number}"
        store.record_version(DS, version, previous, f"run-{number}", T0, None, "staged")
        if previous:
            store.carry_over(DS, previous, version)
        assert store.insert_ledger_rows(DS, version, night(version, start, size)) == size
        store.record_version(DS, version, previous, f"run-{number}", T0, None, "live")
        if previous:
            store.set_version_status(DS, previous, "superseded")
        start, previous = start + size, version
    return previous


def every_lookup(store, version: str) -> dict:
    """What each lookup by id or content finds, of a spread of ids and hashes over every night."""
    ids = [f"u{i:07d}" for i in range(0, 1000, 7)] + ["u9999999"]
    hashes = [f"h{i:07d}" for i in range(3, 1000, 11)] + ["h9999999"]
    found_hashes, found_ids = store.live_matches(DS, version, pa.array(hashes), pa.array(ids))
    twins = store.live_rows_of_content(DS, version, pa.array(hashes))
    by_id = store.ledger_rows(DS, version, utterance_ids=ids)
    both = store.ledger_rows(DS, version, utterance_ids=ids, speaker_keys=["spk001", "spk002"])
    return {
        "hashes": found_hashes,
        "ids": found_ids,
        "twins": sorted(twins.column("utterance_id").to_pylist()),
        "by_id": sorted(by_id.column("utterance_id").to_pylist()),
        "both": sorted(both.column("utterance_id").to_pylist()),
        "count": store.ledger_count(DS, version),
    }


def test_a_night_goes_into_the_youngest_era_while_it_is_small_else_a_new_one(store, monkeypatch):
    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 250)
    publish_nights(store, [100, 100, 100, 300, 50, 400])
    # 100 + 100 + 100 (era 0 had taken 200 < 250 when the third came), then each night after a full era
    assert store.ledger_eras() == {0: 300, 1: 300, 2: 50 + 400}
    with store.engine.connect() as conn:
        assert dict(conn.execute(select(ledger_eras.c.era, ledger_eras.c.rows)).all()) == {
            0: 300,
            1: 300,
            2: 450,
        }


def test_every_lookup_finds_rows_in_every_era_and_the_same_after_a_merge(store, monkeypatch):
    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 150)
    monkeypatch.setattr(store_module, "_ERA_MOVE_ROWS", 40)  # several pieces a move
    live = publish_nights(store, [200, 200, 200, 200, 200])
    assert sorted(store.ledger_eras()) == [0, 1, 2, 3, 4]
    before = every_lookup(store, live)
    # every era answers: ids and hashes of each night are found (ids step 7, hashes step 11 over 0..999)
    assert len(before["ids"]) == len(range(0, 1000, 7)) and "u9999999" not in before["ids"]
    assert len(before["hashes"]) == len(range(3, 1000, 11))
    assert before["twins"] == sorted(f"u{i:07d}" for i in range(3, 1000, 11))
    assert before["by_id"] == sorted(before["ids"]) and before["count"] == 1000

    moves = store.merge_ledger_eras(max_eras=2)
    assert len(moves) == 3 and all(m["rows"] >= 200 for m in moves)
    assert len(store.ledger_eras()) == 2 and sum(store.ledger_eras().values()) == 1000
    assert every_lookup(store, live) == before
    assert store.merge_ledger_eras(max_eras=2) == []  # nothing more to do
    assert store.merge_ledger_eras(max_eras=1)[0]["rows"] in (400, 600)
    assert store.ledger_eras() == {min(store.ledger_eras()): 1000}
    assert every_lookup(store, live) == before
    with pytest.raises(ValueError, match="at least 1"):
        store.merge_ledger_eras(max_eras=0)


def test_a_purge_ends_and_erases_ids_in_every_era(store, monkeypatch):
    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 150)
    live = publish_nights(store, [200, 200, 200])
    ids = [f"u{i:07d}" for i in (5, 250, 480, 599)]  # one of each era, and the last
    rewritten = {f"v{n}/part-{p:05d}.parquet": None for n in (1, 2, 3) for p in range(3)}
    store.record_version(DS, "v4", live, "run-4", T0, None, "staged")
    store.carry_over(DS, live, "v4", exclude_shards=rewritten)
    ended = store.rewrite_shards(DS, "v4", dict.fromkeys(rewritten, None), ids)
    assert ended == 4
    assert store.delete_ledger_rows(DS, utterance_ids=ids) == 4
    assert store.ledger_rows(DS, live, utterance_ids=ids).num_rows == 0
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ledger)) == 596


def test_a_compactions_copied_rows_go_into_an_era_and_are_found(store, monkeypatch):
    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 150)
    live = publish_nights(store, [200, 200])
    merged = store.version_shard_paths(DS, live)
    rows = store.ledger_rows(DS, live)
    speakers = sorted(set(rows.column("speaker_key").to_pylist()))
    placement = pa.table({"speaker_key": speakers, "shard_path": ["v3/compact-0.parquet"] * len(speakers)})
    store.record_version(DS, "v3", live, "run-3", T0, None, "staged")
    assert store.copy_lineage_rows(DS, "v3", live, merged, placement, expected=400) == 400
    assert sorted(store.ledger_eras()) == [0, 1, 2]  # era 1 had taken 200 >= 150: a new one
    found = store.ledger_rows(DS, "v3", utterance_ids=["u0000000", "u0000399"])
    assert found.column("shard_path").to_pylist() == ["v3/compact-0.parquet"] * 2


def test_a_purge_ends_its_rows_though_a_merge_moves_them_meanwhile(postgres_url, monkeypatch):
    """PostgreSQL: each statement of a write sees what is committed by then. A purge read the eras (0 to 3),
    then another dataset's night opened era 4 and a merge moved era 3 into it: the purge's ``era IN (0..3)``
    missed the moved rows, which stayed live in the new version and were never erased. Rows now only move
    into an older era, one that held rows when the purge read the eras."""
    from utterance_governance.io.store import GovernanceStore

    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 20)
    purge, other = GovernanceStore(postgres_url), GovernanceStore(postgres_url)
    purge.create_schema()
    try:
        live = publish_nights(purge, [100, 100, 100, 20])
        assert purge.ledger_eras() == {0: 100, 1: 100, 2: 100, 3: 20}
        shard = f"{live}/part-00000.parquet"
        removed = [f"u{i:07d}" for i in range(300, 320) if i % 3 == 0]
        original, done = purge._temp_table, []

        meanwhile = threading.Thread(
            target=lambda: done.extend(
                [other.insert_ledger_rows("other-ds", "w1", night("w1", 5000, 50)), other.merge_ledger_eras()]
            )
        )

        def a_night_and_a_merge_meanwhile(conn, name, rows):
            if name == "ug_ended" and not meanwhile.is_alive() and not done:
                meanwhile.start()  # era 4, then a merge (it waits for the purge's write: ``_eras_held``)
                meanwhile.join(1.0)
            return original(conn, name, rows)

        monkeypatch.setattr(purge, "_temp_table", a_night_and_a_merge_meanwhile)
        purge.record_version(DS, "v5", live, "run-5", T0, None, "staged")
        purge.carry_over(DS, live, "v5", exclude_shards=[shard])
        ended = purge.rewrite_shards(DS, "v5", {shard: "v5/part-00000.parquet"}, {shard: removed})
        meanwhile.join(30)
        assert done and done[1]  # the merge moved an era
        assert ended == len(removed)
        assert purge.ledger_rows(DS, "v5", utterance_ids=removed).num_rows == 0
        purge.erase_ended_ledger_rows(DS, "v5")
        assert purge.ledger_rows(DS, live, utterance_ids=removed).num_rows == 0
    finally:
        purge.dispose()
        other.dispose()


def test_a_merge_into_an_era_a_compaction_emptied_meanwhile_hides_no_row_from_a_purge(
    postgres_url, monkeypatch
):
    """PostgreSQL: a merge chose to move era 3 into era 2; before its first piece a compaction emptied era 2,
    and a purge read the eras without it. The piece then moved era 3's rows into era 2, and the purge's
    ``era IN (0, 1, 3, 4)`` missed the purged rows: they stayed live in the new version's ledger, and its
    receipt completed. A piece now waits for a write that read the eras (and the write for a piece)."""
    from utterance_governance.io.store import GovernanceStore

    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 20)
    store, audit = GovernanceStore(postgres_url), GovernanceStore(postgres_url)
    store.create_schema()
    try:
        live = publish_nights(store, [100, 100, 100, 20])  # v1..v4
        assert store.ledger_eras() == {0: 100, 1: 100, 2: 100, 3: 20}
        # 1. the audit's merge plans "era 3 into era 2", and waits before its first piece
        planned, resume, bulk_write = threading.Event(), threading.Event(), audit._bulk_write

        def waiting_first(*args, **kwargs):
            if not resume.is_set():
                planned.set()
                resume.wait(30)
            return bulk_write(*args, **kwargs)

        monkeypatch.setattr(audit, "_bulk_write", waiting_first)
        moves: list = []
        merge = threading.Thread(target=lambda: moves.extend(audit.merge_ledger_eras(max_eras=3)))
        merge.start()
        assert planned.wait(30)
        # 2. a compaction copies night 3's rows (era 2) into a new era and drops them: era 2 is empty
        merged = [f"v3/part-{p:05d}.parquet" for p in range(3)]
        speakers = sorted(
            set(store.ledger_rows(DS, live, shard_paths=merged).column("speaker_key").to_pylist())
        )
        placement = pa.table(
            {"speaker_key": speakers, "shard_path": ["v5/compact-0.parquet"] * len(speakers)}
        )
        store.record_version(DS, "v5", live, "run-5", T0, None, "staged")
        store.carry_over(DS, live, "v5", exclude_shards=merged)
        assert store.copy_lineage_rows(DS, "v5", live, merged, placement, expected=100) == 100
        store.record_version(DS, "v5", live, "run-5", T0, None, "live")
        store.set_version_status(DS, live, "superseded")
        store.drop_lineage_rows(DS, live, merged)
        assert 2 not in store.ledger_eras()
        # 3. a purge of night 4's rows (era 3) reads the eras; the merge's pieces go on meanwhile
        shard = "v4/part-00000.parquet"
        removed = [f"u{i:07d}" for i in range(300, 320) if i % 3 == 0]
        original = store._temp_table

        def merge_goes_on(conn, name, rows):
            if name == "ug_ended" and not resume.is_set():
                resume.set()
                merge.join(1.0)
            return original(conn, name, rows)

        monkeypatch.setattr(store, "_temp_table", merge_goes_on)
        store.record_version(DS, "v6", "v5", "run-6", T0, None, "staged")
        store.carry_over(DS, "v5", "v6", exclude_shards=[shard])
        ended = store.rewrite_shards(DS, "v6", {shard: "v6/part-00000.parquet"}, {shard: removed})
        merge.join(30)
        assert moves == [{"era": 3, "into": 2, "rows": 20}]
        store.record_version(DS, "v6", "v5", "run-6", T0, None, "live")
        store.erase_ended_ledger_rows(DS, "v6")
        assert (ended, store.ledger_rows(DS, "v6", utterance_ids=removed).num_rows) == (len(removed), 0)
        assert store.ledger_rows(DS, "v5", utterance_ids=removed).num_rows == 0
    finally:
        resume.set()
        store.dispose()
        audit.dispose()


def test_a_merge_stopped_between_pieces_is_finished_by_the_next_and_counts_every_row(store, monkeypatch):
    monkeypatch.setattr(store_module, "LEDGER_ERA_ROWS", 100)
    monkeypatch.setattr(store_module, "_ERA_MOVE_ROWS", 10)
    live = publish_nights(store, [100, 100, 30])
    before = every_lookup(store, live)
    moving, pieces = store_module._MOVE_PIECE, []

    class Killed(dict):
        def __getitem__(self, name):
            pieces.append(name)
            if len(pieces) == 3:
                raise RuntimeError("task killed between pieces")
            return moving[name]

    monkeypatch.setattr(store_module, "_MOVE_PIECE", Killed())
    with pytest.raises(RuntimeError, match="killed"):
        store.merge_ledger_eras(max_eras=2)
    monkeypatch.setattr(store_module, "_MOVE_PIECE", moving)
    assert every_lookup(store, live) == before  # half moved: every row found
    store.merge_ledger_eras(max_eras=2)  # the next audit finishes it
    assert every_lookup(store, live) == before
    with store.engine.connect() as conn:
        counted = dict(conn.execute(select(ledger_eras.c.era, ledger_eras.c.rows)).all())
    assert counted == store.ledger_eras() and sum(counted.values()) == 230
