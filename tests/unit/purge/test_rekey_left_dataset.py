"""One deployment owns a lake root; another dataset live under ``published/`` is one it left behind when
``UG_DATASET`` changed (the audit fails on it: ``other_dataset_live``). Until an operator removes it, its
files are copies of the deployment's: a key rotation re-keys them with the rest, so a later delete-all,
whose verdict is made with the new key, still reaches the customer's rows there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt
from tests.unit.purge.test_rekey_seams import NEW, _rotate_to


def test_a_dataset_left_under_the_root_is_rekeyed_and_reached_by_a_later_delete_all(lake, monkeypatch):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed-4417", "remind me to buy oat milk")
        + line("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    left = Path(lake.root, "published/assistant-sft-old")
    shutil.copytree(Path(lake.root, "published/assistant-sft"), left)  # UG_DATASET was renamed since
    assert _rotate_to(lake, monkeypatch, lake.key, NEW) == 0
    lake.key = NEW
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    ids = [u for p in left.rglob("*.parquet") for u in pq.read_table(p)["utterance_id"].to_pylist()]
    assert ids == ["u-bob"], f"the left dataset holds {ids} after zed's delete-all completed"
