"""`make bench`'s pipeline (bench/bench.py) measures the nightly path it claims to: the night cut
into partitions between worker processes decides, deduplicates and publishes what one process
holding the whole night would, loses no row, and leaves nothing in the temporary folder."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from bench import bench
from utterance_governance.decide import decide_file
from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.policy import Policy
from utterance_governance.rules.duplicate import capture_order, duplicate_mask
from utterance_governance.settings import DEV_PSEUDONYM_KEY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench-lake")
    bench.ensure_lake(root, 6_000)
    return root


def _whole_night(root) -> int:
    """The rows published when one process holds the night: decided publishable, then deduplicated."""
    state, _ = bench._privacy_state(root)
    tables = []
    for rel in bench._landing(root):
        read = read_landing_file(Storage(str(root)), rel, "utterances")
        decided = decide_file(
            read, state, Policy(), datetime(2026, 11, 26, tzinfo=UTC), DEV_PSEUDONYM_KEY.encode()
        )
        tables.append(decided.publishable)
    night = pa.concat_tables(tables)
    _, rank = capture_order(night)
    dup = duplicate_mask(night.column("content_hash"), rank)
    return int(np.count_nonzero(~dup))


def test_partitioned_bench_publishes_what_the_whole_night_would(lake, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = bench.run_pipeline(lake, workers=2)

    unique = _whole_night(lake)
    assert result["partitions"] >= 2
    assert result["rows"] == 6_000
    assert sum(result["counts"].values()) == result["rows"]  # every row has one decision
    assert result["counts"]["duplicate"] > 0  # the generated night repeats itself: dedup is exercised
    assert result["published"] == result["counts"]["published"] == unique
    assert result["gate_success"] is True
    assert result["shards"] >= result["partitions"]
    assert list(tmp_path.iterdir()) == []  # staging and shards removed
