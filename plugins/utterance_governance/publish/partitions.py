"""A night's batch cut into hash partitions on the lake, so no step holds the whole night.

The batch is moved between steps as Parquet files under ``staging/<run>/<stage>/p=NNNNN/``,
one file per (partition, producer): each row goes to the partition of one of its columns (a range
of the content hash, a hash of the others), so every row that a rule compares with another (the same content, the same utterance
id, the same speaker) sits in the same partition, and one task reads one partition.

    process_file (per landing file)  --content_hash-->  content/p=*/<file>.parquet
    dedup_content (per partition)    --utterance_id-->  ids/p=*/c-<q>.parquet
    gate_partition (per partition)   --speaker_key--->  speakers/p=*/i-<q>.parquet
    publish (one partition at a time under the lock)  -> shards, ledger

How many partitions: the night's landing bytes over ``policy.partition_bytes`` (Parquet landing
files count ``PARQUET_EXPANSION`` times their size: they are compressed), at least one. The
count is fixed once per run by ``discover_files`` and travels with each file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utterance_governance.io.storage import Storage
from utterance_governance.io.store_schema import CONTENT_KEY_CHARS

# a Parquet landing file's rows take several times its bytes in memory (10x: synthetic traffic
# compresses to ~47 bytes a row, and a 250k-row partition peaks near 500 MiB in its task)
PARQUET_EXPANSION = 10
# Hash keys (16 bytes each) of the hashed partitionings: independent of one another and of the shard
# buckets (content hashes are cut by range instead: see ``partition_of``).
SALTS = {
    "utterance_id": "ug-part-utteran1",
    "speaker_key": "ug-part-speaker1",
}

# Columns whose values repeat within a staged file (a night's speakers, locales, files, days): Parquet
# dictionary-encodes these only. The others (texts, content hashes, ids, lines, capture times) are
# distinct or nearly, and a dictionary tried on them costs time and bytes (15-20 % of a staged
# file's write, and its size grows 5-10 %).
REPEATING = frozenset(
    {"speaker_key", "locale", "source_file", "captured_date", "landed_at", "reason", "detail"}
)


def partition_count(sizes: Iterable[tuple[str, int]], partition_bytes: int) -> int:
    """Partitions for files of these (path, bytes): about ``partition_bytes`` of landing text each."""
    total = sum(size * (PARQUET_EXPANSION if path.endswith(".parquet") else 1) for path, size in sizes)
    return max(1, math.ceil(total / max(1, int(partition_bytes))))


def partition_of(values: pa.Array | pa.ChunkedArray, column: str, partitions: int) -> np.ndarray:
    """The partition (0 .. partitions-1) of each value; nulls go to partition 0.

    Content hashes are cut into ranges of their first ``CONTENT_KEY_CHARS`` hex digits, the key the
    ledger's content index is ordered by: each partition's lookup of live content reads its own slice
    of that index, where partitions by a hash of the hash each read all of it (15 partitions of a 4M
    night: 15 passes over an index as large as the dataset). A hash is uniform, so ranges are even.
    """
    n = len(values)
    if partitions <= 1 or n == 0:
        return np.zeros(n, dtype=np.int64)
    if column == "content_hash":
        key_bits = np.uint64(4 * CONTENT_KEY_CHARS)
        return (hex_prefix_values(values) * np.uint64(partitions) >> key_bits).astype(np.int64)
    # each distinct value hashed once (as ``hash_array(..., categorize=True)`` does, with Arrow's
    # dictionary instead of pandas' factorising Python strings): a night's rows share their speakers
    keys = pc.dictionary_encode(pc.fill_null(values, ""))
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    distinct = keys.dictionary.to_numpy(zero_copy_only=False)
    hashed = pd.util.hash_array(distinct, hash_key=SALTS[column], categorize=False)
    return (hashed % np.uint64(partitions)).astype(np.int64)[keys.indices.to_numpy(zero_copy_only=False)]


_HEX = np.zeros(256, dtype=np.uint64)  # a hex digit's value by its byte; anything else counts 0
_HEX[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10, dtype=np.uint64)
_HEX[np.frombuffer(b"abcdef", np.uint8)] = _HEX[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(
    10, 16, dtype=np.uint64
)


def hex_prefix_values(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The number (0 .. 2**32-1) each value's first ``CONTENT_KEY_CHARS`` hex digits spell: for lower-case
    hex, as content hashes are, the order the ledger's content key sorts them in (a shorter value is
    padded with zeros, a null is 0)."""
    prefixes = pc.utf8_slice_codeunits(pc.fill_null(values, ""), 0, CONTENT_KEY_CHARS)
    fixed = np.array(prefixes.cast(pa.binary()).to_numpy(zero_copy_only=False), dtype=f"S{CONTENT_KEY_CHARS}")
    digits = _HEX[np.frombuffer(fixed.tobytes(), np.uint8).reshape(-1, CONTENT_KEY_CHARS)]
    shifts = np.arange(CONTENT_KEY_CHARS - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return np.bitwise_or.reduce(digits << shifts, axis=1)


def partition_dir(stage_dir: str, partition: int) -> str:
    return f"{stage_dir}/p={partition:05d}"


def write_partitioned(
    storage: Storage, stage_dir: str, name: str, rows: pa.Table, column: str, partitions: int
) -> dict[int, int]:
    """Write ``rows`` split by the hash of ``column`` as ``<stage_dir>/p=NNNNN/<name>.parquet``
    (only partitions that get rows); return rows per partition written."""
    if rows.num_rows == 0:
        return {}
    parts = partition_of(rows.column(column), column, partitions)
    order = np.argsort(parts, kind="stable")
    ordered = rows.take(pa.array(order))
    sorted_parts = parts[order]
    bounds = np.flatnonzero(np.diff(sorted_parts)) + 1
    starts, ends = [0, *bounds.tolist()], [*bounds.tolist(), rows.num_rows]
    written = {}
    for start, end in zip(starts, ends, strict=True):
        partition = int(sorted_parts[start])
        storage.write_parquet(
            f"{partition_dir(stage_dir, partition)}/{name}.parquet",
            ordered.slice(start, end - start),
            use_dictionary=[c for c in rows.column_names if c in REPEATING],
        )
        written[partition] = end - start
    return written


def read_partition(
    storage: Storage, stage_dir: str, partition: int, schema: pa.Schema, columns: list[str] | None = None
) -> pa.Table:
    """Every producer's rows of one partition (an empty table of ``schema`` when there are none)."""
    files = storage.list_files(partition_dir(stage_dir, partition), (".parquet",))
    tables = [storage.read_parquet(f.path, columns) for f in sorted(files, key=lambda f: f.path)]
    wanted = pa.schema([schema.field(c) for c in columns]) if columns else schema
    if not tables:
        return wanted.empty_table()
    return pa.concat_tables([t.cast(wanted) for t in tables])
