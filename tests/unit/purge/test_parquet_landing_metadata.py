"""A landing Parquet file the purge rewrites loses its key-value metadata, of the schema and of each field:
an exporter may write the accounts it exported or a sample row there, which no search reads (review 10,
F13). The rows it keeps, their types included, are as they were."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, receipt


def test_a_rewritten_parquet_landing_file_keeps_no_metadata_naming_the_deleted_customer(lake):
    t = pa.table({
        "utterance_id": ["u-zed-1", "u-bob-1"], "customer_id": ["zed-4417", "bob-0001"],
        "captured_at": ["2026-11-20T10:00:00Z"] * 2, "locale": ["en-US"] * 2,
        "transcript": ["remind me zebracornflakes", "what is the weather"], "response": ["Done."] * 2,
        "asr_confidence": pa.array([0.9, 0.9], pa.float32()),
    }).replace_schema_metadata({"exported_accounts": "zed-4417,bob-0001",
                                "sample_row": "zed-4417: remind me zebracornflakes"})  # fmt: skip
    field = t.schema.field("customer_id").with_metadata({"accounts": "zed-4417"})
    t = t.cast(t.schema.set(t.schema.get_field_index("customer_id"), field))
    sink = io.BytesIO()
    pq.write_table(t, sink)
    lake.storage.write_bytes(f"{DT}/a.parquet", sink.getvalue())
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    written = pq.ParquetFile(f"{lake.root}/{DT}/a.parquet")
    schema = written.schema_arrow
    meta = {**(schema.metadata or {}), **(schema.field("customer_id").metadata or {})}
    assert not any(b"zed-4417" in v or b"zebracornflakes" in v for v in meta.values()), meta
    kept = written.read()
    assert kept.column("utterance_id").to_pylist() == ["u-bob-1"]
    assert kept.schema.field("asr_confidence").type == pa.float32()
