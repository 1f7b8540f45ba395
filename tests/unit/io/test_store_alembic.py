"""The governance store's schema under Alembic (``io/migrations``), on SQLite and PostgreSQL: every
earlier revision upgrades to head, and head is exactly the SQLAlchemy metadata; stores made before
Alembic are adopted; tasks refuse a store that is not at head (they never migrate it), except the
embedded SQLite store of development, which is migrated for the developer."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pyarrow as pa
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, create_engine, inspect, text

from utterance_governance.cli import main as cli_main
from utterance_governance.io import migrations
from utterance_governance.io.store import GovernanceStore, StoreSchemaMismatch
from utterance_governance.io.store_schema import metadata, utterance_key
from utterance_governance.jobs.context import RunContext
from utterance_governance.settings import load_settings

DS = "assistant-sft"
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
EARLIER = [None, *migrations.revisions()[:-1]]  # None: an empty database


def schema_diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index")  # compared below
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [*compare_metadata(context, metadata), *_expression_index_diff(conn)]
    finally:
        engine.dispose()


def _expression_index_diff(conn) -> list:
    """What ``compare_metadata`` skips (SQLite's indexes on an expression cannot be reflected): each
    such index of the metadata is in the store by its name, on the same function, columns and numbers."""
    diff = []
    for table in metadata.sorted_tables:
        for index in table.indexes:
            if all(isinstance(e, Column) for e in index.expressions):
                continue
            if conn.dialect.name == "sqlite":
                query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
            else:
                query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            made = conn.scalar(text(query), {"name": index.name})
            expected = {
                token
                for e in index.expressions
                for token in re.findall(r"\w+", str(e.compile(dialect=conn.dialect)).lower())
            }
            if made is None:
                diff.append(("add_expression_index", index.name))
            elif not expected <= set(re.findall(r"\w+", made.lower())):
                diff.append(("changed_expression_index", index.name, made))
    return diff


def upgrade_to(store: GovernanceStore, revision: str) -> None:
    with store._write() as conn:
        command.upgrade(migrations.config(conn), revision)


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return migrations.current(conn)
    finally:
        engine.dispose()


def test_the_revisions_are_one_line_from_schema_version_1():
    assert migrations.revisions() == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
        "0008",
        "0009",
        "0010",
        *migrations.revisions()[10:],
    ]
    assert migrations.head() == migrations.revisions()[-1]
    assert migrations.LEGACY_REVISIONS == {1: "0001", 2: "0002", 3: "0003"}


@pytest.mark.parametrize("start", EARLIER, ids=lambda r: f"from-{r or 'empty'}")
def test_every_earlier_revision_upgrades_to_head_and_keeps_its_rows(empty_store_url, start):
    store = GovernanceStore(empty_store_url)
    try:
        if start is not None:
            upgrade_to(store, start)
            assert revision_of(empty_store_url) == start
            if start == "0001":  # rows of schema version 1 are carried into shard lineages
                with store.engine.begin() as conn:
                    conn.execute(
                        text("INSERT INTO ledger (dataset, utterance_id, shard_path, speaker_key, content_hash, "
                             "captured_at) VALUES (:d, 'u1', 'v1/part-00000.parquet', 's1', 'h1', :t)"),
                        {"d": DS, "t": T0.replace(tzinfo=None) if store.backend == "sqlite" else T0},
                    )  # fmt: skip
                    conn.execute(
                        text("INSERT INTO version_shards (dataset, version, shard_path) "
                             "VALUES (:d, 'v000001', 'v1/part-00000.parquet')"), {"d": DS}
                    )  # fmt: skip
            if (
                start == "0014"
            ):  # the ledger keyed by (dataset, utterance_id, shard_id): 0015 keys each row's id
                with store.engine.begin() as conn:
                    for uid in ("u1", "ü-2"):
                        conn.execute(
                            text("INSERT INTO ledger (dataset, utterance_id, shard_id, speaker_key, content_hash, "
                                 "captured_at) VALUES (:d, :u, 'v1/part-00000.parquet', 's1', :h, :t)"),
                            {"d": DS, "u": uid, "h": f"h-{uid}",
                             "t": T0.replace(tzinfo=None) if store.backend == "sqlite" else T0},
                        )  # fmt: skip
                    conn.execute(
                        text("INSERT INTO version_shards (dataset, version, shard_path, shard_id) "
                             "VALUES (:d, 'v000001', 'v1/part-00000.parquet', 'v1/part-00000.parquet')"), {"d": DS}
                    )  # fmt: skip
        applied = store.migrate()
        assert applied == migrations.revisions()[migrations.revisions().index(start) + 1 if start else 0 :]
        assert store.schema_revision() == migrations.head()
        assert schema_diff(empty_store_url) == []
        store.require_schema()  # at head: accepted
        assert store.migrate() == []  # and nothing more to do
        if start == "0001":
            rows = store.ledger_rows(DS, "v000001").to_pylist()
            assert [(r["utterance_id"], r["shard_path"], r["captured_at"]) for r in rows] == [
                ("u1", "v1/part-00000.parquet", T0)
            ]
            # 0006 named the row's lineage for its speaker: a purge of that speaker finds it
            assert store.ledger_rows(DS, "v000001", speaker_keys=["s1"]).column(
                "utterance_id"
            ).to_pylist() == ["u1"]
            # 0007 keyed the content index by the hash's first characters: the duplicate rule finds it
            assert store.live_matches(DS, "v000001", pa.array(["h1", "h2"]), pa.array(["u1"])) == (
                {"h1"},
                {"u1"},
            )
            assert store.delete_ledger_rows(DS, speaker_keys=["s1"]) == 1
        if start == "0014":
            with store.engine.connect() as conn:
                keyed = dict(conn.execute(text("SELECT utterance_id, utterance_key FROM ledger")).all())
            assert keyed == {"u1": utterance_key("u1"), "ü-2": utterance_key("ü-2")}
            assert not inspect(store.engine).get_pk_constraint("ledger")["constrained_columns"]
            assert store.ledger_rows(DS, "v000001", utterance_ids=["ü-2"]).column(
                "utterance_id"
            ).to_pylist() == ["ü-2"]
            assert store.live_matches(DS, "v000001", pa.array(["h-u1"]), pa.array(["u1", "u3"])) == (
                {"h-u1"},
                {"u1"},
            )
    finally:
        store.dispose()


def test_the_head_schema_is_the_sqlalchemy_metadata(empty_store_url):
    """``compare_metadata`` finds nothing between a store made by the revisions and ``store_schema``:
    a table or index changed in the metadata without a revision fails here."""
    store = GovernanceStore(empty_store_url)
    try:
        store.migrate()
    finally:
        store.dispose()
    assert schema_diff(empty_store_url) == []
    engine = create_engine(empty_store_url)
    try:
        assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        with engine.begin() as conn:  # the comparison sees a missing index, and one on another expression
            conn.execute(text("DROP INDEX ix_ledger_shard"))
            conn.execute(text("DROP INDEX ix_ledger_content"))
            conn.execute(text("CREATE INDEX ix_ledger_content ON ledger (substr(content_hash, 1, 16))"))
    finally:
        engine.dispose()
    # (PostgreSQL's reflection also reports the changed one as removed and added)
    assert {"add_index", "changed_expression_index"} <= {d[0] for d in schema_diff(empty_store_url)}


def _legacy_version_3(url: str, *, early: bool) -> None:
    """A store as the code before Alembic left it at schema version 3 (``create_all`` and
    ``store_meta``); ``early``: made before version 3 gained ``searched`` and the content-hash index,
    and before the alerts and training tables existed."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            skipped = {"alerts_sent", "training_runs"} if early else set()
            skipped |= {"access_requests", "ledger_speakers"}  # revisions 0005 and 0006, after Alembic
            metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t.name not in skipped])
            for index in ("ix_ledger_shard", "ix_ledger_content"):  # the ledger's indexes before 0006
                conn.execute(text(f"DROP INDEX {index}"))
            conn.execute(text("CREATE INDEX ix_ledger_shard ON ledger (dataset, shard_id)"))
            conn.execute(text("CREATE INDEX ix_ledger_speaker ON ledger (dataset, speaker_key)"))
            conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('schema_version', '3')"))
            if early:
                conn.execute(text("ALTER TABLE deletion_receipts DROP COLUMN searched"))
            else:
                conn.execute(text("CREATE INDEX ix_ledger_content ON ledger (dataset, content_hash)"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("early", [False, True], ids=["version-3", "early-version-3"])
def test_a_store_made_before_alembic_is_stamped_and_upgraded(empty_store_url, early):
    _legacy_version_3(empty_store_url, early=early)
    store = GovernanceStore(empty_store_url)
    try:
        with pytest.raises(
            StoreSchemaMismatch, match=r"holds schema version 3 \(before Alembic\).*ug migrate-store"
        ):
            store.require_schema()
        assert store.migrate() == migrations.revisions()[3:]  # 0004 to head
        assert store.schema_revision() == migrations.head()
        with store.engine.connect() as conn:
            assert conn.scalar(text("SELECT value FROM store_meta WHERE key = 'schema_version'")) == "4"
    finally:
        store.dispose()
    assert schema_diff(empty_store_url) == []


def _settings(tmp_path, url: str, env: str):
    return load_settings({"UG_DATA_ROOT": str(tmp_path / "lake"), "UG_DATABASE_URL": url, "UG_ENV": env,
                          "UG_PSEUDONYM_KEY": "a-production-key-of-32-bytes-or-more"})  # fmt: skip


@pytest.mark.parametrize("env", ["production", "development"])
def test_tasks_refuse_a_store_behind_head_and_never_migrate_it(empty_store_url, tmp_path, env, monkeypatch):
    """A task's store (``RunContext.store``, ``from_settings``) at an older revision is refused with
    what to run, and left as it was; only development's embedded SQLite store is migrated for it."""
    older = migrations.revisions()[-2]
    store = GovernanceStore(empty_store_url)
    try:
        upgrade_to(store, older)
    finally:
        store.dispose()
    settings = _settings(tmp_path, empty_store_url, env)
    ctx = RunContext(run_id="r1", dag_id="utterances_publish", now=T0.isoformat(), data_root=settings.data_root,
                     dataset=DS, env=env)  # fmt: skip
    for name, value in {"UG_DATABASE_URL": empty_store_url, "UG_ENV": env, "UG_DATA_ROOT": settings.data_root,
                        "UG_PSEUDONYM_KEY": "a-production-key-of-32-bytes-or-more"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    if env == "development" and empty_store_url.startswith("sqlite"):
        assert ctx.store.schema_revision() == migrations.head()
        ctx.store.dispose()
        return
    with pytest.raises(StoreSchemaMismatch, match=rf"is at revision {older}; this code needs revision "
                       rf"{migrations.head()}\. Run `ug migrate-store`"):  # fmt: skip
        ctx.store  # noqa: B018
    with pytest.raises(StoreSchemaMismatch, match="ug migrate-store"):
        GovernanceStore.from_settings(settings)
    assert revision_of(empty_store_url) == older  # untouched


def test_a_store_with_no_schema_is_refused_by_tasks(empty_store_url, tmp_path):
    with pytest.raises(StoreSchemaMismatch, match=r"has no schema yet.*Run `ug migrate-store`"):
        GovernanceStore.from_settings(_settings(tmp_path, empty_store_url, "production"))
    assert revision_of(empty_store_url) is None


def test_a_store_newer_than_the_code_is_refused(empty_store_url):
    store = GovernanceStore(empty_store_url)
    try:
        store.migrate()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(StoreSchemaMismatch, match=r"revision 9999.*newer than this code"):
            store.migrate()
        with pytest.raises(StoreSchemaMismatch, match=r"newer than this code\. Deploy the newer code"):
            store.require_schema(migrate_embedded=True)
    finally:
        store.dispose()


def test_migrate_store_creates_upgrades_and_checks(empty_store_url, monkeypatch, capsys):
    monkeypatch.setenv("UG_DATABASE_URL", empty_store_url)
    monkeypatch.delenv("UG_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("UG_ENV", "production")  # migrating needs the store's URL only, not the key
    assert cli_main(["migrate-store", "--check"]) == 1
    assert "has no schema yet" in capsys.readouterr().err
    assert revision_of(empty_store_url) is None  # --check changes nothing
    assert cli_main(["migrate-store"]) == 0
    assert (
        f"at revision {migrations.head()} (head); applied 0001, 0002, 0003, 0004, 0005, 0006, 0007, 0008, 0009, 0010"
        in capsys.readouterr().out
    )
    assert cli_main(["migrate-store"]) == 0
    assert "nothing to apply" in capsys.readouterr().out
    assert cli_main(["migrate-store", "--check"]) == 0


def test_concurrent_migrations_apply_each_revision_once(postgres_url):
    """Two init steps at once (``docker compose up`` racing a manual ``ug migrate-store``): the advisory
    lock makes the second wait and find nothing to do."""
    from concurrent.futures import ThreadPoolExecutor

    def migrate() -> list[str]:
        with GovernanceStore(postgres_url) as store:
            return store.migrate()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(lambda _: migrate(), range(2)), key=len)
    assert results == [[], migrations.revisions()]
