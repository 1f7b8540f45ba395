"""The three DAGs' steps, in the order their tasks run, without Airflow: for tests that run many
privacy scenarios end to end in seconds. The DAG wiring itself is exercised by the integration tier
(``dag.test()``) with the same steps.

``Lake`` is one deployment: a lake root, a governance store URL and a pseudonym key, set through the
environment as the DAGs read them.

A new Lake's store is migrated to head as ``ug migrate-store`` does. A new embedded (SQLite) store starts as
a copy of the file this process migrated once, not by running every revision again: the same schema and
rows (``sqlite_master``, tables and pragmas compared), ~0.05 s instead of ~0.3 s. The revisions themselves
are tested by ``tests/unit/io/test_store_alembic.py`` on empty and older stores. (A PostgreSQL database
made again from a migrated template was measured no faster than migrating it: not done.)
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs import audit, privacy, publish
from utterance_governance.jobs.context import RunContext
from utterance_governance.jobs.in_flight import no_longer_in_flight
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.settings import load_settings


def _from_migrated_copy(url: str) -> None:
    """A new SQLite store at ``url`` (no file yet) becomes a copy of the store this process migrated to
    head once (``_migrated_sqlite``); an existing file and other backends are left as they are. ``Lake``
    then migrates it as before: a copy is at head already, nothing to do."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    if not (os.path.exists(database) or os.path.exists(f"{database}-wal")):
        os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        shutil.copyfile(_migrated_sqlite(), database)


@functools.cache
def _migrated_sqlite() -> str:
    """A SQLite store migrated to head in a folder of this process's (removed at exit)."""
    folder = tempfile.mkdtemp(prefix="ug-migrated-store-")
    atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, "governance.db")
    store = GovernanceStore(f"sqlite:///{path}")
    try:
        store.create_schema()
        store.cut_back_journal()  # everything in the database file, nothing left in a write-ahead log
    finally:
        store.dispose()
    if os.path.exists(f"{path}-wal") and os.path.getsize(f"{path}-wal"):
        raise RuntimeError(f"{path}: the migrated store kept a write-ahead log")
    return path


@dataclass
class Lake:
    root: str
    database_url: str
    key: str = "pipeline-test-key"
    policy_file: str | None = None
    _runs: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        _from_migrated_copy(self.database_url)
        with self.store():  # the deployment's init step (`ug migrate-store`): tasks never migrate
            pass

    @property
    def env(self) -> dict[str, str]:
        env = {"UG_DATA_ROOT": self.root, "UG_DATABASE_URL": self.database_url, "UG_PSEUDONYM_KEY": self.key,
               "UG_ENV": "development"}  # fmt: skip
        if self.policy_file:
            env["UG_POLICY_FILE"] = self.policy_file
        return env

    @property
    def storage(self) -> Storage:
        return Storage(self.root)

    def live_ids(self, dataset: str = "assistant-sft") -> set[str]:
        """The utterance ids of the live version (empty: nothing published yet)."""
        storage = self.storage
        current = read_current(storage, dataset)
        if current is None:
            return set()
        manifest = read_manifest(storage, dataset, current["version"])
        return {
            u
            for shard in manifest["shards"]
            for u in storage.read_parquet(f"published/{dataset}/{shard['path']}", ["utterance_id"])
            .column(0)
            .to_pylist()
        }

    @contextmanager
    def store(self) -> Iterator[GovernanceStore]:
        store = GovernanceStore(self.database_url)
        store.create_schema()
        try:
            yield store
        finally:
            store.dispose()

    @contextmanager
    def _environment(self) -> Iterator[None]:
        saved = {name: os.environ.get(name) for name in self.env}
        os.environ.update(self.env)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def context(self, dag_id: str, params: dict | None = None, now: datetime | None = None) -> RunContext:
        run_id = f"{dag_id}-{next(self._runs):03d}"
        with self._environment():
            return RunContext.create(run_id, dag_id, params or {}, load_settings(self.env), now)

    def publish(
        self,
        params: dict | None = None,
        now: datetime | None = None,
        between: Callable[[], object] | None = None,
        started_ago: timedelta | None = None,
    ) -> dict:
        """utterances_publish: ingest → discover → process_file (each) → gate → withdraw_live → publish →
        report.

        ``between``: called after the files are decided and before the batch is gated and published
        (what arrives and runs while a publish is under way). ``started_ago``: the run fixed its ``now``
        (the wall clock then) that long before its steps run (a queued, retried or cleared task)."""
        with self._environment():
            ctx = self.context("utterances_publish", params, now)
            if started_ago is not None:
                fixed = datetime.now(UTC) - started_ago
                ctx = dataclasses.replace(ctx, now=fixed.isoformat(), fixed_at=fixed.isoformat())
            ingested = publish.ingest_privacy(ctx)
            staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
            if between is not None:
                between()
            gated = publish.gate_batch(ctx, staged)
            privacy.withdraw_live(ctx)
            published = publish.publish(ctx, staged, gated)
            publish.write_report(ctx, ingested, published)
            return published

    def take_in(self, now: datetime | None = None) -> dict:
        """A nightly publish's privacy intake, the run then ended with nothing purged or published (its
        withdraw step failed, or the gate did): the requests are in the store, the live rows they cover
        still live until a privacy run (or the next publish) purges them."""
        with self._environment():
            ctx = self.context("utterances_publish", None, now)
            taken = publish.ingest_privacy(ctx)
            no_longer_in_flight(ctx.storage, ctx.run_key)
            return taken

    def privacy(self, now: datetime | None = None, *, check_deadlines: bool = True) -> dict:
        """privacy_requests: ingest → purge_published → purge_copies → issue_receipts → report → deadlines."""
        with self._environment():
            ctx = self.context("privacy_requests", None, now)
            ingested = privacy.ingest(ctx)
            purged = privacy.purge_published(ctx)
            copied = privacy.purge_copies(ctx)
            issued = privacy.issue_receipts(ctx, purged, copied)
            privacy.write_report(ctx, ingested, purged, copied, issued)
            if check_deadlines:
                privacy.check_deadlines(ctx, issued)
            return {"ingest": ingested, "published": purged, "copies": copied, "receipts": issued}

    @property
    def access_storage(self) -> Storage:
        """The access reports' own root (development's default: a folder beside the lake)."""
        from utterance_governance.settings import load_access_report_target

        return Storage(load_access_report_target(self.env).root)

    def access_report(self, customer_id: str) -> dict:
        """As a privacy officer does it: ``ug access request`` registers ``customer_id`` in the store,
        then a governance_audit run with the reference writes the access report (its own root)."""
        with self.store() as store:
            reference = store.register_access_request(audit.validate_customer_id(customer_id), "tests")
        with self._environment():
            run_id = f"governance_audit-{next(self._runs):03d}"
            data = audit.prepare(run_id, {"access_request": reference}, load_settings(self.env))
            return audit.access_report(RunContext.from_dict(data))

    def audit(self, now: datetime | None = None) -> dict:
        """governance_audit: the three checks and the ledger's upkeep, then the findings (raises
        ``AuditFailed`` on a violation)."""
        with self._environment():
            ctx = self.context("governance_audit", None, now)
            audit.check_publication(ctx)
            audit.scan_live_rows(ctx)
            audit.check_deadlines(ctx)
            audit.merge_ledger_eras(ctx)
            return audit.fail_on_violations(audit.write_findings(ctx))
