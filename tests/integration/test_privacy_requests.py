"""privacy_requests end to end with dag.test(): after utterances_publish, new opt-outs and deletions
of every scope arrive; the purge reaches every copy, issues receipts, and a repeat run changes nothing."""

from __future__ import annotations

import gzip
import hmac
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.integration.conftest import failed_with
from tests.privacy_oracle import DELETION, OPTED_OUT, oracle_deleted, oracle_reasons

from utterance_governance import schema as S
from utterance_governance.io.readers import Arrival, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.publish import PublishingBlocked
from utterance_governance.policy import Policy
from utterance_governance.publish.commit import DatasetPaths, read_current, read_manifest
from utterance_governance.purge.receipts import DeletionOverdue, PurgeIncomplete, receipt_path
from utterance_governance.synth.generator import generate_landing, generate_privacy_updates

pytestmark = pytest.mark.integration
DATASET = "assistant-sft"
KEY = b"integration-test-key"  # tests/integration/conftest.py: lake_env
REQUEST_RECORDS = ("landing/deletions/", "quarantine/deletions/")  # the requests name the ids they delete


def store_of(root) -> GovernanceStore:
    store = GovernanceStore(f"sqlite:///{root.parent / 'governance.db'}")
    store.create_schema()
    return store


def landed(info, arrivals: dict):
    """When a landing file landed, as the pipeline knows it: recorded when it was first read, else
    (not read yet) its modification time."""
    return arrivals[info.path][1] if info.path in arrivals else info.modified


def landing_records(root) -> pa.Table:
    """Every landing row, with its file's landing time as the store recorded it."""
    storage = Storage(str(root))
    files = storage.list_files("landing/utterances", (".jsonl", ".jsonl.gz", ".parquet"))
    arrivals = store_of(root).arrivals(f.path for f in files)
    tables = [read_landing_file(storage, f.path, "utterances", Arrival(landed_at=landed(f, arrivals))).records
              for f in files]  # fmt: skip
    return pa.concat_tables(tables)


def live(root) -> tuple[dict, pa.Table]:
    storage = Storage(str(root))
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    parts = []
    for shard in manifest["shards"]:
        path = DatasetPaths(DATASET).shard(shard["path"])
        assert storage.sha256(path) == shard["sha256"] and storage.info(path).size == shard["bytes"]
        parts.append(storage.read_parquet(path))
    return manifest, pa.concat_tables(parts) if parts else S.SHARD.empty_table()


