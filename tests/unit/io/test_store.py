"""The governance store, with the same assertions on SQLite and PostgreSQL (``store_url`` fixture)."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import func, select

from utterance_governance.io.storage import ObjectInfo
from utterance_governance.io.store import GovernanceStore, LockLost, LockTimeout
from utterance_governance.io.store import ledger as store_module
from utterance_governance.io.store_schema import (
    LEDGER,
    LEDGER_INPUT,
    consent_events,
    ledger,
    metadata,
    utterance_key,
    utterance_keys,
)
from utterance_governance.schema import CONSENT, DELETION, QUARANTINE
from utterance_governance.settings import load_settings

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)


def at(days: float = 0, **kw) -> dt.datetime:
    return T0 + dt.timedelta(days=days, **kw)


def consent(*events: tuple) -> pa.Table:
    """events: (event_id, customer_id, status, effective_at, recorded_at)."""
    return pa.Table.from_pylist(
        [
            {
                "event_id": e,
                "customer_id": c,
                "purpose": "model_training",
                "status": s,
                "effective_at": eff,
                "recorded_at": rec,
                "source": "app",
            }
            for e, c, s, eff, rec in events
        ],
        schema=CONSENT,
    )


def deletions(*requests: dict) -> pa.Table:
    defaults = {"scope": "all", "from": None, "to": None, "utterance_ids": None, "requested_at": T0}
    return pa.Table.from_pylist([{**defaults, **r} for r in requests], schema=DELETION)


def unreadable(source_file: str, *rows: tuple) -> pa.Table:
    """rows: (line, customer_id or None)."""
    return pa.Table.from_pylist(
        [
            {
                "source_file": source_file,
                "line": line,
                "record_id": None,
                "customer_id": customer,
                "reason": "malformed",
                "detail": "timestamp_without_offset:recorded_at",
                "raw": '{"customer_id": "..."}',
            }
            for line, customer in rows
        ],
        schema=QUARANTINE,
    )


# --- schema ----------------------------------------------------------------------------------------
def test_no_table_can_hold_transcript_text():
    columns = {column.name for table in metadata.tables.values() for column in table.columns}
    assert not columns & {"transcript", "response", "messages", "raw", "content", "text"}


def test_create_schema_is_idempotent_and_timestamps_round_trip_as_utc(store):
    store.create_schema()
    store.create_schema()
    eastern = dt.timezone(dt.timedelta(hours=-5))
    started = dt.datetime(2026, 11, 25, 8, 45, 12, 123456, tzinfo=eastern)
    store.record_run("r1", "utterances_publish", started, None, "running", {})
    (run,) = store.runs()
    assert run["started_at"] == started
    assert run["started_at"].tzinfo == UTC
    assert run["started_at"].hour == 13
    assert run["finished_at"] is None


def test_naive_datetimes_are_refused(store):
    with pytest.raises(Exception, match="naive datetime"):
        store.record_run("r1", "d", dt.datetime(2026, 1, 1), None, "running", {})


def test_from_settings_creates_the_schema_at_the_configured_url(tmp_path):
    settings = load_settings(
        {"UG_DATA_ROOT": str(tmp_path / "lake"), "UG_PSEUDONYM_KEY": "k", "UG_ENV": "development"}
    )
    store = GovernanceStore.from_settings(settings)
    try:
        assert store.live_version("assistant-sft") is None
        assert (tmp_path / "lake" / "governance.db").exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        store.dispose()


# --- consent events and deletion requests ------------------------------------------------------------
def test_consent_ingest_is_idempotent_by_event_id_and_reads_back(store):
    file_a = consent(
        ("e1", "c1", "opted_out", at(1), at(1, hours=1)),
        ("e2", "c2", "opted_in", at(0), at(0, hours=1)),
    )
    assert store.ingest_consent_events(file_a, "landing/consent/a.jsonl") == 2
    assert store.ingest_consent_events(file_a, "landing/consent/a.jsonl") == 0
    file_b = consent(
        ("e2", "c2", "opted_in", at(0), at(0, hours=1)),
        ("e3", "c1", "opted_in", at(2), at(2)),
    )
    assert store.ingest_consent_events(file_b, "landing/consent/b.jsonl") == 1
    assert store.ingest_consent_events(consent(), "landing/consent/empty.jsonl") == 0

    events = store.consent_events()
    assert events.schema == CONSENT
    assert events.column("event_id").to_pylist() == ["e2", "e1", "e3"]  # by recorded_at
    assert events.to_pylist()[1] == file_a.to_pylist()[0]
    with store.engine.connect() as conn:
        sources = dict(conn.execute(select(consent_events.c.event_id, consent_events.c.source_file)).all())
    assert sources == {
        "e1": "landing/consent/a.jsonl",
        "e2": "landing/consent/a.jsonl",
        "e3": "landing/consent/b.jsonl",
    }


def test_deletion_ingest_is_idempotent_and_keeps_lists_and_ranges(store):
    requests = deletions(
        {"request_id": "d1", "customer_id": "c1"},
        {"request_id": "d2", "customer_id": "c2", "scope": "range", "from": at(-3), "to": at(-1)},
        {"request_id": "d3", "customer_id": "c3", "scope": "utterances", "utterance_ids": ["u9", "u1"]},
    )
    assert store.ingest_deletion_requests(requests, "landing/deletions/a.jsonl") == 3
    assert store.ingest_deletion_requests(requests, "landing/deletions/a.jsonl") == 0
    back = store.deletion_requests()
    assert back.schema == DELETION
    assert sorted(back.to_pylist(), key=lambda r: r["request_id"]) == requests.to_pylist()


def test_unreadable_record_holds_its_customer_until_a_later_valid_record(store):
    # c1's unreadable record and a valid c1 record in the same file: which came last is
    # unknown, so the hold stays (fail closed).
    store.ingest_consent_events(
        consent(("e1", "c1", "opted_in", at(0), at(0)), ("e2", "c2", "opted_in", at(0), at(0))),
        "landing/consent/a.jsonl",
        quarantined=unreadable("landing/consent/a.jsonl", (3, "c1")),
    )
    assert store.held_customers() == {"c1"}
    assert store.privacy_blocked_reasons() == []
    # re-ingesting the old file (nothing new) releases nothing
    store.ingest_consent_events(consent(("e1", "c1", "opted_in", at(0), at(0))), "landing/consent/a.jsonl")
    assert store.held_customers() == {"c1"}
    # a valid deletion request does not settle an unreadable *consent* record
    store.ingest_deletion_requests(
        deletions({"request_id": "d1", "customer_id": "c1"}), "landing/deletions/x.jsonl"
    )
    assert store.held_customers() == {"c1"}
    # the unreadable record states no time: it stands at the time it was taken in, and a record recorded
    # before that, delivered later, says nothing of it
    store.ingest_consent_events(consent(("e3", "c1", "opted_out", at(1), at(1))), "landing/consent/b.jsonl")
    assert store.held_customers() == {"c1"}
    # a valid consent record recorded after it does
    later = dt.datetime.now(dt.UTC)
    store.ingest_consent_events(consent(("e4", "c1", "opted_out", later, later)), "landing/consent/c.jsonl")
    assert store.held_customers() == set()


def test_unreadable_deletion_request_holds_until_the_same_request_is_read(store):
    """Deletions add up: another request of the customer (of one utterance, say) says nothing of the
    unreadable one, which may have been a delete-all; only the same request read, or an
    acknowledgement, or a delete-all requested after it, releases the hold."""
    bad = unreadable("landing/deletions/bad.jsonl", (1, "c7")).set_column(
        2, "record_id", pa.array(["d7"], pa.string())
    )
    assert store.record_privacy_quarantine("deletion", bad) == 1
    assert store.record_privacy_quarantine("deletion", bad) == 0
    store.ingest_consent_events(consent(("e1", "c7", "opted_in", at(0), at(0))), "landing/consent/a.jsonl")
    assert store.held_customers() == {"c7"}
    store.ingest_deletion_requests(
        deletions({"request_id": "d8", "customer_id": "c7", "scope": "utterances", "utterance_ids": ["u-1"]}),
        "landing/deletions/b.jsonl",
    )
    assert store.held_customers() == {"c7"}
    store.ingest_deletion_requests(
        deletions({"request_id": "d7", "customer_id": "c7"}), "landing/deletions/c.jsonl"
    )
    assert store.held_customers() == set()


def test_unreadable_record_without_customer_blocks_until_acknowledged(store):
    store.ingest_consent_events(
        consent(("e1", "c1", "opted_in", at(0), at(0))),
        "landing/consent/a.jsonl",
        quarantined=unreadable("landing/consent/a.jsonl", (7, None), (8, "  "), (9, "c9")),
    )
    reasons = store.privacy_blocked_reasons()
    assert len(reasons) == 2
    assert "landing/consent/a.jsonl:7" in reasons[0] and "blocked" in reasons[0]
    assert store.held_customers() == {"c9"}

    open_records = store.privacy_quarantine()
    assert [r["line"] for r in open_records] == [7, 8, 9]
    assert all("raw" not in r for r in open_records)
    with pytest.raises(ValueError, match="who acknowledges"):
        store.acknowledge_privacy_quarantine([open_records[0]["id"]], by=" ")
    blocking_ids = [r["id"] for r in open_records if r["customer_id"] is None]
    assert store.acknowledge_privacy_quarantine(blocking_ids, by="dana@data-eng") == 2
    assert store.acknowledge_privacy_quarantine(blocking_ids, by="dana@data-eng") == 0
    assert store.privacy_blocked_reasons() == []
    assert store.held_customers() == {"c9"}
    # the same quarantine read again (a re-run) does not re-open it
    store.record_privacy_quarantine("consent", unreadable("landing/consent/a.jsonl", (7, None)))
    assert store.privacy_blocked_reasons() == []
    acknowledged = store.privacy_quarantine(open_only=False)[0]
    assert acknowledged["acknowledged_by"] == "dana@data-eng"
    assert acknowledged["acknowledged_at"].tzinfo == UTC


def _fill_privacy_state(store: GovernanceStore) -> None:
    store.ingest_consent_events(
        consent(("e1", "c1", "opted_out", at(1), at(1, hours=2)), ("e2", "c2", "opted_in", at(0), at(0))),
        "landing/consent/a.jsonl",
        quarantined=unreadable("landing/consent/a.jsonl", (3, "c3")),
    )
    store.ingest_deletion_requests(
        deletions(
            {"request_id": "d1", "customer_id": "c4", "requested_at": at(2)},
            {"request_id": "d2", "customer_id": "c5", "scope": "utterances", "utterance_ids": ["u1", "u2"]},
        ),
        "landing/deletions/a.jsonl",
    )


def test_privacy_snapshot_counts_and_hash(store, tmp_path):
    _fill_privacy_state(store)
    snapshot = store.privacy_snapshot()
    assert snapshot["consent_events"] == 2
    assert snapshot["deletion_requests"] == 2
    assert snapshot["max_consent_recorded_at"] == at(1, hours=2).isoformat()
    assert snapshot["max_deletion_requested_at"] == at(2).isoformat()
    assert snapshot["held_customers"] == 1
    assert snapshot["blocking_records"] == 0
    assert len(snapshot["sha256"]) == 64

    _fill_privacy_state(store)  # re-ingest: same state, same snapshot
    assert store.privacy_snapshot() == snapshot

    reference = GovernanceStore(f"sqlite:///{tmp_path / 'reference.db'}")  # same state on SQLite
    reference.create_schema()
    _fill_privacy_state(reference)
    assert reference.privacy_snapshot()["sha256"] == snapshot["sha256"]
    reference.dispose()

    later = dt.datetime.now(
        dt.UTC
    )  # (recorded after the unreadable record, which states no time, was taken in)
    store.ingest_consent_events(consent(("e9", "c3", "opted_in", later, later)), "landing/consent/b.jsonl")
    changed = store.privacy_snapshot()
    assert changed["sha256"] != snapshot["sha256"]
    assert changed["held_customers"] == 0


# --- processed landing files ---------------------------------------------------------------------------
def test_file_registry_new_late_changed_and_reprocess(store):
    a = ObjectInfo("landing/utterances/dt=2026-11-01/a.jsonl", 100, "100:1.0")
    b = ObjectInfo("landing/utterances/dt=2026-11-02/b.parquet", 200, "etag-b")
    assert store.select_new_files([a, b]) == [a, b]
    assert store.mark_files_processed([a, b], "run-1", {"published": 5}) == 2
    assert store.mark_files_processed([a, b], "run-1", {"published": 5}) == 2  # idempotent
    assert store.select_new_files([a, b]) == []

    late = ObjectInfo("landing/utterances/dt=2026-10-01/late.jsonl", 50, "50:9.0")
    changed = ObjectInfo(a.path, 120, "120:2.0")
    touched = ObjectInfo(b.path, 200, "etag-b2")  # same size, new content
    assert store.select_new_files([changed, touched, late]) == [changed, touched, late]
    assert store.select_new_files([a, b, late]) == [late]
    assert store.select_new_files([a, b, late], reprocess=True) == [a, b, late]

    store.mark_files_processed([late], "run-2", {late.path: {"rows": 3}})
    assert store.processed_file(late.path)["stats"] == {"rows": 3}
    assert store.processed_file(late.path)["run_id"] == "run-2"
    assert store.processed_file(a.path)["stats"] == {"published": 5}
    assert store.processed_file("nope") is None

    assert store.forget_files([a.path, "never-seen"]) == 1
    assert store.select_new_files([a, b, late]) == [a]


def test_purge_rewrite_is_reregistered_not_taken_as_new(store):
    a = ObjectInfo("landing/utterances/dt=2026-11-01/a.jsonl", 100, "100:1.0")
    store.mark_files_processed([a], "run-1")
    rewritten = ObjectInfo(a.path, 80, "80:5.0")
    assert store.select_new_files([rewritten]) == [rewritten]
    assert store.update_file_fingerprint(a.path, 80, "80:5.0") is True
    assert store.select_new_files([rewritten]) == []
    assert store.processed_file(a.path)["rewritten_at"] is not None
    # an unprocessed file a purge rewrote is still input to process
    assert store.update_file_fingerprint("landing/utterances/dt=2026-11-03/new.jsonl", 1, "x") is False


# --- dataset versions ----------------------------------------------------------------------------------
def test_versions_live_superseded_revoked(store):
    ds = "assistant-sft"
    assert store.live_version(ds) is None
    store.record_version(
        ds, "v1", None, "run-1", at(0), "assistant-sft/v1/manifest.json", "staged", {"published": 3}
    )
    assert store.live_version(ds) is None
    store.set_version_status(ds, "v1", "live")
    assert store.live_version(ds) == "v1"
    store.record_version(
        ds, "v2", "v1", "run-2", at(1), "assistant-sft/v2/manifest.json", "live", {"published": 4}
    )
    assert store.live_version(ds) == "v2"
    store.record_version(
        ds, "v2", "v1", "run-2", at(1), "assistant-sft/v2/manifest.json", "live", {"published": 4}
    )
    store.record_version("other", "v1", None, "run-9", at(0), None, "live")
    assert store.live_version("other") == "v1"

    listed = store.versions(ds)
    assert [(v["version"], v["status"]) for v in listed] == [("v1", "superseded"), ("v2", "live")]
    assert listed[1]["parent_version"] == "v1"
    assert listed[1]["counts"] == {"published": 4}
    assert listed[1]["created_at"] == at(1) and listed[1]["created_at"].tzinfo == UTC

    store.set_version_status(ds, "v1", "revoked")
    with pytest.raises(ValueError, match="revoked"):
        store.set_version_status(ds, "v1", "live")
    with pytest.raises(ValueError, match="revoked"):
        store.record_version(ds, "v1", None, "run-1", at(0), None, "staged")
    with pytest.raises(ValueError, match="status must be one of"):
        store.set_version_status(ds, "v2", "deleted")
    with pytest.raises(KeyError):
        store.set_version_status(ds, "v404", "live")
    # rolling back to a superseded version is allowed
    store.record_version(ds, "v3", "v2", "run-3", at(2), None, "live")
    store.set_version_status(ds, "v2", "live")
    assert [v["status"] for v in store.versions(ds)] == ["revoked", "live", "superseded"]


# --- ledger --------------------------------------------------------------------------------------------
def ledger_input(shard: str, n: int, *, speakers: int = 10, start: int = 0) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "shard_path": shard,
                "utterance_id": f"u{start + i:07d}",
                "speaker_key": f"spk{(start + i) % speakers:03d}",
                "content_hash": f"h{start + i:07d}",
                "captured_at": T0 + dt.timedelta(seconds=start + i, microseconds=7),
            }
            for i in range(n)
        ],
        schema=LEDGER_INPUT,
    )


def test_a_bulk_ledger_insert_leaves_no_wal_behind_on_sqlite(tmp_path, monkeypatch):
    """The publish step checkpoints its own bulk insert and cuts the WAL file back: it does not stay
    as large as the night on disk until every connection closes."""
    monkeypatch.setattr(store_module, "_BULK_ROWS", 1_000)
    path = tmp_path / "governance.db"
    store = GovernanceStore(f"sqlite:///{path}")
    try:
        store.migrate()
        assert store.insert_ledger_rows("ds", "v1", ledger_input("v1/part-00000.parquet", 5_000)) == 5_000
        assert (tmp_path / "governance.db-wal").stat().st_size == 0
        assert store.ledger_count("ds", "v1") == 5_000
        small = store.insert_ledger_rows("ds", "v1", ledger_input("v1/part-00001.parquet", 10, start=5_000))
        assert small == 10 and (tmp_path / "governance.db-wal").stat().st_size > 0  # small: SQLite's own
    finally:
        store.dispose()


@pytest.mark.parametrize("parts_in_shard_order", [True, False], ids=["parts-in-order", "parts-reversed"])
def test_a_bulk_ledger_insert_on_sqlite_goes_in_in_lineage_order_across_parts(tmp_path, parts_in_shard_order):
    """A night's parts each arrive in their own order (a publish's come with rising shard numbers; the
    ledger then takes them as staged, else sorts them); the ledger takes all of them in one pass in
    lineage order (shard, speaker, id), which puts the night's rows at the ends of the table and of the
    shard index, and each row has its id's key."""
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        store.migrate()
        parts = [ledger_input(f"v1/part-{p:05d}.parquet", 300, start=300 * p) for p in range(3)]
        parts = [part.take(pa.array(range(part.num_rows - 1, -1, -1))) for part in parts]  # ids falling
        assert (
            store.insert_ledger_parts("ds", "v1", iter(parts if parts_in_shard_order else parts[::-1])) == 900
        )
        with store.engine.connect() as conn:
            in_rowid_order = conn.exec_driver_sql(
                "SELECT shard_id, speaker_key, utterance_id, utterance_key FROM ledger ORDER BY rowid"
            ).all()
        assert len(in_rowid_order) == 900
        assert [tuple(r[:3]) for r in in_rowid_order] == sorted(tuple(r[:3]) for r in in_rowid_order)
        assert [r[3] for r in in_rowid_order] == [utterance_key(r[2]) for r in in_rowid_order]
        assert store.ledger_count("ds", "v1") == 900
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("text", "fnv1a_64"),  # the published FNV-1a test vectors
    [("", 0xCBF29CE484222325), ("a", 0xAF63DC4C8601EC8C), ("foobar", 0x85944171F73967E8)],
)
def test_the_utterance_key_is_fnv1a_of_the_ids_bytes(text, fnv1a_64):
    signed = fnv1a_64 - (1 << 64) if fnv1a_64 >= 1 << 63 else fnv1a_64
    assert utterance_key(text) == signed
    assert utterance_keys(pa.array([text])).to_pylist() == [signed]


