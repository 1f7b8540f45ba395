"""A Parquet file under ``published/`` that no version lists (an operator's copy of a shard, a crashed
writer's leftover) is searched by every deletion, by speaker key. A key rotation re-keys it with the rest:
under the old key a delete-all's verdict (made with the new key) would never match it (review 10, F16)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt


def test_an_unlisted_published_file_is_rekeyed_and_reached_by_a_later_delete_all(lake, monkeypatch):
    from utterance_governance.cli import main
    from utterance_governance.publish.commit import read_current, read_manifest

    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed-4417", "remind me zebracornflakes")
        + line("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    manifest = read_manifest(
        lake.storage, "assistant-sft", read_current(lake.storage, "assistant-sft")["version"]
    )
    shard = Path(lake.root, "published/assistant-sft", manifest["shards"][0]["path"])
    copy = Path(lake.root, "published/assistant-sft/backup-2026-11-20/part-00000.parquet")
    copy.parent.mkdir(parents=True)
    shutil.copy(shard, copy)  # an operator's copy (or a crashed writer's leftover) nobody lists
    with monkeypatch.context() as m:
        for name, value in {**lake.env, "UG_PSEUDONYM_KEY": "the-new-key", "UG_OLD_KEY": lake.key}.items():
            m.setenv(name, value)
        assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0
    lake.key = "the-new-key"
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert "u-bob" in str(lake.storage.read_parquet(str(copy.relative_to(lake.root))).to_pylist())  # kept
    assert receipt(lake, "d1")["status"] == "completed"
    left = left_in_lake(lake, "zebracornflakes")
    assert left == [], f"receipt completed, the deleted customer's words are still in {left}"
