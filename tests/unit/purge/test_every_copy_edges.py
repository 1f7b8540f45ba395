"""Every copy, tried where it was missed: after a deletion whose receipt says ``completed``, nothing
under the lake root holds the deleted utterance's words or id — searched in every file by its decoded
content (gzip member by member, Parquet rows, JSON with its escapes read) — and where a copy cannot be
searched, the receipt stays open. End to end through the DAGs' steps on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import json
import os
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.jobs.publish import PublishingBlocked
from utterance_governance.purge.receipts import receipt_path

DT = "landing/utterances/dt=2026-11-20"
T = "2026-11-20T10:00:00Z"


def line(uid: str, customer: str, text: str, **extra) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": T, "locale": "en-US",
           "transcript": text, "response": "Done.", "asr_confidence": 0.9, **extra}  # fmt: skip
    return json.dumps(row).encode() + b"\n"


def deletion(request_id: str, customer: str, scope: str = "all", **extra) -> bytes:
    return json.dumps({"request_id": request_id, "customer_id": customer, "scope": scope,
                       "requested_at": "2026-11-25T00:00:00Z", **extra}).encode() + b"\n"  # fmt: skip


def opt_out(event_id: str, customer, **extra) -> bytes:
    """An opt-out in force since 2026-11-01, recorded 2026-11-21 (``customer``: any JSON value)."""
    return json.dumps({"event_id": event_id, "customer_id": customer, "purpose": "model_training",
                       "status": "opted_out", "effective_at": "2026-11-01T00:00:00Z",
                       "recorded_at": "2026-11-21T00:00:00Z", "source": "app", **extra}).encode() + b"\n"  # fmt: skip


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    views = [data]
    if data[:4] == b"PAR1":
        table = pq.read_table(path)
        views.append(json.dumps(table.to_pylist(), default=str, ensure_ascii=False).encode())
        # a dictionary column's values beyond those its rows use (a filter keeps the whole dictionary)
        dictionaries = [chunk.dictionary.to_pylist() for column in table.columns for chunk in column.chunks
                        if pa.types.is_dictionary(chunk.type)]  # fmt: skip
        views.append(json.dumps(dictionaries, default=str, ensure_ascii=False).encode())
    if data[:2] == b"\x1f\x8b":
        rest = data
        while rest:
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                views.append(member.decompress(rest))
            except zlib.error:
                break
            rest = member.unused_data
    text = b"\n".join(views).decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError):  # JSON escapes read
        text += json.dumps(json.loads(text), ensure_ascii=False)
    return text


def left_in_lake(lake: Lake, needle: str) -> list[str]:
    """Every file under the lake root (any name, hidden ones too) whose decoded content holds ``needle``."""
    root = Path(lake.storage.root_url.removeprefix("file://"))
    return sorted(
        str(Path(folder, name).relative_to(root))
        for folder, _, names in os.walk(root)
        for name in names
        if needle in _decoded(Path(folder, name))
    )


def files_holding(root: str, needle: str) -> list[str]:
    """Every file under ``root`` (a folder outside the lake too: the access reports' root) whose bytes,
    read as UTF-8, hold ``needle``; absolute paths."""
    return sorted(
        str(Path(folder, name))
        for folder, _, names in os.walk(root)
        for name in names
        if needle in Path(folder, name).read_bytes().decode("utf-8", "replace")
    )


def receipt(lake: Lake, request_id: str) -> dict:
    return json.loads(lake.storage.read_bytes(receipt_path(request_id)))


def the_failure_callback(lake: Lake, dag_id: str = "privacy_requests") -> None:
    """What the DAG's failure callback does once a run of ``dag_id`` killed mid-task ended failed (the lake's
    one such run): its in-flight mark goes (its privacy intake marked it), so receipts need not wait for it."""
    from utterance_governance.jobs.failures import record_failed_run
    from utterance_governance.jobs.in_flight import IN_FLIGHT

    (folder,) = [f for f in lake.storage.list_dirs("staging") if f.startswith(f"staging/{dag_id}__")]
    run_id = json.loads(lake.storage.read_bytes(f"{folder}/{IN_FLIGHT}"))["run_id"]
    with lake._environment():
        record_failed_run(dag_id, run_id, [])


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def test_a_failed_gates_kept_results_lose_a_deleted_utterances_id(lake, monkeypatch):
    """A failed gate keeps ``staging/<run>/`` as evidence; its JSON names the failing rows' ids."""
    import utterance_governance.decide as decide
    from utterance_governance.jobs.publish import GateFailed

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-gone-77", "zed", "mail me at zed.person@example.com please")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    with monkeypatch.context() as m:  # a redaction regression: the gate stops the batch
        m.setattr(decide, "redact_array", lambda values, *a, **k: values)
        with pytest.raises(GateFailed):
            lake.publish()
    assert any(p.startswith("staging/") and p.endswith(".json") for p in left_in_lake(lake, "u-gone-77"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-gone-77") == []
    assert left_in_lake(lake, "u-kept")  # the other customer's row is still there


def test_a_landing_file_with_dictionary_columns_loses_the_deleted_words(lake):
    """pandas writes ``category`` columns as dictionaries; filtering the rows out kept the dictionary, so the
    rewritten file still held the deleted customer's transcript and id, and the receipt said completed."""
    import pandas as pd

    frame = pd.DataFrame({
        "utterance_id": ["u-zed-1", "u-bob-1"], "customer_id": ["zed-4417", "bob"],
        "captured_at": pd.to_datetime(["2026-11-20T10:00:00Z"] * 2, utc=True), "locale": ["en-US"] * 2,
        "transcript": ["remind me zebracornflakes", "what is the weather"], "response": ["Done."] * 2,
        "asr_confidence": [0.9, 0.9],
    })  # fmt: skip
    for column in ("customer_id", "transcript", "locale"):
        frame[column] = frame[column].astype("category")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    lake.storage.write_bytes(f"{DT}/cat.parquet", buffer.getvalue())
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert left_in_lake(lake, "zed-4417") == ["landing/deletions/d.jsonl"]  # the request itself
    assert f"{DT}/cat.parquet" in left_in_lake(lake, "what is the weather")


@pytest.mark.parametrize(
    "uid", ["utt/2026/11/20/0001", "dXR0LTAwMQ==", "ütt-0001", "u-plain-0001"],
    ids=["slashes", "base64-padding", "non-ascii", "plain"],
)  # fmt: skip
def test_run_reports_lose_a_deleted_id_whatever_characters_it_holds(lake, uid):
    """The audit names a live row a deletion covers before the purge ran; the purge then scrubs the
    report. Ids cut at ``/`` or ``=``, or written as ``\\u00fc`` by JSON, were never matched."""
    from utterance_governance.jobs.audit import AuditFailed

    lake.storage.write_bytes(f"{DT}/a.jsonl", line(uid, "zed", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert uid in lake.live_ids()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed", scope="utterances", utterance_ids=[uid])
    )
    lake.take_in()  # the nightly publish's intake takes the request in; the daily audit runs before the purge
    with pytest.raises(AuditFailed):
        lake.audit()
    assert any(p.startswith("reports/governance_audit") for p in left_in_lake(lake, uid))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    # the request itself names the id: the proof of what was asked
    assert [
        p for p in left_in_lake(lake, uid) if not p.startswith(("reports/receipts/", "landing/deletions/"))
    ] == []


def test_a_deletion_listing_an_id_in_other_case_purges_every_copy(lake):
    """``6F1C…`` listed where the utterance is ``6f1c…``: the receipt said completed, 0 rows removed,
    and the shard, the access copies and the run reports kept the utterance."""
    uid = "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3"
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(uid, "zed", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert uid in lake.live_ids()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed", scope="utterances", utterance_ids=[uid.upper()])
    )
    lake.privacy()
    done = receipt(lake, "d1")
    assert done["status"] == "completed"
    assert uid not in lake.live_ids() and "u-kept" in lake.live_ids()
    assert [
        p for p in left_in_lake(lake, uid) if not p.startswith(("reports/receipts/", "landing/deletions/"))
    ] == []
    assert left_in_lake(lake, "tulips") == []


def test_a_deletion_naming_the_customer_in_other_case_purges_every_copy(lake):
    """The request says ``ZED-7F``, the utterances ``zed-7f``: it matched no row and its receipt completed."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "zed-7f", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "ZED-7F"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-kept"}
    assert left_in_lake(lake, "tulips") == []


def test_an_opt_out_naming_the_customer_in_other_case_withdraws_the_live_rows(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "zed-7f", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}
    event = {"event_id": "e1", "customer_id": "ZED-7F", "purpose": "model_training", "status": "opted_out",
             "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z", "source": "support"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(event).encode() + b"\n")
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


SECRET = "my locker combination is swordfish42"


@pytest.mark.parametrize("shape", ["members", "zero_padding", "cut_inside_a_member", "trailing_bytes"])
def test_a_gzip_landing_file_is_read_and_purged_member_after_member(lake, shape):
    """Only the first member used to be read when the file was not a clean gzip stream: the rows of
    the other members were lost to publishing and never purged."""
    import gzip

    first = gzip.compress(line("u-bob-1", "bob", "play jazz"))
    second = gzip.compress(line("u-zed-1", "zed", SECRET) + line("u-bob-2", "bob", "a long line " * 50))
    data = {"members": first + second, "zero_padding": first + second + b"\0" * 512,
            "cut_inside_a_member": first + second[:-30], "trailing_bytes": first + second + b"garbage\n"}[shape]  # fmt: skip
    lake.storage.write_bytes(f"{DT}/z.jsonl.gz", data)
    lake.publish()
    assert lake.live_ids() >= ({"u-bob-1"} if shape == "cut_inside_a_member" else {"u-bob-1", "u-bob-2"})
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    result = lake.privacy()
    assert left_in_lake(lake, SECRET) == []
    if shape == "trailing_bytes":  # bytes no reader can search: kept as they were, the receipt open
        assert receipt(lake, "d1")["status"] == "in_progress"
        assert any("trailing_bytes" in p for p in result["copies"]["problems"])
        assert lake.storage.read_bytes(f"{DT}/z.jsonl.gz").endswith(b"garbage\n")
    else:
        assert receipt(lake, "d1")["status"] == "completed"
    assert "u-bob-1" in _decoded(Path(lake.storage.root_url.removeprefix("file://"), DT, "z.jsonl.gz"))


@pytest.mark.parametrize("name", ["z.JSONL", "z.ndjson", "_z.jsonl", ".z.jsonl", "z.jsonl.GZ", "z.PARQUET"])
def test_a_landing_file_no_reader_takes_is_reported_and_keeps_the_receipt_open(lake, name):
    """It was skipped unseen by publishing and by the purge, and the receipt said every place was searched.
    A visible one blocks publishing (it may be anyone's deletion exported there); a hidden one is reported."""
    lake.storage.write_bytes(f"{DT}/base.jsonl", line("u-base", "bob", "what time is it"))
    lake.storage.write_bytes(f"{DT}/{name}", line("u-zed-1", "zed", SECRET))
    if name.startswith(("_", ".")):
        lake.publish()
        refused = json.loads(
            lake.storage.read_bytes("reports/utterances_publish__utterances_publish-001/refused_inputs.json")
        )
        assert refused == [{"path": f"{DT}/{name}", "reason": "unsupported_name"}]
    else:
        with pytest.raises(PublishingBlocked, match="refused_path:unsupported_name"):
            lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    result = lake.privacy()
    assert f"{DT}/{name}" in result["copies"]["unrecognised_files"]
    assert receipt(lake, "d1")["status"] == "open"  # nothing of zed's was found elsewhere
    lake.storage.remove(f"{DT}/{name}")  # removed upstream: the next run completes the receipt
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"


def test_an_interrupted_write_younger_than_an_hour_keeps_the_receipt_open(lake):
    """A partial file cannot be searched: it was counted as searched and left in place."""
    from datetime import UTC, datetime, timedelta

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me to call the vet"))
    lake.publish()
    partial = "quarantine/utterances/x.parquet.tmp-0123abcd"
    lake.storage.write_bytes(partial, b"PAR1" + SECRET.encode())
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    result = lake.privacy()
    assert any("write(s) in progress" in p for p in result["copies"]["problems"])
    assert receipt(lake, "d1")["status"] != "completed"
    lake.privacy(now=datetime.now(UTC) + timedelta(hours=2))  # a stale leftover by then: removed
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, SECRET) == []


@pytest.mark.parametrize("form", ["parquet_Customer_ID", "json_customerId", "json_CUSTOMER_ID"])
def test_a_row_naming_its_customer_under_another_key_is_purged_with_its_quarantined_copy(lake, form):
    """The row is malformed (no customer_id) and quarantined with its raw text: a copy the pipeline
    made of the customer's words, which a delete-all left, with the landing file."""
    from datetime import UTC, datetime

    import pyarrow as pa

    if form.startswith("parquet"):
        rel = f"{DT}/z.parquet"
        lake.storage.write_parquet(rel, pa.table({
            "utterance_id": ["u-zed-1"], "Customer_ID": ["zed"],
            "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)], pa.timestamp("us", "UTC")),
            "locale": ["en-US"], "transcript": [SECRET], "response": ["Done."], "asr_confidence": [0.9]}))  # fmt: skip
    else:
        row = json.loads(line("u-zed-1", "zed", SECRET))
        row[form.split("_", 1)[1]] = row.pop("customer_id")
        rel = f"{DT}/z.jsonl"
        lake.storage.write_bytes(rel, json.dumps(row).encode() + b"\n")
    lake.storage.write_bytes(f"{DT}/base.jsonl", line("u-bob-1", "bob", "what time is it"))
    lake.publish()
    assert any(p.startswith("quarantine/utterances/") for p in left_in_lake(lake, SECRET))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, SECRET) == []
    assert lake.live_ids() == {"u-bob-1"}


def test_a_delete_all_leaves_no_customer_id_in_the_store_s_access_requests(lake):
    """The access report is removed by the purge; the request it answered kept the raw id."""
    from sqlalchemy import select

    from utterance_governance.io.store_schema import access_requests

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me to call the vet")
                             + line("u-bob-1", "bob", "what time is it"))  # fmt: skip
    lake.publish()
    assert lake.access_report("zed")["utterances"] == 1
    assert lake.access_report("bob")["utterances"] == 1
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    with lake.store() as store, store.engine.connect() as conn:
        ids = sorted(conn.execute(select(access_requests.c.customer_id)).scalars())
    assert ids == ["[deleted]", "bob"]


def test_the_embedded_stores_files_lose_the_deleted_ids(tmp_path):
    """SQLite's write-ahead log kept the ledger rows a purge deleted, as they were written, while any
    connection stayed open (90 copies of the ids after a delete-all); free pages kept them on builds
    without secure_delete."""
    import sqlite3

    db = tmp_path / "governance.db"
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{db}")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-gone-4417", "zed", "what is the weather")
                             + line("u-kept-1", "bob", "set a timer"))  # fmt: skip
    lake.publish()
    reader = sqlite3.connect(db)  # another process's connection, open throughout
    try:
        reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
        lake.privacy()
        assert receipt(lake, "d1")["status"] == "completed"
        files = [path for path in tmp_path.iterdir() if path.name.startswith("governance.db")]
        assert [path.name for path in files if b"u-gone-4417" in path.read_bytes()] == []
        assert any(b"u-kept-1" in path.read_bytes() for path in files)
    finally:
        reader.close()