def test_the_vectorised_keys_are_the_keys_of_each_id():
    """Ids of every length (past a block of rows, some longer than the others), non-ASCII, nulls,
    chunked and sliced: each key is the one-id function's."""
    ids = ["u1", "ü-straße", "", "a" * 70, None, "b", "é" * 3, "名前-7"] * 9_000 + ["x" * 300]
    keys = utterance_keys(pa.array(ids))
    assert keys.type == pa.int64()
    assert keys.to_pylist() == [None if i is None else utterance_key(i) for i in ids]
    chunked = pa.chunked_array([pa.array(ids[:5]), pa.array(ids[5:40])]).slice(3, 30)
    assert utterance_keys(chunked).to_pylist() == [None if i is None else utterance_key(i) for i in ids[3:33]]
    assert utterance_keys(pa.array([], pa.string())).to_pylist() == []


def test_an_id_sharing_its_key_with_another_finds_only_its_own_rows(store_url):
    """A key is a hash: two ids may share one. Lookups, the duplicate rule and erasure compare the id."""
    store = GovernanceStore(store_url)
    try:
        store.migrate()
        store.insert_ledger_rows("ds", "v1", ledger_input("v1/part-00000.parquet", 3))
        store.record_version("ds", "v1", None, "run-1", at(0), None, "live")
        ids = sorted(store.ledger_rows("ds", "v1").column("utterance_id").to_pylist())
        with store.engine.begin() as conn:  # the second id's row takes the first id's key
            conn.execute(
                ledger.update()
                .where(ledger.c.utterance_id == ids[1])
                .values(utterance_key=utterance_key(ids[0]))
            )
        assert store.ledger_rows("ds", "v1", utterance_ids=[ids[0]]).column("utterance_id").to_pylist() == [
            ids[0]
        ]
        assert store.live_matches("ds", "v1", pa.array([], pa.string()), pa.array([ids[0]]))[1] == {ids[0]}
        assert store.delete_ledger_rows("ds", utterance_ids=[ids[0]]) == 1
        assert sorted(store.ledger_rows("ds", "v1").column("utterance_id").to_pylist()) == ids[1:]
    finally:
        store.dispose()


