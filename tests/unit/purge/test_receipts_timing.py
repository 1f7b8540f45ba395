"""A receipt says "completed" only when every copy was purged of what its request covers. Runs that are
cleared, overlap, or judge copies by another policy once completed receipts with the rows still live or
in landing; an open reader of the embedded store once kept purged ledger rows in its log behind a
completed receipt. Each end to end through the DAGs' steps (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from tests.pipeline import Lake

from utterance_governance.jobs import privacy

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, captured: str = "2026-11-20T10:00:00Z") -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": "en-US",
                       "transcript": f"play some jazz in the kitchen {uid}", "response": "Done.",
                       "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


def delete_all(lake: Lake, request_id: str, customer: str, when: datetime | None = None) -> None:
    when = when or datetime.now(UTC) - timedelta(minutes=1)
    lake.storage.write_bytes(
        f"landing/deletions/{request_id}.jsonl",
        json.dumps(
            {
                "request_id": request_id,
                "customer_id": customer,
                "scope": "all",
                "requested_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ).encode()
        + b"\n",
    )


def status(lake: Lake, request_id: str) -> str | None:
    with lake.store() as store:
        receipt = store.receipt(request_id)
    return receipt and receipt["status"]


def steps(ctx) -> dict:
    ingested = privacy.ingest(ctx)
    purged = privacy.purge_published(ctx)
    copied = privacy.purge_copies(ctx)
    issued = privacy.issue_receipts(ctx, purged, copied)
    privacy.write_report(ctx, ingested, purged, copied, issued)
    return purged


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", utterance("u-ann", "ann") + utterance("u-bob", "bob") + utterance("u-cy", "cy")
    )
    lake.publish()
    return lake


def test_a_cleared_privacy_run_leaves_a_request_it_never_purged_open(lake):
    """A cleared run (the same run id) found its own purge version live and returned that purge's result:
    bob's deletion, taken in since, was completed with bob's row live."""
    delete_all(lake, "req-a", "ann")
    with lake._environment():
        ctx = lake.context("privacy_requests")
        steps(ctx)
        assert status(lake, "req-a") == "completed"
        delete_all(lake, "req-b", "bob")
        assert steps(ctx).get("retried_after_switch")  # the clear: the same run again
    assert "u-bob" in lake.live_ids()
    assert status(lake, "req-b") != "completed"
    lake.privacy()  # the next run decides against it
    assert lake.live_ids() == {"u-cy"} and status(lake, "req-b") == "completed"


def test_an_overlapping_run_does_not_complete_a_request_its_published_purge_never_saw(lake):
    delete_all(lake, "req-a", "ann")
    with lake._environment():
        first, second = lake.context("privacy_requests"), lake.context("privacy_requests")
        ingested = privacy.ingest(first)
        purged = privacy.purge_published(first)
        delete_all(lake, "req-b", "bob")
        privacy.ingest(second)  # beside the first: takes bob's request in, opens its receipt
        copied = privacy.purge_copies(first)
        issued = privacy.issue_receipts(first, purged, copied)
        privacy.write_report(first, ingested, purged, copied, issued)
        # the second run is under way (its intake may still write a copy of what it read): nothing completes
        assert status(lake, "req-a") != "completed"
        assert "u-bob" in lake.live_ids() and status(lake, "req-b") != "completed"
        purged = privacy.purge_published(second)
        copied = privacy.purge_copies(second)
        issued = privacy.issue_receipts(second, purged, copied)
        privacy.write_report(second, None, purged, copied, issued)
    assert "u-bob" not in lake.live_ids()
    assert status(lake, "req-a") == status(lake, "req-b") == "completed"


def test_copies_are_judged_by_the_runs_policy_as_the_published_purge_is(tmp_path, store_url):
    """With the clock skew raised by the policy file, the published purge removed a row captured just
    after the delete-all and the copies purge (judging by the built-in policy) kept it in landing."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"capture_clock_skew_s": 3600}))
    lake = Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))
    asked = datetime.now(UTC) - timedelta(minutes=30)
    captured = (asked + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")  # a device clock 20 min fast
    landing = f"landing/utterances/dt={captured[:10]}/a.jsonl"
    lake.storage.write_bytes(landing, utterance("u-bob", "bob", captured) + utterance("u-cy", "cy", captured))
    lake.publish()
    delete_all(lake, "req-b", "bob", asked)
    result = lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-cy"}
    assert result["copies"]["rows_removed"]["landing"] == 1
    assert b"u-bob" not in lake.storage.read_bytes(landing)
    assert status(lake, "req-b") == "completed"


def test_an_open_reader_of_the_embedded_store_keeps_the_receipt_open(tmp_path):
    """The write-ahead log keeps the purged ledger rows while a reader holds a snapshot: the receipt
    completed anyway (and the run waited out the store's busy timeout for the reader first)."""
    db = tmp_path / "governance.db"
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{db}")
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-ann", "ann") + utterance("u-bob", "bob"))
    lake.publish()
    reader = sqlite3.connect(db)
    try:
        reader.execute("BEGIN")
        reader.execute("select count(*) from sqlite_master").fetchone()
        delete_all(lake, "req-b", "bob")
        result = lake.privacy(check_deadlines=False)
        assert result["receipts"]["journal_cut_back"] is False
        assert status(lake, "req-b") != "completed"
    finally:
        reader.rollback()
        reader.close()
    lake.privacy(check_deadlines=False)
    assert status(lake, "req-b") == "completed"
    assert b"u-bob" not in db.read_bytes() and b"u-bob" not in (tmp_path / "governance.db-wal").read_bytes()


def test_a_batch_decided_with_another_key_is_never_published(tmp_path, store_url):
    """A key rotation with a publish under way: a worker not yet restarted decided bob's file with the
    old key, a restarted one published it under the new key's fingerprint, and bob's deletion, looking
    for his new speaker key, found nothing (its receipt completed, the audit passed). A rotation now waits
    for a run under way, and a worker on the old key refuses a file before it stages anything."""
    from utterance_governance.jobs import publish as job
    from utterance_governance.jobs.failures import record_failed_run
    from utterance_governance.privacy.keys import KeyMismatch
    from utterance_governance.purge.rekey import rekey
    from utterance_governance.settings import load_settings

    old, new = "old-pseudonym-key-0123456789abcdef0123", "new-pseudonym-key-0123456789abcdef0123"
    lake = Lake(str(tmp_path / "lake"), store_url, key=old)
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-ann", "ann"))
    lake.publish()
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl", utterance("u-bob", "bob", "2026-11-21T10:00:00Z")
    )
    with lake._environment():
        ctx = lake.context("utterances_publish")
        ingested = job.ingest_privacy(ctx)
        files = job.discover_files(ctx)
    lake.key = new
    with lake._environment(), pytest.raises(KeyMismatch, match="under way"):
        rekey(old.encode(), load_settings())  # the publish is under way: nothing changes
    lake.key = old
    with lake._environment():
        staged = [job.process_file(ctx, f) for f in files]
        job.write_report(ctx, ingested, job.publish(ctx, staged, job.gate_batch(ctx, staged)))
    assert lake.live_ids() == {"u-ann", "u-bob"}
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-22/c.jsonl", utterance("u-cy", "cy", "2026-11-22T10:00:00Z")
    )
    with lake._environment():  # the next night starts on the old key ...
        ctx = lake.context("utterances_publish")
    lake.key = new
    with lake._environment():
        rekey(old.encode(), load_settings())  # ... the rotation comes before it marks itself under way
    lake.key = old  # a worker not restarted yet
    with lake._environment():
        job.ingest_privacy(ctx)  # (its intake marks it)
        (file,) = job.discover_files(ctx)
        with pytest.raises(KeyMismatch, match="is not the key the live dataset was made with"):
            job.process_file(ctx, file)
        # the DAG's failure callback: the run ended, its mark goes
        record_failed_run("utterances_publish", ctx.run_id, ["process_file"], reason="KeyMismatch")
    lake.key = new
    lake.publish()  # every worker on the new key: cy's file is decided again
    assert lake.live_ids() == {"u-ann", "u-bob", "u-cy"}
    delete_all(lake, "req-b", "bob")
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-ann", "u-cy"} and status(lake, "req-b") == "completed"


