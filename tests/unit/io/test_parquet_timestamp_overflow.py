"""A Parquet timestamp column in milliseconds whose value does not fit a microsecond timestamp: a
broken export that wrote nanosecond epochs into a ``timestamp[ms]`` column, is no instant: the record is
quarantined (``implausible_timestamp``). Before: the reader cast it with ``safe=False``
(``readers._coerce_column``: meant to let nanoseconds lose their sub-microsecond part), which also turned off
Arrow's overflow check: the value wrapped round int64 and was read as some other, plausible instant."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage

DT = "landing/utterances/dt=2026-11-20"


def wrapping_millis(into: datetime) -> int:
    """A ``timestamp[ms]`` value of nanosecond magnitude (2**61 + ...: an instant in 2043 as ns since the
    epoch) whose microseconds (value * 1000) wrap round int64 onto ``into`` exactly."""
    v = 2**61 + int(into.timestamp()) * 1000
    assert ((v * 1000 + 2**63) % 2**64) - 2**63 == int(into.timestamp()) * 10**6
    return v


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _deletion_parquet(requested_at_millis: int) -> bytes:
    table = pa.table({
        "request_id": ["d-ann"], "customer_id": ["ann"], "scope": ["all"],
        "requested_at": pa.array([requested_at_millis], pa.timestamp("ms", tz="UTC")),
    })  # fmt: skip
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_an_out_of_range_millisecond_timestamp_is_not_read_as_another_instant(tmp_path):
    """Expected: the request is quarantined (``invalid_timestamp:requested_at`` or similar): its stated
    time is no instant a record can have. Before: it is a valid record with requested_at 2026-11-10."""
    storage = Storage(str(tmp_path / "lake"))
    storage.write_bytes(
        "landing/deletions/d.parquet", _deletion_parquet(wrapping_millis(datetime(2026, 11, 10, tzinfo=UTC)))
    )
    read = read_landing_file(storage, "landing/deletions/d.parquet", "deletions")
    assert read.records.num_rows == 0, read.records.column("requested_at").to_pylist()
    assert read.quarantine.num_rows == 1


def test_a_deletion_with_an_overflowing_requested_at_does_not_leave_the_customer_published(lake):
    """ann's utterance is live; a delete-all for ann arrives whose requested_at cell overflows. Expected:
    the record is unreadable, ann is held back and her live row withdrawn (SPEC §4, §4.1 "doubt
    withdraws"). Before: it is taken in as a valid request made on 2026-11-10, before her utterance was
    captured and landed, so it covers nothing, and her row stays published."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        json.dumps({"utterance_id": "u-ann", "customer_id": "ann", "captured_at": "2026-11-20T10:00:00Z",
                    "locale": "en-US", "transcript": "play some jazz", "asr_confidence": 0.9}).encode() + b"\n",
    )  # fmt: skip
    lake.publish()
    assert "u-ann" in lake.live_ids()
    lake.storage.write_bytes(
        "landing/deletions/d.parquet", _deletion_parquet(wrapping_millis(datetime(2026, 11, 10, tzinfo=UTC)))
    )
    lake.privacy()
    assert "u-ann" not in lake.live_ids()