def test_the_bulk_insert_cache_is_what_the_task_budget_leaves_within_its_bounds():
    mib = 1024
    budget, headroom = store_module._TASK_MEMORY_KIB, store_module._BULK_HEADROOM_KIB
    assert store_module._bulk_cache_kib(300 * mib) == 512 * mib  # a small process: the full cache
    assert store_module._bulk_cache_kib(budget - headroom - 300 * mib) == 300 * mib  # what is left
    assert store_module._bulk_cache_kib(budget) == 128 * mib  # over budget already: the sort's cache
    assert store_module._bulk_cache_kib(10 * budget) == 128 * mib


def test_the_resident_memory_follows_what_the_process_holds():
    before = store_module._resident_kib()
    held = bytearray(96 * 1024 * 1024)  # touched: resident, not only reserved
    held[::4096] = b"x" * len(held[::4096])
    try:
        after = store_module._resident_kib()
        assert 90 * 1024 <= after - before <= 160 * 1024  # KiB, not pages or bytes
    finally:
        del held


@pytest.mark.parametrize(("resident_mib", "cache_mib"), [(200, 512), (1100, 308), (1500, 128)])
def test_a_bulk_ledger_insert_on_sqlite_sizes_its_cache_by_what_the_process_holds(
    tmp_path, monkeypatch, caplog, resident_mib, cache_mib
):
    monkeypatch.setattr(store_module, "_resident_kib", lambda: resident_mib * 1024)
    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        store.migrate()
        part = ledger_input("v1/part-00000.parquet", 50)
        with caplog.at_level(logging.INFO, logger=store_module.__name__):
            assert store.insert_ledger_parts("ds", "v1", iter([part])) == 50
        assert f"page cache {cache_mib} MiB, the process holding {resident_mib} MiB" in caplog.text
        assert store.ledger_count("ds", "v1") == 50
    finally:
        store.dispose()