def file_text(path) -> bytes:
    """What a file holds, readable: gzip decompressed, Parquet as JSON of its rows."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if path.name.endswith(".parquet"):
        data = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False).encode()
    return data


def traces(root, needles: list[str], *, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every file under ``root`` holding one of ``needles``."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(skip):
            continue
        text = file_text(path)
        hits = [n for n in needles if n.encode() in text]
        if hits:
            found[rel] = hits
    return found


def unusable_now(records: pa.Table, store: GovernanceStore) -> np.ndarray:
    """Rows (customer_id, utterance_id, captured_at) a deletion covers or an opt-out now excludes
    (by the test oracle: other code than the product's)."""
    reasons = oracle_reasons(records.to_pylist(), store.privacy_state(), Policy(), datetime.now(UTC))
    return np.array([r in (DELETION, OPTED_OUT) for r in reasons], dtype=bool)


def speakers(customers: list[str]) -> dict[str, str]:
    return {hmac.new(KEY, c.encode(), "sha256").hexdigest(): c for c in set(customers)}


def snapshot(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def published(run_dag, lake_env):
    generated = generate_landing(str(lake_env), 2000, seed=11, file_format="mixed", days=3, files_per_day=2)
    assert run_dag("utterances_publish").state == "success"
    return generated


def test_opt_outs_and_deletions_reach_every_copy(run_dag, lake_env, published):
    root, storage, store = lake_env, Storage(str(lake_env)), store_of(lake_env)
    before, _ = live(root)
    records = landing_records(root).select(
        ["customer_id", "utterance_id", "captured_at", "landed_at", "transcript"]
    )
    update = generate_privacy_updates(str(root), published, seed=11)

    run = run_dag("privacy_requests")
    assert run.state == "success"

    # 1. nothing live may be used now, and the update's affected utterances are gone from it
    manifest, rows = live(root)
    live_ids = set(rows.column("utterance_id").to_pylist())
    for uid, reason in update.expected.items():
        if reason in (S.OPTED_OUT, S.DELETION_REQUESTED):
            assert uid not in live_ids, (uid, reason)
    by_speaker = speakers(records.column("customer_id").to_pylist())
    ledger = store.ledger_rows(DATASET, manifest["version"])
    assert sorted(ledger.column("utterance_id").to_pylist()) == sorted(live_ids)  # ledger == live shards
    known = ledger.filter(pa.array([s in by_speaker for s in ledger.column("speaker_key").to_pylist()]))
    as_records = pa.table({"customer_id": [by_speaker[s] for s in known.column("speaker_key").to_pylist()],
                           "utterance_id": known.column("utterance_id"), "captured_at": known.column("captured_at"),
                           "landed_at": known.column("landed_at")})  # fmt: skip
    assert not unusable_now(as_records, store).any()

    # 2. a new version replaced the old one; affected shards rewritten, the rest carried over; old files gone
    assert manifest["parent_version"] == before["version"]
    assert (
        manifest["replaces"]["version"] == before["version"] and manifest["replaces"]["status"] == "revoked"
    )
    assert set(manifest["replaces"]["reason"]) == {S.DELETION_REQUESTED, S.OPTED_OUT}
    old = read_manifest(storage, DATASET, before["version"])
    assert old["status"] == "revoked" and set(old["purged_shards"]) == set(manifest["replaces"]["shards"])
    assert {v["version"]: v["status"] for v in store.versions(DATASET)}[before["version"]] == "revoked"
    for path in manifest["replaces"]["shards"]:
        assert not storage.exists(DatasetPaths(DATASET).shard(path))
    carried = {s["path"] for s in before["shards"]} - set(manifest["replaces"]["shards"])
    assert carried <= {s["path"] for s in manifest["shards"]}

    # 3. deleted utterances are in no file under the lake root: neither their ids nor their words
    gone = np.array(oracle_deleted(records.to_pylist(), store.deletion_requests()), dtype=bool)
    deleted, kept = records.filter(pa.array(gone)), records.filter(pa.array(~gone))
    assert deleted.num_rows > 0
    ids = deleted.column("utterance_id").to_pylist()
    others = [t for t in kept.column("transcript").to_pylist() if t]
    words = [t for t in deleted.column("transcript").to_pylist()
             if t and len(t) >= 25 and not any(t in o for o in others)]  # fmt: skip
    assert words, "the scenario should delete some distinctive transcripts"
    assert traces(root, ids, skip=REQUEST_RECORDS) == {}
    assert traces(root, words) == {}
    # the governance store keeps no transcript text at all
    store_bytes = b"".join(p.read_bytes() for p in root.parent.glob("governance.db*"))
    sample = [t for t in records.column("transcript").to_pylist() if t and len(t) >= 25][:300]
    assert not [t for t in sample if t.encode() in store_bytes]

    # 4. one completed receipt per deletion request, in the store and as JSON without the customer id
    requests = store.deletion_requests().to_pylist()
    customers = {r["customer_id"] for r in requests}
    for request in requests:
        receipt = store.receipt(request["request_id"])
        assert receipt["status"] == "completed", request["request_id"]
        assert receipt["deadline_at"] == request["requested_at"] + timedelta(days=30)
        document = json.loads(storage.read_bytes(receipt_path(request["request_id"])))
        assert document["status"] == "completed" and document["removed"] == receipt["removed_counts"]
        text = json.dumps(document)
        assert not any(c in text for c in customers)
    new_requests = {r["request_id"] for r in requests if r["customer_id"] in set(update.deleted_all)}
    assert new_requests and all(
        store.receipt(r)["removed_counts"]["published_rows"] > 0 and before["version"] in store.receipt(r)["versions_rewritten"]
        for r in new_requests
    )  # fmt: skip

    # 5. downstream notice: an asset event naming the version replaced and that it is revoked
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_dag_id == "privacy_requests",
                                                  AssetEvent.source_run_id == run.run_id).all()  # fmt: skip
        extras = [e.extra for e in events]
    assert len(extras) == 1 and extras[0]["version"] == manifest["version"]
    assert extras[0]["replaces"] == before["version"] and extras[0]["replaced_status"] == "revoked"
    assert extras[0]["erase_copies"] is True

    # 6. a repeat run changes nothing (but its own report)
    files = snapshot(root)
    receipts_before = [store.receipt(r["request_id"]) for r in requests]
    again = run_dag("privacy_requests")
    assert again.state == "success"
    after = {
        k: v
        for k, v in snapshot(root).items()
        if not k.startswith("reports/") or k.startswith("reports/receipts/")
    }
    assert after == {
        k: v for k, v in files.items() if not k.startswith("reports/") or k.startswith("reports/receipts/")
    }
    assert [store.receipt(r["request_id"]) for r in requests] == receipts_before
    store.dispose()


def test_an_unreadable_record_naming_nobody_blocks_publishing_but_not_purging(
    run_dag, lake_env, published, tmp_path, task_errors
):
    root, storage, store = lake_env, Storage(str(lake_env)), store_of(lake_env)
    update = generate_privacy_updates(str(root), published, seed=12)
    storage.write_bytes(
        "landing/deletions/broken.jsonl", b'{"request_id": "broken-1", "scope": "all", "requested_at": \n'
    )

    assert run_dag("privacy_requests").state == "success"  # always delete
    _, rows = live(root)
    live_ids = set(rows.column("utterance_id").to_pylist())
    assert not {u for u, r in update.expected.items() if r == S.DELETION_REQUESTED} & live_ids
    (report_file,) = storage.list_files("reports", ("privacy_requests.json",))
    report = json.loads(storage.read_bytes(report_file.path))
    assert report["privacy_ingest"]["publishing_blocked"]
    assert any(
        u["source_file"] == "landing/deletions/broken.jsonl"
        for u in report["deadlines"]["unreadable_deletion_records"]
    )

    # never publish more: new utterances wait until the record is fixed or acknowledged
    version = read_current(storage, DATASET)["version"]
    late = generate_landing(
        str(tmp_path / "late"), 200, seed=99, file_format="jsonl", days=1, files_per_day=1
    )
    (rel,) = late.utterance_files
    storage.write_bytes("landing/utterances/dt=2026-11-21/late.jsonl", (tmp_path / "late" / rel).read_bytes())
    assert run_dag("utterances_publish").state == "failed"
    failed_with(task_errors, "publish_version", PublishingBlocked)
    assert read_current(storage, DATASET)["version"] == version
    store.dispose()


def test_a_dry_run_reports_and_changes_nothing(run_dag, lake_env, published):
    root, storage, store = lake_env, Storage(str(lake_env)), store_of(lake_env)
    generate_privacy_updates(str(root), published, seed=13)
    files = snapshot(root)
    consent_before = store.consent_events().num_rows
    assert run_dag("privacy_requests", {"dry_run": True}).state == "success"
    assert {k: v for k, v in snapshot(root).items() if not k.startswith("reports/")} == {
        k: v for k, v in files.items() if not k.startswith("reports/")}  # fmt: skip
    assert store.consent_events().num_rows == consent_before and store.receipts() == []
    (report_file,) = storage.list_files("reports", ("privacy_requests.json",))
    report = json.loads(storage.read_bytes(report_file.path))
    assert report["dry_run"] is True and report["published"]["rows_removed"]
    assert sum(report["copies"]["rows_removed"].values()) > 0
    store.dispose()


def test_an_overdue_request_fails_the_run_after_everything_possible_was_purged(
    run_dag, lake_env, published, monkeypatch, tmp_path, task_errors
):
    storage, store = Storage(str(lake_env)), store_of(lake_env)
    policy = tmp_path / "policy.json"  # a one-day deadline: a request made two days ago is overdue
    policy.write_text('{"deletion_deadline_days": 1, "deletion_at_risk_days": 1}')
    monkeypatch.setenv("UG_POLICY_FILE", str(policy))
    customer = published.us_untouched[0]
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    request = {"request_id": "old-1", "customer_id": customer, "scope": "all", "requested_at": two_days_ago}
    storage.write_bytes("landing/deletions/old.jsonl", json.dumps(request).encode() + b"\n")

    from utterance_governance.purge import published as purge_module

    working = purge_module.purge_published

    def broken(*args, **kwargs):
        raise RuntimeError("object store unavailable")

    monkeypatch.setattr(purge_module, "purge_published", broken)
    run = run_dag("privacy_requests")
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["purge_published"] == "failed" and states["check_deadlines"] == "failed"
    assert {t: type(e) for t, e in task_errors.items()} == {
        "purge_published": RuntimeError, "check_deadlines": DeletionOverdue, "any_step_failed": PurgeIncomplete}  # fmt: skip
    assert "object store unavailable" in str(task_errors["purge_published"])
    assert states["purge_copies"] == "success" and states["write_report"] == "success"  # always delete
    receipt = store.receipt("old-1")
    assert receipt["status"] == "in_progress" and receipt["removed_counts"]["landing_rows"] > 0
    (report_file,) = storage.list_files("reports", ("privacy_requests.json",))
    report = json.loads(storage.read_bytes(report_file.path))
    assert "old-1" in [o["request_id"] for o in report["deadlines"]["overdue"]]
    assert report["failed_steps"] == ["purge_published"]

    monkeypatch.setattr(purge_module, "purge_published", working)
    assert run_dag("privacy_requests").state == "success"  # completed, late: reported, no longer open
    receipt = store.receipt("old-1")
    assert receipt["status"] == "completed" and receipt["completed_at"] > receipt["deadline_at"]
    assert receipt["removed_counts"]["published_rows"] > 0
    assert json.loads(storage.read_bytes(receipt_path("old-1")))["completed_late"] is True
    store.dispose()