def test_the_decision_of_a_record_whose_customer_only_its_raw_line_names_is_purged(lake):
    """A malformed row with its customer under "customerId" is the customer's to the quarantine purge (its
    raw line names them), but its decision row carries no speaker key: it kept the utterance id."""
    rows = b""
    for key in ("customerId", "CUSTOMER_ID"):
        record = json.loads(line(f"u-gone-{key}", "zed", "remind me zebracornflakes"))
        record[key] = record.pop("customer_id")
        rows += json.dumps(record).encode() + b"\n"
    lake.storage.write_bytes(f"{DT}/a.jsonl", rows + line("u-kept", "bob", "what is the weather"))
    lake.publish()
    assert any(p.startswith("decisions/") for p in left_in_lake(lake, "u-gone-customerId"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-gone-") == []
    assert any(p.startswith("decisions/") for p in left_in_lake(lake, "u-kept"))


def test_a_run_that_stops_after_the_copies_leaves_the_reports_to_the_next(lake, monkeypatch):
    """The reports are scrubbed of the ids the copies purge finds; a run killed after rewriting the copies
    and before the reports left the next run nothing to find: its receipt completed and the audit's
    report kept the deleted utterance's id for good. The ids found are noted (keyed digests) first."""
    import utterance_governance.purge.copies as copies

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-gone-5", "zed", "remind me zebracornflakes")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("reports/governance_audit-001/audit.json",
                             json.dumps({"findings": [{"row": "u-gone-5", "rule": "x"}], "note": "row u-gone-5: x"}).encode())  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))

    class Killed(BaseException):  # the worker is killed (out of memory, evicted) mid-task
        pass

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as m:
        m.setattr(copies, "purge_traces", killed)
        with pytest.raises(Killed):
            lake.privacy()
    the_failure_callback(lake)
    assert left_in_lake(lake, "u-gone-5") == ["reports/governance_audit-001/audit.json"]
    assert lake.storage.list_files("_purge", (".json",))  # the note of what was found
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-gone-5") == []
    assert lake.storage.list_files("_purge", (".json",)) == []


