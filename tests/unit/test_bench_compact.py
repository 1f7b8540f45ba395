"""`make bench`'s compaction bench (bench/bench_compact.py) compares what it claims to: the same nights
published into two lakes, one compacted, the median customer purged from a copy of each, and its last
line in the format docs/publishing.md quotes; nothing left in the temporary folder."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

from bench import bench_compact

pytestmark = pytest.mark.slow


def test_the_compacted_lake_purges_a_customer_from_fewer_shards(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    argv = ["bench_compact.py", "--nights", "6", "--rows", "3000", "--customers", "400", "--checkpoints", "6",
            "--fanout", "3"]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    assert bench_compact.main() == 0
    out = capsys.readouterr().out.strip().splitlines()
    night = next(line for line in out if line.startswith("night   6"))
    compacted, plain = (int(n) for n in re.findall(r"(\d+) shards in", night))
    assert compacted < plain  # six nights: in up to six shards without compaction, two merged batches with
    assert "batches {'level_1': 2}" in night
    assert re.fullmatch(
        r"bench_compact: 6 nights, purge [0-9.]+ s compacted, [0-9.]+ s not, ratio [0-9.]+, "
        r"compaction [0-9]+% of publishing",
        out[-1],
    )
    assert list(Path(tmp_path).iterdir()) == []  # the lakes and their copies removed
