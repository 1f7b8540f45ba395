"""A governance store of schema version 1 (before shard lineages, before Alembic) is migrated in place
by ``ug migrate-store``, on SQLite and PostgreSQL, and then works like a new one; until then tasks
refuse it, not half-use it."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pytest
from sqlalchemy import Column, Index, MetaData, Table, create_engine, insert, inspect, text

from utterance_governance.cli import main as cli_main
from utterance_governance.io.store import GovernanceStore, StoreSchemaMismatch
from utterance_governance.io.store_schema import (
    KEY,
    SCHEMA_VERSION,
    UTCDateTime,
    deletion_receipts,
    ledger,
    metadata,
    version_shards,
)

DS = "assistant-sft"
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def create_version_1(url: str) -> None:
    """The store as schema version 1 made it: ledger keyed by shard path, no store_meta."""
    v1 = MetaData()
    Table(
        "ledger", v1,
        Column("dataset", KEY, primary_key=True),
        Column("utterance_id", KEY, primary_key=True),
        Column("shard_path", KEY, primary_key=True),
        Column("speaker_key", KEY, nullable=False),
        Column("content_hash", KEY, nullable=False),
        Column("captured_at", UTCDateTime, nullable=False),
        Index("ix_ledger_shard", "dataset", "shard_path"),
        Index("ix_ledger_speaker", "dataset", "speaker_key"),
    )  # fmt: skip
    Table(  # as it was before schema version 3 added ``searched``
        "deletion_receipts", v1,
        *(c._copy() for c in deletion_receipts.columns if c.name != "searched"),
    )  # fmt: skip
    Table(
        "version_shards", v1,
        Column("dataset", KEY, primary_key=True),
        Column("version", KEY, primary_key=True),
        Column("shard_path", KEY, primary_key=True),
        Index("ix_version_shards_shard", "dataset", "shard_path"),
    )  # fmt: skip
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            others = [
                t
                for t in metadata.sorted_tables
                if t.name
                not in ("ledger", "version_shards", "store_meta", "deletion_receipts", "landing_arrivals")
            ]
            metadata.create_all(conn, tables=others)
            v1.create_all(conn)
            rows = [
                {"dataset": DS, "utterance_id": f"u{i}", "shard_path": f"v1/part-0000{i % 2}.parquet",
                 "speaker_key": f"s{i % 3}", "content_hash": f"h{i}", "captured_at": T0 + dt.timedelta(hours=i)}
                for i in range(6)
            ]  # fmt: skip
            conn.execute(insert(v1.tables["ledger"]), rows)
            conn.execute(
                insert(v1.tables["version_shards"]),
                [{"dataset": DS, "version": v, "shard_path": f"v1/part-0000{p}.parquet"}
                 for v in ("v1", "v2") for p in (0, 1)],
            )  # fmt: skip
    finally:
        engine.dispose()


def _index_names(engine, table: str) -> set[str]:
    """The table's index names (SQLite's reflection leaves out indexes on an expression)."""
    if engine.dialect.name != "sqlite":
        return {i["name"] for i in inspect(engine).get_indexes(table)}
    with engine.connect() as conn:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
        return set(conn.execute(text(query), {"t": table}).scalars())


def test_a_version_1_store_is_refused_then_migrated_in_place(empty_store_url, monkeypatch):
    create_version_1(empty_store_url)
    store = GovernanceStore(empty_store_url)
    try:
        with pytest.raises(StoreSchemaMismatch, match=r"schema version 1 \(before Alembic\).* migrate-store"):
            store.require_schema()
        monkeypatch.setenv("UG_DATABASE_URL", empty_store_url)
        assert cli_main(["migrate-store"]) == 0
        store.require_schema()  # up to date now: accepted as is
        assert store.migrate() == []

        inspector = inspect(store.engine)
        for table in (ledger, version_shards):
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())
            assert _index_names(store.engine, table.name) == {i.name for i in table.indexes}
        rows = store.ledger_rows(DS, "v2")
        assert rows.column("utterance_id").to_pylist() == ["u0", "u2", "u4", "u1", "u3", "u5"]
        assert (
            rows.column("shard_path").to_pylist()
            == ["v1/part-00000.parquet"] * 3 + ["v1/part-00001.parquet"] * 3
        )
        assert rows.column("captured_at")[1].as_py() == T0 + dt.timedelta(hours=2)

        # every shard is its own lineage: a purge's rewrite works on the migrated store
        store.carry_over(DS, "v2", "v3", exclude_shards=["v1/part-00000.parquet"])
        assert store.rewrite_shards(DS, "v3", {"v1/part-00000.parquet": "v3/part-00000.parquet"}, ["u2"]) == 1
        v3 = store.ledger_rows(DS, "v3")
        assert sorted(v3.column("utterance_id").to_pylist()) == ["u0", "u1", "u3", "u4", "u5"]
        moved = v3.filter(pc.equal(v3.column("shard_path"), "v3/part-00000.parquet"))
        assert moved.column("utterance_id").to_pylist() == ["u0", "u4"]
        assert store.ledger_count(DS, "v2") == 6
    finally:
        store.dispose()


def test_code_from_before_alembic_refuses_a_migrated_store(empty_store_url):
    """``store_meta.schema_version`` is 4 once Alembic runs: code that knew versions 1 to 3 said "this
    code is older than the store" for any version above its own."""
    store = GovernanceStore(empty_store_url)
    try:
        store.migrate()
        with store.engine.connect() as conn:
            recorded = conn.exec_driver_sql(
                "SELECT value FROM store_meta WHERE key = 'schema_version'"
            ).scalar()
        assert int(recorded) == SCHEMA_VERSION == 4
    finally:
        store.dispose()


