"""How a night's batch is cut into partitions: content hashes by range of the ledger's content key."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa

from utterance_governance.io.store_schema import CONTENT_KEY_CHARS
from utterance_governance.publish.partitions import hex_prefix_values, partition_of


def _hashes(n: int) -> list[str]:
    return [hashlib.sha256(f"exchange {i}".encode()).hexdigest() for i in range(n)]


def test_a_content_partition_is_one_range_of_the_content_key():
    """Each partition's hashes sit in one slice of the ledger's content index (ordered by the first
    hex digits), so its lookup of live content reads that slice and no other partition's."""
    hashes = _hashes(30_000)
    parts = partition_of(pa.array(hashes), "content_hash", 7)
    keys = [h[:CONTENT_KEY_CHARS] for h in hashes]  # what the store's content key holds
    ranges = {p: (min(k for k, q in zip(keys, parts, strict=True) if q == p),
                  max(k for k, q in zip(keys, parts, strict=True) if q == p)) for p in range(7)}  # fmt: skip
    for p in range(6):
        assert ranges[p][1] < ranges[p + 1][0]  # partition p's last key before p+1's first
    counts = np.bincount(parts, minlength=7)
    assert counts.min() > 0.9 * 30_000 / 7 and counts.max() < 1.1 * 30_000 / 7  # a hash is uniform


def test_content_partitions_read_upper_case_short_and_missing_values_without_failing():
    values = pa.chunked_array([["ABCDEF01" + "0" * 56, "abcdef01" + "f" * 56], ["7", None, "", "zz-not-hex"]])
    keys = hex_prefix_values(values)
    assert keys.tolist() == [0xABCDEF01, 0xABCDEF01, 0x70000000, 0, 0, 0]
    parts = partition_of(values, "content_hash", 4)
    assert parts.tolist() == [2, 2, 1, 0, 0, 0]


def test_other_columns_keep_their_salted_hash_partitions():
    """Ids and speakers are not uniform text, so they are still cut by a hash, and the same value
    always lands in the same partition."""
    ids = pa.array([f"utt-7-2026112501-{i:07d}" for i in range(10_000)])
    parts = partition_of(ids, "utterance_id", 5)
    assert np.bincount(parts, minlength=5).min() > 1_500  # sequential ids spread, not one range
    assert np.array_equal(parts, partition_of(ids, "utterance_id", 5))
