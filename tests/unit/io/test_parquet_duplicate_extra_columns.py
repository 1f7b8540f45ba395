"""Parquet landing files with two columns of the same name that is NOT one of the record's fields
(an export that joined two tables each with a ``meta``/``_ingest_ts`` column). The reader refuses a
duplicated *schema* column as ``duplicate_column:<name>``, but a duplicated extra column crashes it
with a KeyError as soon as one row of the file is malformed (``_parquet_columns.raw_of`` called
``taken.column(name)`` by name). Now the quarantined row's raw text holds both columns, by position."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.readers import read_landing_file

DT = "landing/utterances/dt=2026-11-20"
T = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _parquet(names: list[str], arrays: list[pa.Array]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), buffer)
    return buffer.getvalue()


def _utterances_with_twice_meta() -> bytes:
    """Two utterances; the second has no transcript (malformed); a non-schema column ``meta`` twice."""
    names = [
        "utterance_id",
        "customer_id",
        "captured_at",
        "locale",
        "transcript",
        "asr_confidence",
        "meta",
        "meta",
    ]
    arrays = [pa.array(["u-ok", "u-bad"]), pa.array(["ann", "bob"]), pa.array([T, T], pa.timestamp("us", tz="UTC")),
              pa.array(["en-US", "en-US"]), pa.array(["what is the weather", None]), pa.array([0.9, 0.9]),
              pa.array([1, 2]), pa.array([3, 4])]  # fmt: skip
    return _parquet(names, arrays)


def test_reader_quarantines_a_malformed_row_of_a_file_with_a_duplicated_extra_column(tmp_path):
    """Expected: the good row is read, the row without transcript is quarantined
    (``missing_field:transcript``), nothing raised. Before: KeyError 'Field "meta" exists 2 times in
    schema' from ``raw_of`` (readers.py ``_parquet_columns``), re-raised by ``_unreadable``."""
    from utterance_governance.io.storage import Storage

    storage = Storage(str(tmp_path / "lake"))
    storage.write_bytes(f"{DT}/a.parquet", _utterances_with_twice_meta())
    read = read_landing_file(storage, f"{DT}/a.parquet", "utterances")
    assert read.rows_seen == 2
    assert read.quarantine.column("detail").to_pylist() == ["missing_field:transcript"]


def test_publish_survives_an_utterance_file_with_a_duplicated_extra_column(lake):
    """Expected: the nightly publish decides both rows (one published, one malformed) and other files
    publish. Before: process_file raises KeyError, the run fails, and fails again every night on the
    same file (it is never quarantined)."""
    lake.storage.write_bytes(f"{DT}/a.parquet", _utterances_with_twice_meta())
    lake.storage.write_bytes(
        f"{DT}/b.jsonl",
        json.dumps({"utterance_id": "u-other", "customer_id": "cat", "captured_at": "2026-11-20T10:00:00Z",
                    "locale": "en-US", "transcript": "play some jazz", "asr_confidence": 0.9}).encode() + b"\n",
    )  # fmt: skip
    lake.publish()
    assert {"u-ok", "u-other"} <= lake.live_ids()


def _privacy_as_the_dag_runs_it(lake: Lake) -> None:
    """privacy_requests' steps (its intake must not fail on the file: it read the file as ``read_failed``)."""
    from utterance_governance.jobs import privacy

    with lake._environment():
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        purged = privacy.purge_published(ctx)
        copied = privacy.purge_copies(ctx)
        privacy.issue_receipts(ctx, purged, copied)


def test_a_valid_deletion_in_a_parquet_with_a_duplicated_extra_column_is_carried_out(lake):
    """A deletions Parquet (an export with an extra column twice) holding a valid delete-all for ``ann``
    and one malformed row (unknown scope) for ``bob``. Expected (SPEC §4, §4.1 "one bad record is one bad
    record"): ann's deletion is taken in and her published row purged; bob's row is quarantined and bob
    held. Before: the reader raises KeyError on the malformed row (``raw_of``), the whole file is
    ``read_failed:KeyError``, ann's request is never taken in, and her utterance stays published run
    after run (the same KeyError every time)."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        json.dumps({"utterance_id": "u-ann", "customer_id": "ann", "captured_at": "2026-11-20T10:00:00Z",
                    "locale": "en-US", "transcript": "play some jazz", "asr_confidence": 0.9}).encode() + b"\n",
    )  # fmt: skip
    lake.publish()
    assert "u-ann" in lake.live_ids()
    names = ["request_id", "customer_id", "scope", "requested_at", "meta", "meta"]
    arrays = [pa.array(["d-ann", "d-bad"]), pa.array(["ann", "bob"]), pa.array(["all", "everything"]),
              pa.array(["2026-11-25T00:00:00Z"] * 2), pa.array([1, 2]), pa.array([3, 4])]  # fmt: skip
    lake.storage.write_bytes("landing/deletions/a.parquet", _parquet(names, arrays))
    for _ in range(2):  # not a transient failure: the next run fails the same way
        _privacy_as_the_dag_runs_it(lake)
    assert "u-ann" not in lake.live_ids()