def test_a_cleared_publish_run_starts_its_staging_afresh(tmp_path, store_url):
    """An earlier attempt's staged partitions joined the cleared run's batch: rows of a landing file
    retracted since were published from a file this attempt never read, in no manifest input."""
    from utterance_governance.jobs import publish as job

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-ann", "ann"))
    lake.storage.write_bytes(f"{DT}/b.jsonl", utterance("u-dev-1", "dev") + utterance("u-dev-2", "dev"))
    with lake._environment():
        ctx = lake.context("utterances_publish")
        job.ingest_privacy(ctx)
        [job.process_file(ctx, f) for f in job.discover_files(ctx)]  # the worker is lost before the gate
        lake.storage.remove(f"{DT}/b.jsonl")  # upstream retracts b.jsonl; the run is cleared
        job.ingest_privacy(ctx)
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        published = job.publish(ctx, staged, job.gate_batch(ctx, staged))
    assert lake.live_ids() == {"u-ann"}
    assert published["rows"] == 1


@contextmanager
def bobs_deletion_purged_after(lake: Lake, monkeypatch, module, name: str):
    """Within the block, the first call of ``module.name`` (a step that read bob's data) is followed by
    bob's delete-all and a whole privacy run, before the step goes on to write what it read."""
    step, ran = getattr(module, name), []

    def then_the_privacy_run(*args, **kwargs):
        result = step(*args, **kwargs)
        if not ran:
            delete_all(lake, "req-b", "bob")
            ran.append(lake.privacy(check_deadlines=False))
        return result

    monkeypatch.setattr(module, name, then_the_privacy_run)
    yield
    monkeypatch.setattr(module, name, step)
    assert ran  # the privacy run did run inside the block


