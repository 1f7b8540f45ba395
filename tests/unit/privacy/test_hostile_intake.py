"""Landing input a hostile or broken upstream sends, end to end through the DAGs' steps (SQLite and
PostgreSQL) or through the reader. Each of these once published a customer's row despite their opt-out
or deletion, hung the intake, or stopped every privacy run."""

from __future__ import annotations

import json
import os
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.jobs.publish import PublishingBlocked, _file_key

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, **changes) -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
            "locale": "en-US", "transcript": f"tell me a long story about the river {uid}",
            "response": "Here is one.", "asr_confidence": 0.9, **changes}  # fmt: skip


def opt_out(customer: str, event: str = "e-1") -> dict:
    return {"event_id": event, "customer_id": customer, "purpose": "model_training", "status": "opted_out",
            "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}  # fmt: skip


def jsonl(*rows: dict | str) -> bytes:
    return b"".join((r if isinstance(r, str) else json.dumps(r)).encode() + b"\n" for r in rows)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


ESCAPED_KEY_LINES = [
    # the key twice, once spelled with an escape: JSON readers keep the last, b
    '{"event_id": "e-1", "customer_id": "a", "customer\\u005fid": "b", "purpose": "model_training",'
    ' "status": "opted_out", "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}',
    # the only top-level key escaped, another customer's id nested, and a key repeated elsewhere
    '{"event_id": "e-1", "customer\\u005fid": "b", "purpose": "model_training", "status": "opted_out",'
    ' "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z",'
    ' "meta": {"customer_id": "a"}, "source": "x", "source": "y"}',
]


@pytest.mark.parametrize("line", ESCAPED_KEY_LINES, ids=["repeated", "nested"])
def test_a_customer_key_spelled_with_an_escape_names_nobody_it_could_read(tmp_path, line):
    """The salvage of a refused line read only the key spelled ``"customer_id"``: it held a, the
    customer the line does not belong to, and b's opt-out was lost (b published)."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/consent/c.jsonl", line.encode() + b"\n")
    read = read_landing_file(storage, "landing/consent/c.jsonl", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.column("customer_id").to_pylist() == [None]  # blocks publishing


def test_an_escaped_customer_key_blocks_publishing_end_to_end(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-b", "b"), utterance("u-c", "c")))
    lake.storage.write_bytes("landing/consent/c.jsonl", ESCAPED_KEY_LINES[0].encode() + b"\n")
    with pytest.raises(PublishingBlocked, match="duplicate_key:customer_id"):
        lake.publish()
    assert lake.live_ids() == set()


def test_an_escaped_customer_key_in_a_deletion_blocks_publishing_after_the_fact(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-b", "b"), utterance("u-c", "c")))
    lake.publish()
    assert lake.live_ids() == {"u-b", "u-c"}
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        b'{"request_id": "r-1", "customer_id": "a", "customer\\u005fid": "b", "scope": "all",'
        b' "requested_at": "2026-11-26T00:00:00Z"}\n',
    )
    lake.privacy()
    with lake.store() as store:
        assert "b" not in store.privacy_state().held_customers
        assert store.privacy_blocked_reasons()  # nobody it names can be told: nothing more is published


@pytest.mark.parametrize(
    "column",
    [
        pa.array([b"m\xfcller"], pa.binary()),  # Latin-1 bytes in a binary column
        pa.array([b"m\xfcller"], pa.binary()).view(pa.string()),  # ... in a string column
        pa.array([pa.scalar(20455, pa.date32()).as_py()], pa.date32()),  # a date
        pa.array([pa.scalar("42.50", pa.string()).as_py()]).cast(pa.decimal128(6, 2)),  # a decimal
    ],
    ids=["binary", "invalid-utf8-string", "date", "decimal"],
)
def test_a_parquet_customer_cell_that_is_no_string_names_nobody(tmp_path, column):
    """The row's raw text is made by the reader (``json.dumps(row, default=str)``), and the salvage read
    it back: it held ``b'm\\xfcller'`` or ``2026-01-02``, an id nobody has, and müller was published."""
    storage = Storage(str(tmp_path))
    row = {k: [v] for k, v in opt_out("x").items() if k != "customer_id"}
    table = pa.table({**row, "customer_id": column})
    os.makedirs(storage.full("landing/consent"))
    pq.write_table(table, storage.full("landing/consent/c.parquet"))
    read = read_landing_file(storage, "landing/consent/c.parquet", "consent")
    assert read.records.num_rows == 0
    assert read.quarantine.column("customer_id").to_pylist() == [None]


def test_a_parquet_customer_id_sent_as_an_integer_still_holds_that_customer(tmp_path):
    """As in JSON Lines, an id sent as a number is that customer's (the salvage from the column)."""
    storage = Storage(str(tmp_path))
    row = {k: [v] for k, v in opt_out("x").items() if k != "customer_id"}
    os.makedirs(storage.full("landing/consent"))
    pq.write_table(pa.table({**row, "customer_id": pa.array([42], pa.int64())}), storage.full("landing/consent/c.parquet"))  # fmt: skip
    read = read_landing_file(storage, "landing/consent/c.parquet", "consent")
    assert read.quarantine.column("customer_id").to_pylist() == ["42"]
    assert read.quarantine.column("detail").to_pylist() == ["wrong_type:customer_id"]


def test_a_latin1_parquet_opt_out_blocks_publishing_end_to_end(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-m", "müller"), utterance("u-c", "c")))
    row = {k: [v] for k, v in opt_out("x").items() if k != "customer_id"}
    os.makedirs(lake.storage.full("landing/consent"))
    pq.write_table(
        pa.table({**row, "customer_id": pa.array([b"m\xfcller"], pa.binary())}),
        lake.storage.full("landing/consent/c.parquet"),
    )
    with pytest.raises(PublishingBlocked, match="invalid_utf8:customer_id"):
        lake.publish()
    assert lake.live_ids() == set()


def test_a_named_pipe_in_a_privacy_folder_is_refused_not_read(lake):
    """Opening a FIFO blocks until a writer comes: the intake of both DAGs hung for good, and no
    deletion was taken in."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-c", "c")))
    os.makedirs(lake.storage.full("landing/consent"))
    os.mkfifo(lake.storage.full("landing/consent/x.jsonl"))
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            lake.publish()
            outcome.append(None)
        except BaseException as exc:  # the outcome is asserted below, in the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)
    if worker.is_alive():  # let the hung open() return, so the thread ends
        with open(lake.storage.full("landing/consent/x.jsonl"), "wb"):
            pass
        pytest.fail("the run hung on a named pipe")
    assert isinstance(outcome[0], PublishingBlocked)
    assert "refused_path:not_regular_file" in str(outcome[0])
    assert lake.live_ids() == set()


def test_a_long_privacy_file_name_stops_neither_its_folder_nor_the_deletions(lake):
    """Its quarantine copy's name (the landing path flattened, a digest, ".parquet") outgrew 255 bytes:
    the write raised outside the file's own ``try``, before the deletions folder was read, on every run."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-d", "d"), utterance("u-e", "e")))
    lake.publish()
    long_name = "landing/consent/" + "x" * 200 + ".jsonl"
    lake.storage.write_bytes(
        long_name, jsonl(opt_out("c"), '{"event_id": "e-2", "customer_id": "e", "status"')
    )
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        jsonl(
            {"request_id": "r-1", "customer_id": "d", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}
        ),
    )
    lake.privacy()
    assert lake.live_ids() == set()  # d deleted; e held, withdrawn
    with lake.store() as store:
        assert "e" in store.privacy_state().held_customers


@pytest.mark.parametrize("length", [10, 149, 150, 151, 240])
def test_a_file_key_stays_short_and_unique(length):
    for char in ("x", "é", "語"):
        path = f"landing/utterances/dt=2026-11-20/{char * length}.jsonl"
        key = _file_key(path)
        assert len(f"held__{key}.decisions.parquet".encode()) <= 255
        assert key != _file_key(path.replace(".jsonl", ".jsonl.gz"))


def test_a_privacy_file_rewritten_to_the_same_size_and_mtime_is_read_again(lake):
    """A local file's fingerprint was its size and mtime: an export rewritten in place with its
    modification time kept (``cp -p``, ``rsync -t``) was never read again, and the opt-out it now held
    was lost without a trace."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-b", "b")))
    opted_in = {**opt_out("b"), "status": "opted_in "}  # the same length as "opted_out"
    path = "landing/consent/latest.jsonl"
    lake.storage.write_bytes(path, jsonl(opted_in))
    lake.publish()
    assert lake.live_ids() == {"u-b"}
    before = os.stat(lake.storage.full(path))
    time.sleep(0.05)
    lake.storage.write_bytes(path, jsonl({**opt_out("b"), "event_id": "e-2"}))
    os.utime(lake.storage.full(path), ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(lake.storage.full(path))
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    lake.privacy()
    assert lake.live_ids() == set()


def test_a_lower_case_z_is_utc_and_odd_times_are_read_in_linear_time(tmp_path):
    """RFC 3339 allows "z": every such row was invalid_timestamp, and each cell Arrow refused flagged
    its row with a mask of the whole file (40k rows took 26 s)."""
    storage = Storage(str(tmp_path))
    rows = [utterance(f"u-{i}", "c", captured_at="2026-11-20T10:00:00z") for i in range(3)]
    rows += [utterance(f"u-x{i}", "c", captured_at="2026-11-20T10:00:00+99:99") for i in range(2_000)]
    storage.write_bytes(f"{DT}/a.jsonl", jsonl(*rows))
    read = read_landing_file(storage, f"{DT}/a.jsonl", "utterances")
    assert read.records.column("utterance_id").to_pylist() == ["u-0", "u-1", "u-2"]
    assert set(read.quarantine.column("detail").to_pylist()) == {"invalid_timestamp:captured_at"}
    assert read.quarantine.num_rows == 2_000


def test_a_line_too_long_to_be_a_record_is_quarantined_unread_and_names_nobody(tmp_path):
    """A 200 MB line (a file without its line breaks, a hostile upload) was decoded, parsed, typed and
    redacted before the length rule refused it: a gigabyte of memory for one row, more for a few."""
    from utterance_governance.io.readers import MAX_LINE_BYTES, RAW_KEPT_BYTES

    storage = Storage(str(tmp_path))
    huge = json.dumps(utterance("u-huge", "c", transcript="la " * (MAX_LINE_BYTES // 3 + 10)))
    storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u-1", "c"), huge, utterance("u-2", "c")))
    read = read_landing_file(storage, f"{DT}/a.jsonl", "utterances")
    assert read.records.column("utterance_id").to_pylist() == ["u-1", "u-2"]
    assert read.quarantine.column("detail").to_pylist() == ["line_too_long"]
    assert read.quarantine.column("line").to_pylist() == [2]
    assert len(read.quarantine.column("raw")[0].as_py()) <= RAW_KEPT_BYTES + 1
    glued = json.dumps(opt_out("a")) + " " * MAX_LINE_BYTES + json.dumps(opt_out("b", "e-2"))
    storage.write_bytes("landing/consent/c.jsonl", glued.encode() + b"\n")
    read = read_landing_file(storage, "landing/consent/c.jsonl", "consent")
    assert read.quarantine.column("customer_id").to_pylist() == [None]  # blocks: b is past what was kept