def test_ledger_insert_carry_over_and_queries(store, monkeypatch):
    monkeypatch.setattr(store_module, "_LEDGER_BATCH", 700)  # several bulk batches per insert
    ds = "assistant-sft"
    s1, s2 = (
        ledger_input("v1/part-00000.parquet", 2000),
        ledger_input("v1/part-00001.parquet", 1500, start=2000),
    )
    assert store.insert_ledger_rows(ds, "v1", pa.concat_tables([s1, s2])) == 3500
    assert store.insert_ledger_rows(ds, "v1", s2) == 1500  # retried shard: replaced, not duplicated
    assert store.ledger_count(ds, "v1") == 3500
    store.record_version(ds, "v1", None, "run-1", at(0), None, "live")

    rows = store.ledger_rows(ds, "v1")
    assert rows.schema == LEDGER
    assert rows.num_rows == 3500
    assert rows.drop_columns(["dataset", "version"]).equals(pa.concat_tables([s1, s2]))
    assert set(rows.column("version").to_pylist()) == {"v1"}
    with store.engine.connect() as conn:  # the bulk path stores timestamps as SQLAlchemy reads them
        first = conn.execute(
            select(ledger.c.captured_at).where(ledger.c.utterance_id == "u0000001")
        ).scalar_one()
        later = conn.execute(
            select(func.count()).where(ledger.c.captured_at >= T0 + dt.timedelta(seconds=3000))
        ).scalar()
    assert first == T0 + dt.timedelta(seconds=1, microseconds=7) and first.tzinfo == UTC
    assert later == 500
    assert store.live_content_hashes(ds) == {f"h{i:07d}" for i in range(3500)}

    by_speaker = store.ledger_rows(ds, "v1", speaker_keys=["spk003"])
    assert by_speaker.num_rows == 350
    by_id = store.ledger_rows(ds, None, utterance_ids=[f"u{i:07d}" for i in range(0, 3500, 3)] + ["nope"])
    assert by_id.num_rows == 1167
    both = store.ledger_rows(
        ds, "v1", speaker_keys=["spk003", "spk004"], utterance_ids=["u0000003", "u0000005"]
    )
    assert both.column("utterance_id").to_pylist() == ["u0000003"]
    assert store.ledger_rows(ds, "v9").num_rows == 0

    # v2 (a purge) rewrites shard 0 without u0000000..u0000009 and carries shard 1 over
    old, new = "v1/part-00000.parquet", "v2/part-00000.parquet"
    removed = [f"u{i:07d}" for i in range(10)]
    store.carry_over(ds, "v1", "v2", exclude_shards=[old])
    store.carry_over(ds, "v1", "v2", exclude_shards=[old])  # idempotent
    # removed ids given per shard: ids the shard does not hold mark nothing
    assert store.rewrite_shards(ds, "v2", {old: new}, {old: [*removed, "u0002500"]}) == 10
    assert store.rewrite_shards(ds, "v2", {old: new}, removed) == 0  # idempotent
    assert store.version_shard_paths(ds, "v2") == ["v1/part-00001.parquet", new]
    v2 = store.ledger_rows(ds, "v2")
    assert v2.num_rows == store.ledger_count(ds, "v2") == 3490
    in_new = v2.filter(pc.equal(v2.column("shard_path"), new))
    assert in_new.column("utterance_id").to_pylist() == [
        f"u{i:07d}" for i in range(10, 2000)
    ]  # same rows, new path
    assert store.live_content_hashes(ds, "v2") == {f"h{i:07d}" for i in range(10, 3500)}
    assert store.ledger_count(ds, "v1") == 3500  # v1's file still holds the removed rows: v1 still sees them
    with pytest.raises(KeyError, match="no version lists"):
        store.rewrite_shards(ds, "v2", {"v0/gone.parquet": None}, [])

    # a purge erases a customer's trace from every version (one lineage per row: no copies)
    erased = store.delete_ledger_rows(ds, speaker_keys=["spk005"])
    assert erased == 200 + 150
    assert store.ledger_rows(ds, "v1", speaker_keys=["spk005"]).num_rows == 0
    assert store.ledger_count(ds, "v2") == 3490 - 199 - 150  # u0000005 had already left v2
    assert store.delete_ledger_rows(ds, utterance_ids=["u0000011"]) == 1
    with pytest.raises(ValueError):
        store.delete_ledger_rows(ds, "v2", utterance_ids=["u0000012"])
    with pytest.raises(ValueError):
        store.delete_ledger_rows(ds)

    # an abandoned v2 leaves: the rows it ended are back, lineages v1 lists stay
    lost = store.delete_ledger_rows(ds, "v2")
    assert lost == 3490 - 199 - 150 - 1
    assert store.version_shard_paths(ds, "v2") == []
    assert store.ledger_count(ds, "v1") == 3500 - 350 - 1
    assert store.erase_ended_ledger_rows(ds, "v9") == 0

    # the purge done again and finished: the old file's listing goes, the lineage lives on in v2,
    # and the rows it ended are erased once no version can show them
    store.carry_over(ds, "v1", "v2", exclude_shards=[old])
    assert store.rewrite_shards(ds, "v2", {old: new}, removed) == 9
    assert store.delete_ledger_rows(ds, shard_paths=[old]) == 0  # lineage still listed (by v2)
    assert store.version_shard_paths(ds, "v1") == ["v1/part-00001.parquet"]
    assert store.erase_ended_ledger_rows(ds, "v2") == 9
    assert store.ledger_count(ds, "v2") == 3500 - 350 - 1 - 9
    assert store.delete_ledger_rows(ds, shard_paths=["v1/part-00001.parquet"]) == 1500 - 150
    assert store.version_shard_paths(ds, "v2") == [new]


