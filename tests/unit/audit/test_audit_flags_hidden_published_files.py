"""The audit flags a Parquet file in a dataset folder that the lake's listing leaves out by its name
(``_x.parquet``, ``.x.parquet``) or refuses (a symlink): a training job's ``**/*.parquet`` glob loads the
first and follows the second. The finding shows the path as ``shown_path`` shows it, never rows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.audit.findings import Findings
from utterance_governance.audit.publication import verify_publication
from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.publish.commit import read_current, read_manifest

WORDS = "remind me zebracornflakes"


def _live_shard(lake: Lake) -> Path:
    version = read_current(lake.storage, "assistant-sft")["version"]
    manifest = read_manifest(lake.storage, "assistant-sft", version)
    return Path(lake.root, "published/assistant-sft", manifest["shards"][0]["path"])


@pytest.mark.parametrize(
    ("how", "rule"),
    [
        ("underscore_name", "hidden_shard_file"),
        ("dot_name", "hidden_shard_file"),
        ("symlink", "refused_shard_path"),
    ],
)
def test_the_audit_flags_a_parquet_file_in_the_live_version_folder_whatever_its_name_or_link(
    lake, tmp_path, how, rule
):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-zed-1", "zed", WORDS) + line("u-bob", "bob", "what is the weather")
    )
    lake.publish()
    backup = tmp_path / "backup-part-00000.parquet"  # the shard holding zed, kept before the purge
    shutil.copy(_live_shard(lake), backup)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    lake.audit()  # clean
    folder = _live_shard(lake).parent
    # an operator "restores" the old shard into the live version's folder: a training job's glob loads it
    if how == "symlink":
        os.symlink(backup, folder / "part-restored.parquet")
    else:
        shutil.copy(backup, folder / f"{'_' if how == 'underscore_name' else '.'}part-restored.parquet")
    with pytest.raises(AuditFailed, match=rf"\({rule} 1\)"):
        lake.audit()
    check = verify_publication(lake.storage, "assistant-sft")
    assert check.findings.rules == {rule}
    (finding,) = check.findings.items
    assert "part-restored.parquet" in finding.message and WORDS not in finding.message


def test_a_hidden_file_that_is_no_parquet_is_not_flagged(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    folder = _live_shard(lake).parent
    (folder / ".DS_Store").write_bytes(b"\0\1")
    (folder / "_SUCCESS").write_bytes(b"")
    findings = verify_publication(lake.storage, "assistant-sft").findings
    assert findings.counts == Findings().counts