def test_a_copies_purge_that_lost_its_lease_gives_no_receipt_and_its_retry_completes(lake, monkeypatch):
    """The copies purge holds the dataset lock (a publish finishing meanwhile would register the landing
    files it rewrites again). A lease lost under it (the heartbeat could not write for longer than the
    lease, and a publish took the lock) fails the step: before, it went on to its receipts unchecked."""
    from sqlalchemy import delete

    from utterance_governance.io.store import LockLost
    from utterance_governance.io.store_schema import dataset_locks
    from utterance_governance.jobs import privacy
    from utterance_governance.purge import copies

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-gone", "zed", "remind me about the dentist")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    purge = copies.purge_copies

    def purge_then_lose_the_lease(*args, **kwargs):
        result = purge(*args, **kwargs)
        with lake.store() as store, store._lock_transaction() as conn:  # taken over (and given up since)
            conn.execute(delete(dataset_locks))
        return result

    with lake._environment():
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        monkeypatch.setattr(copies, "purge_copies", purge_then_lose_the_lease)
        with pytest.raises(LockLost):
            privacy.purge_copies(ctx)
        monkeypatch.undo()
        assert not lake.storage.exists(receipt_path("d1"))
        # the task's retry
        privacy.issue_receipts(ctx, purged, privacy.purge_copies(ctx))
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-gone") == []
    assert lake.live_ids() == {"u-kept"}