# --- runs ----------------------------------------------------------------------------------------------
def test_runs_record_counts_by_reason(store):
    store.record_run("r1", "utterances_publish", at(0), None, "running", {})
    store.record_run(
        "r1", "utterances_publish", at(0), at(0, hours=1), "success", {"published": 7, "quality:too_short": 2},
        {"version": "v1"},
    )  # fmt: skip
    store.record_run("r2", "privacy_requests", at(1), at(1, minutes=5), "success", {}, None)
    store.record_run("r3", "utterances_publish", at(2), None, "failed", {"malformed": 1})
    assert [r["run_id"] for r in store.runs()] == ["r3", "r2", "r1"]
    published = store.runs("utterances_publish")
    assert [r["run_id"] for r in published] == ["r3", "r1"]
    assert published[1]["counts"] == {"published": 7, "quality:too_short": 2}
    assert published[1]["details"] == {"version": "v1"}
    assert published[1]["status"] == "success"
    assert [r["run_id"] for r in store.runs(limit=1)] == ["r3"]


# --- deletion receipts ---------------------------------------------------------------------------------
def test_receipts_and_deadlines(store):
    for rid, received in (("d1", at(-29)), ("d2", at(-25)), ("d3", at(-1)), ("d4", at(-31))):
        store.upsert_receipt(rid, received_at=received, deadline_at=received + dt.timedelta(days=30))
    store.upsert_receipt("d4", status="in_progress")
    store.upsert_receipt(
        "d3",
        status="completed",
        completed_at=at(0),
        removed_counts={"published": 3},
        versions_rewritten=["v2"],
    )
    d3 = store.receipt("d3")
    assert d3["status"] == "completed" and d3["removed_counts"] == {"published": 3}
    assert d3["versions_rewritten"] == ["v2"] and d3["received_at"] == at(-1)
    receipts = store.receipts()  # earliest deadline first
    assert [(r["request_id"], r["status"]) for r in receipts] == [
        ("d4", "in_progress"), ("d1", "open"), ("d2", "open"), ("d3", "completed"),
    ]  # fmt: skip
    assert receipts[1]["deadline_at"] == at(1)

    # creating again (re-ingest) keeps the progress made
    store.upsert_receipt("d4", received_at=at(-31), deadline_at=at(-1))
    assert store.receipt("d4")["status"] == "in_progress"
    with pytest.raises(KeyError):
        store.upsert_receipt("d404", status="completed")
    with pytest.raises(ValueError):
        store.upsert_receipt("d1", status="done")