def files_holding(lake: Lake, needle: str) -> list[str]:
    """Lake files (Parquet read, gzip opened) holding ``needle``, but the deletion requests themselves."""
    import gzip
    import os

    import pyarrow.parquet as pq

    found = []
    for folder, _, names in os.walk(lake.root):
        for name in names:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, lake.root)
            with open(path, "rb") as fh:
                data = fh.read()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            text = (
                str(pq.read_table(path).to_pylist())
                if name.endswith(".parquet")
                else data.decode(errors="replace")
            )
            if needle in text and not rel.startswith("landing/deletions"):
                found.append(rel)
    return sorted(found)


def test_a_deletion_taken_in_while_a_publish_decides_stays_open_until_its_late_copies_are_gone(
    lake, monkeypatch
):
    """The publish read bob's file (a malformed record of his among it) before his deletion was purged,
    and wrote his raw record to quarantine/ and his decision rows after: the receipt was completed
    with both copies there, and nothing would remove them."""
    from utterance_governance.jobs import publish as job

    bad = json.dumps({"utterance_id": "u-bob-2", "customer_id": "bob", "captured_at": "2026-11-20T09:00:00Z",
                      "locale": "en-US", "response": "Done."}).encode() + b"\n"  # fmt: skip
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl", utterance("u-bob-3", "bob") + bad)
    with bobs_deletion_purged_after(lake, monkeypatch, job, "decide_file"):
        lake.publish()
    assert "u-bob" not in lake.live_ids() and "u-bob-3" not in lake.live_ids()
    assert files_holding(lake, "u-bob-2")  # written by the publish after the purge searched
    assert status(lake, "req-b") != "completed"
    lake.privacy(check_deadlines=False)
    assert files_holding(lake, "u-bob-2") == []
    assert status(lake, "req-b") == "completed"


def test_an_access_report_written_after_a_purge_keeps_the_receipt_open_until_it_is_purged(lake, monkeypatch):
    """ "Send me my data, then delete my account": the access report gathered bob's words, his deletion
    was purged meanwhile (the report not written yet), and the report was written after: a completed
    receipt beside a report holding his deleted transcript."""
    import utterance_governance.reports.access as access

    with bobs_deletion_purged_after(lake, monkeypatch, access, "gather_access"):
        result = lake.access_report("bob")
    report = lake.access_storage.read_bytes(lake.access_storage.rel(result["json"].removeprefix("file://")))
    assert b"u-bob" in report  # written after the purge
    assert status(lake, "req-b") != "completed"
    lake.privacy(check_deadlines=False)
    assert status(lake, "req-b") == "completed"
    assert not [
        f for f in lake.access_storage.list_files("") if b"u-bob" in lake.access_storage.read_bytes(f.path)
    ]