def test_privacy_records_stored_before_schema_3_are_made_canonical_or_quarantined(
    empty_store_url, monkeypatch
):
    """Records older readers accepted as valid although they match nothing (a trailing space in the id,
    ``Model_Training``, a purpose that is not one) are settled by the migration, as they would be today."""
    from utterance_governance.io.store_schema import consent_events, deletion_requests, privacy_batches

    create_version_1(empty_store_url)
    engine = create_engine(empty_store_url)
    try:
        with engine.begin() as conn:
            batch = conn.execute(insert(privacy_batches).values(kind="consent", source_file="c.jsonl", ingested_at=T0,
                                                                new_records=3, new_quarantined=0)).inserted_primary_key[0]  # fmt: skip
            base = {"effective_at": T0, "recorded_at": T0, "source": "app", "source_file": "c.jsonl", "batch_id": batch,
                    "ingested_at": T0}  # fmt: skip
            conn.execute(insert(consent_events), [
                {**base, "event_id": "e1", "customer_id": "c1 ", "purpose": "Model_Training", "status": "OPTED_OUT"},
                {**base, "event_id": "e2", "customer_id": "c2", "purpose": "model-training", "status": "opted_out"},
                {**base, "event_id": "e3", "customer_id": "c3\u200b", "purpose": "model_training", "status": "opted_in"},
            ])  # fmt: skip
            conn.execute(insert(deletion_requests), [{"request_id": "d1", "customer_id": "Ame\u0301lie", "scope": "ALL",
                                                      "requested_at": T0, "source_file": "d.jsonl", "batch_id": batch,
                                                      "ingested_at": T0}])  # fmt: skip
    finally:
        engine.dispose()
    monkeypatch.setenv("UG_DATABASE_URL", empty_store_url)
    assert cli_main(["migrate-store"]) == 0
    store = GovernanceStore(empty_store_url)
    try:
        assert store.consent_events().select(["event_id", "customer_id", "purpose", "status"]).to_pylist() == [
            {"event_id": "e1", "customer_id": "c1", "purpose": "model_training", "status": "opted_out"}]  # fmt: skip
        assert store.deletion_requests().select(["customer_id", "scope"]).to_pylist() == [
            {"customer_id": "Amélie", "scope": "all"}]  # fmt: skip
        assert store.held_customers() == {"c2"}  # its record matches nothing: held, as if it arrived today
        assert len(store.privacy_blocked_reasons()) == 1  # e3's customer cannot be read: publishing blocked
    finally:
        store.dispose()