# --- dataset lock --------------------------------------------------------------------------------------
def test_lock_excludes_times_out_and_releases(store):
    with store.dataset_lock("ds", "publish-run-1", timeout_s=5) as lock:
        assert store.lock_holder("ds")["owner"] == "publish-run-1"
        with (
            pytest.raises(LockTimeout, match="publish-run-1"),
            store.dataset_lock("ds", "purge-run-1", timeout_s=0.3),
        ):
            pass
        with store.dataset_lock("other-ds", "purge-run-1", timeout_s=1):
            pass  # other datasets are not affected
        lock.assert_held()
    assert store.lock_holder("ds") is None
    with store.dataset_lock("ds", "purge-run-1", timeout_s=1):
        pass


def test_expired_lease_is_taken_over_and_stale_holder_cannot_release(store):
    crashed = store.acquire_dataset_lock("ds", "crashed-run", lease_s=0.3, heartbeat=False)
    time.sleep(0.5)
    with store.dataset_lock("ds", "next-run", timeout_s=5) as lock:
        with pytest.raises(LockLost):
            crashed.assert_held()
        with pytest.raises(LockLost):
            crashed.renew()
        assert crashed.release() is False  # does not remove next-run's lock
        assert store.lock_holder("ds")["owner"] == "next-run"
        lock.assert_held()


