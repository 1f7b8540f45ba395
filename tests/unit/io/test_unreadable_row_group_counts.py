"""A Parquet utterance file whose middle row group cannot be decoded: the footer says how many rows that
group holds (the reader numbers the lines after it by that count), and each of them is a quarantine row and a
``malformed`` decision (before: one for all of them; count in (9) != published + malformed (7))."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

DT = "landing/utterances/dt=2026-11-20"


def utterance(i: int) -> dict:
    return {"utterance_id": f"p{i}", "customer_id": f"d{i}", "captured_at": "2026-11-20T10:00:00Z",
            "locale": "en-US", "transcript": f"tell me a long story about the river number {i}",
            "response": "Here is one.", "asr_confidence": 0.9}  # fmt: skip


def file_with_a_broken_middle_group() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([utterance(i) for i in range(9)]), buf, row_group_size=3)
    data = bytearray(buf.getvalue())
    column = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(1).column(4)  # its transcripts
    for at in range(column.data_page_offset + 5, column.data_page_offset + 40):
        data[at] ^= 0x5A
    return bytes(data)


def open_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_every_row_of_an_unreadable_row_group_is_counted(lake):
    lake.storage.write_bytes(f"{DT}/p.parquet", file_with_a_broken_middle_group())
    published = lake.publish(now=datetime(2026, 11, 26, tzinfo=UTC))
    assert lake.live_ids() == {"p0", "p1", "p2", "p6", "p7", "p8"}  # the other groups are read
    quarantined = [
        pq.read_table(os.path.join(root, f)).column("detail").to_pylist()
        for root, _, files in os.walk(lake.storage.full("quarantine/utterances"))
        for f in files
    ]
    assert any(d.startswith("unreadable_row_group:") for ds in quarantined for d in ds)
    report = next(
        json.loads(open_text(os.path.join(root, "report.json")))
        for root, _, files in os.walk(lake.storage.full("reports"))
        if "report.json" in files
    )
    assert sum(published["counts"].values()) == 9, published["counts"]
    assert sum(report["counts"].values()) == 9, report["counts"]
