"""A Parquet landing file whose ``customer_id`` column is no string column: fixed-width binary (a UUID as
FIXED_LEN_BYTE_ARRAY(16), what Spark, Trino and JVM writers write; an id padded to a width), a decimal (a
database NUMBER exported with a scale), or a view column (Arrow's string_view: no kernel takes or filters
it, and the purge of such a file failed on every run, keeping every receipt open). A delete-all of the
customer (the UUID in its usual notation, the integer's digits) reaches their rows in landing and
quarantine (review 10, F7)."""

from __future__ import annotations

import decimal
import io
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, receipt

ZED = uuid.UUID("6f1c2b7e-90aa-4c1e-8d2f-0123456789ab")
BOB = uuid.UUID("0b0b0b0b-1111-4222-8333-444444444444")


def _file(column: pa.Array) -> bytes:
    t = pa.table({
        "utterance_id": pa.array(["u-zed-1", "u-bob-1"]),
        "customer_id": column,
        "captured_at": pa.array(["2026-11-20T10:00:00Z"] * 2),
        "locale": pa.array(["en-US"] * 2),
        "transcript": pa.array(["remind me zebracornflakes", "what is the weather"]),
        "response": pa.array(["Done."] * 2),
        "asr_confidence": pa.array([0.9, 0.9]),
    })  # fmt: skip
    sink = io.BytesIO()
    pq.write_table(t, sink)
    return sink.getvalue()


@pytest.mark.parametrize(
    "kind",
    [
        "arrow_uuid",
        "fixed_size_binary_16",
        "fixed_size_binary_ascii",
        "decimal",
        "string_view",
        "binary_view",
    ],
)
def test_a_delete_all_reaches_a_parquet_file_whose_customer_column_is_no_string(lake, kind):
    column, customer = {
        "arrow_uuid": (pa.array([ZED.bytes, BOB.bytes], pa.uuid()), str(ZED)),
        "fixed_size_binary_16": (pa.array([ZED.bytes, BOB.bytes], pa.binary(16)), str(ZED)),
        "fixed_size_binary_ascii": (pa.array([b"zed-4417", b"bob-0001"], pa.binary(8)), "zed-4417"),
        "decimal": (pa.array([decimal.Decimal("88231907.00"), decimal.Decimal("11111111.00")],
                             pa.decimal128(20, 2)), "88231907"),
        "string_view": (pa.array(["zed-4417", "bob-0001"], pa.string_view()), "zed-4417"),
        "binary_view": (pa.array([b"zed-4417", b"bob-0001"], pa.binary_view()), "zed-4417"),
    }[kind]  # fmt: skip
    lake.storage.write_bytes(f"{DT}/a.parquet", _file(column))
    lake.publish()
    assert left_in_lake(lake, "zebracornflakes")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", customer))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert "u-bob-1" in str(lake.storage.read_parquet(f"{DT}/a.parquet").to_pylist())  # the other row kept