def test_heartbeat_keeps_a_long_holding_alive(store):
    with store.dataset_lock("ds", "long-run", lease_s=1.0) as lock:
        time.sleep(2.5)  # more than two leases
        with pytest.raises(LockTimeout):
            store.acquire_dataset_lock("ds", "intruder", timeout_s=0.2)
        lock.assert_held()


def _contend(url: str, worker: int, iterations: int, workdir: str, errors: list | None = None) -> None:
    """Enter the dataset lock's critical section ``iterations`` times; detect any overlap via the file system."""
    governance = GovernanceStore(url)
    marker = os.path.join(workdir, "inside")
    counter = os.path.join(workdir, "counter")
    try:
        for _ in range(iterations):
            with governance.dataset_lock("ds", f"worker-{worker}", timeout_s=60, lease_s=30):
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if another is inside
                os.close(fd)
                with open(counter) as fh:
                    value = int(fh.read())
                time.sleep(0.002)
                with open(counter, "w") as fh:
                    fh.write(str(value + 1))
                os.unlink(marker)
    except BaseException as exc:
        if errors is None:
            raise
        errors.append(exc)
    finally:
        governance.dispose()


def test_lock_mutual_exclusion_between_threads(store_url, store, tmp_path):
    (tmp_path / "counter").write_text("0")
    errors: list = []
    threads = [
        threading.Thread(target=_contend, args=(store_url, i, 15, str(tmp_path), errors)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (tmp_path / "counter").read_text() == "60"
    assert store.lock_holder("ds") is None


def test_lock_mutual_exclusion_between_processes(store_url, store, tmp_path):
    (tmp_path / "counter").write_text("0")
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_contend, args=(store_url, i, 10, str(tmp_path))) for i in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert (tmp_path / "counter").read_text() == "30"
    assert store.lock_holder("ds") is None


def test_runs_of_different_dags_may_share_a_run_id(store_url):
    """Scheduled runs of two DAGs at the same instant get the same run_id; both are kept."""
    import datetime as dt

    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore(store_url)
    store.create_schema()
    at = dt.datetime(2026, 11, 27, 2, tzinfo=dt.UTC)
    store.record_run(
        "scheduled__2026-11-27T02:00:00+00:00", "utterances_publish", at, at, "success", {"published": 3}
    )
    store.record_run(
        "scheduled__2026-11-27T02:00:00+00:00", "privacy_requests", at, at, "success", {"opted_out": 1}
    )
    assert {r["dag_id"]: r["counts"] for r in store.runs()} == {
        "utterances_publish": {"published": 3},
        "privacy_requests": {"opted_out": 1},
    }
    store.dispose()


def test_live_matches_looks_up_a_batchs_keys_in_one_version(store):
    """The duplicate rule asks only about its batch's content hashes and utterance ids; rows a purge
    ended, and rows of other versions, are not live."""
    ds = "assistant-sft"
    rows = pa.table({
        "shard_path": ["v1/a.parquet"] * 3 + ["v1/b.parquet"],
        "utterance_id": ["u1", "u2", "u3", "u4"],
        "speaker_key": ["s"] * 4,
        "content_hash": ["h1", "h2", "h3", "h4"],
        "captured_at": pa.array([T0] * 4, pa.timestamp("us", tz="UTC")),
    })  # fmt: skip
    store.record_version(ds, "v1", None, "r1", T0, None, "live")
    store.insert_ledger_rows(ds, "v1", rows)
    store.record_version(ds, "v2", "v1", "r2", T0, None, "staged")
    store.carry_over(ds, "v1", "v2", exclude_shards=["v1/a.parquet"])
    store.rewrite_shards(ds, "v2", {"v1/a.parquet": "v2/a.parquet"}, {"v1/a.parquet": ["u2"]})
    batch_hashes = pa.array(["h1", "h2", "h9", None])
    batch_ids = pa.array(["u2", "u4", "u8"])
    assert store.live_matches(ds, "v1", batch_hashes, batch_ids) == ({"h1", "h2"}, {"u2", "u4"})
    assert store.live_matches(ds, "v2", batch_hashes, batch_ids) == ({"h1"}, {"u4"})  # u2 ended in v2
    assert store.live_matches(ds, "v2", pa.array([], pa.string()), pa.array([], pa.string())) == (
        set(),
        set(),
    )


def test_ledger_bulk_paths_through_psycopg3(postgres_url):
    """The lock holds both PostgreSQL drivers: the ledger's COPY paths (insert, the temporary key
    tables of lookups and purges, reads into Arrow) work through psycopg 3's ``cursor.copy`` as
    through psycopg2's ``copy_expert``, with the same rows."""
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    store = GovernanceStore(url)
    try:
        store.create_schema()
        ds, rows = "assistant-sft", ledger_input("v1/part-00000.parquet", 1200, speakers=7)
        with store.engine.connect() as conn:
            assert type(conn.connection.driver_connection).__module__ == "psycopg"
        assert store.insert_ledger_rows(ds, "v1", rows) == 1200
        store.record_version(ds, "v1", None, "run-1", at(0), None, "live")
        assert store.ledger_rows(ds, "v1").drop_columns(["dataset", "version"]).equals(rows)
        assert store.ledger_rows(ds, "v1", speaker_keys=["spk003"]).num_rows == 171
        assert store.live_matches(ds, "v1", pa.array(["h0000005", "nope"]), pa.array(["u0001199"])) == (
            {"h0000005"},
            {"u0001199"},
        )
        store.record_version(ds, "v2", "v1", "run-2", at(1), None, "staged")
        store.carry_over(ds, "v1", "v2", exclude_shards=["v1/part-00000.parquet"])
        ended = store.rewrite_shards(
            ds, "v2", {"v1/part-00000.parquet": "v2/part-00000.parquet"}, ["u0000000", "u0000001"]
        )
        assert ended == 2 and store.ledger_count(ds, "v2") == 1198
    finally:
        store.dispose()