def test_a_run_cleared_after_a_late_file_publishes_it_in_a_version_of_its_own(tmp_path, store_url):
    """Cleared (or backfilled again) after a late file arrived for its date, the run once took itself for a
    retry past its switch: the late rows were recorded published and their file processed, in no shard. It
    later refused them (``RunAlreadyPublished``), leaving them to the next run. A cleared run is another
    attempt of it, not a retry: it decides the late file and publishes it, in a version of its own."""
    from utterance_governance.jobs import publish as job

    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(f"{DT}/a.jsonl", utterance("u-ann", "ann"))

    def run(ctx):
        staged = [job.process_file(ctx, f) for f in job.discover_files(ctx)]
        return job.publish(ctx, staged, job.gate_batch(ctx, staged))

    with lake._environment():
        ctx = lake.context("utterances_publish", {"dt_from": "2026-11-20", "dt_to": "2026-11-20"})
        job.ingest_privacy(ctx)
        first = run(ctx)
        lake.storage.write_bytes(f"{DT}/late.jsonl", utterance("u-cy", "cy"))
        again = run(ctx)  # every step again, the same run id: another attempt
    assert (first["version"], again["version"], again["new_rows"]) == ("v000001", "v000002", 1)
    assert lake.live_ids() == {"u-ann", "u-cy"}
    assert lake.publish()["new_version"] is False  # nothing left for the next run


def test_a_retried_copies_purge_counts_what_its_failed_attempt_removed(lake, monkeypatch):
    """The first attempt of purge_copies rewrote the landing file, then failed (in the traces): Airflow's
    retry found the file clean, and the receipt said no landing row was removed."""
    from utterance_governance.purge import copies

    delete_all(lake, "req-b", "bob")
    traces = copies.purge_traces
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the access reports' root is unreachable")
        return traces(*args, **kwargs)

    monkeypatch.setattr(copies, "purge_traces", fails_once)
    with lake._environment():
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        with pytest.raises(OSError):
            privacy.purge_copies(ctx)
        assert b"u-bob" not in lake.storage.read_bytes(f"{DT}/a.jsonl")  # the failed attempt rewrote it
        copied = privacy.purge_copies(ctx)  # Airflow's retry
        privacy.issue_receipts(ctx, purged, copied)
    assert copied["rows_removed"]["landing"] == 0  # this attempt found the file clean
    assert copied["by_request"]["req-b"]["landing_rows"] == 1
    with lake.store() as store:
        receipt = store.receipt("req-b")
    assert receipt["status"] == "completed"
    assert receipt["removed_counts"]["landing_rows"] == 1
    assert receipt["removed_counts"]["published_rows"] == 1


def test_a_copies_purge_that_failed_for_good_is_counted_by_the_run_that_completes_its_receipt(
    lake, monkeypatch
):
    """Before: purge_copies rewrote the landing file and then failed with no retry left (an error the retry
    policy does not heal ends the run); its issue_receipts got no result and dropped the counts the failed
    step had kept, and the next run, finding the file clean, completed the receipt saying no landing row
    was removed."""
    from utterance_governance.purge import copies

    delete_all(lake, "req-b", "bob")
    traces = copies.purge_traces

    def fails(*args, **kwargs):
        raise OSError("the access reports' root is unreachable")

    with lake._environment():
        ctx = lake.context("privacy_requests")
        ingested = privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        monkeypatch.setattr(copies, "purge_traces", fails)
        with pytest.raises(OSError):
            privacy.purge_copies(ctx)
        assert b"u-bob" not in lake.storage.read_bytes(f"{DT}/a.jsonl")  # rewritten before the failure
        issued = privacy.issue_receipts(ctx, purged, None)  # ALL_DONE: the failed step's result is None
        privacy.write_report(ctx, ingested, purged, None, issued)
        assert status(lake, "req-b") == "in_progress"
        monkeypatch.setattr(copies, "purge_traces", traces)
        steps(lake.context("privacy_requests"))  # the next hourly run: a new run id
    with lake.store() as store:
        receipt = store.receipt("req-b")
    assert receipt["status"] == "completed"
    assert receipt["removed_counts"]["landing_rows"] == 1
    assert receipt["removed_counts"]["published_rows"] == 1
