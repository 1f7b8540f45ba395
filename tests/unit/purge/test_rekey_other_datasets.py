"""A lake root may hold more than one dataset (``published/<dataset>/``, SPEC §6), each published and
rotated by its own deployment with its own key. Rotating one dataset's key re-keys that dataset and the
copies it keeps; another dataset's live shards are not its copies: re-keying them under a map made for
this dataset's customers would remove every row whose key it cannot explain (all of them, under another
key) and break that dataset's checksums (review 12's suspicion)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tests.unit.purge.test_every_copy_edges import DT, line


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rotate(lake, monkeypatch) -> None:
    from utterance_governance.cli import main

    with monkeypatch.context() as m:
        for name, value in {**lake.env, "UG_PSEUDONYM_KEY": "the-new-key", "UG_OLD_KEY": lake.key}.items():
            m.setenv(name, value)
        assert main(["rekey", "--old-key-env", "UG_OLD_KEY"]) == 0
    lake.key = "the-new-key"


def _publish_two_datasets(lake) -> Path:
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed-4417", "remind me to buy oat milk")
        + line("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    ours, theirs = Path(lake.root, "published/assistant-sft"), Path(lake.root, "published/other-sft")
    shutil.copytree(ours, theirs)  # another deployment's dataset on the same root
    return theirs


def test_another_datasets_shards_under_the_same_key_are_left_as_they_are(lake, monkeypatch):
    theirs = _publish_two_datasets(lake)
    before = _digests(theirs)
    _rotate(lake, monkeypatch)
    assert lake.live_ids() == {"u-zed-1", "u-bob"}  # ours: re-keyed, every row kept
    assert _digests(theirs) == before, "a rotation of assistant-sft rewrote other-sft's files"


def test_another_datasets_shards_under_another_key_keep_their_rows(lake, monkeypatch):
    theirs = _publish_two_datasets(lake)
    for shard in theirs.rglob("*.parquet"):  # keyed by the other deployment's own key: none ours explains
        table = pq.read_table(shard)
        keys = pa.array(
            [hashlib.sha256(b"other" + k.encode()).hexdigest() for k in table["speaker_key"].to_pylist()]
        )
        pq.write_table(
            table.set_column(table.schema.get_field_index("speaker_key"), "speaker_key", keys), shard
        )
    before = _digests(theirs)
    _rotate(lake, monkeypatch)
    assert _digests(theirs) == before, "a rotation of assistant-sft removed other-sft's rows as unexplained"
