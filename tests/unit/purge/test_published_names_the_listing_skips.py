"""Under ``published/`` a file named ``_x.parquet`` or ``.x.parquet``, and a symlink, are left out of the
lake's listing by their name. Hugging Face ``datasets`` (SPEC §6's loader) loads ``_part.parquet`` with a
``**/*.parquet`` glob and follows symlinks: the copies purge searches such a Parquet file like any other
shard file no version lists, and a symlink it cannot read keeps the receipt open, named in the problems."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.publish.commit import read_current, read_manifest

WORDS = "remind me zebracornflakes"


def _live_shard(lake: Lake) -> Path:
    version = read_current(lake.storage, "assistant-sft")["version"]
    manifest = read_manifest(lake.storage, "assistant-sft", version)
    return Path(lake.root, "published/assistant-sft", manifest["shards"][0]["path"])


def _publish_zed_and_bob(lake: Lake) -> Path:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-zed-1", "zed", WORDS) + line("u-bob", "bob", "what is the weather")
    )
    lake.publish()
    return _live_shard(lake)


@pytest.mark.parametrize("name", ["_restored-part-00000.parquet", ".restored-part-00000.parquet"])
def test_a_shard_copy_named_with_an_underscore_or_a_dot_loses_the_deleted_rows(lake, name):
    shard = _publish_zed_and_bob(lake)
    # an operator's (or a tool's) copy beside the shards, in a name HF datasets loads with **/*.parquet
    shutil.copy(shard, shard.parent / name)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []
    assert (shard.parent / name).exists()  # the other customer's row stays in it (the audit names the file)


def test_a_symlink_under_published_keeps_the_receipt_open_named_in_the_problems(lake, tmp_path):
    shard = _publish_zed_and_bob(lake)
    backup = tmp_path / "backup-part-00000.parquet"  # outside the lake: a loader follows the link there
    shutil.copy(shard, backup)
    os.symlink(backup, shard.parent / "part-restored.parquet")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    result = lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] != "completed"
    assert any("part-restored.parquet" in p and "symlink" in p for p in result["copies"]["problems"])
    (shard.parent / "part-restored.parquet").unlink()  # the operator removes it: the next run completes
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"


def test_a_symlink_under_published_after_a_completed_deletion_fails_the_run_loudly(lake, tmp_path):
    """A receipt completed before the link came cannot be taken back: the run fails at its end, naming the
    path as a copy no search can read, as a late file in another encoding does."""
    from utterance_governance.purge.receipts import CopiesUnsearchable

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me zebracornflakes"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    outside = tmp_path / "backup.parquet"
    outside.write_bytes(b"PAR1")
    os.symlink(outside, lake.storage.full("published/assistant-sft/restored.parquet"))
    with pytest.raises(CopiesUnsearchable, match=r"restored\.parquet"):
        lake.privacy()
