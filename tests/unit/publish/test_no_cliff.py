"""No size cliff (issue: a batch larger than one Parquet row group could not be published).

Every file the pipeline reads back comes as one Arrow chunk per row group. With row groups of a
few dozen rows, a small generated night makes every column of every step multi-chunk — what a
night of millions of rows does with the default row groups — and must publish exactly what the
same night publishes with one chunk per file.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.storage import Storage
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.publish.shards import chat_messages, shard_rows, split_turns
from utterance_governance.synth.generator import generate_landing

DATASET = "assistant-sft"
SEED = 4242


def _published(lake: Lake) -> list[dict]:
    storage = lake.storage
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    rows = []
    for shard in manifest["shards"]:
        rows += storage.read_parquet(f"published/{DATASET}/{shard['path']}").to_pylist()
    return sorted(rows, key=lambda r: r["utterance_id"])


def _night(tmp_path, name: str, store_url: str) -> Lake:
    lake = Lake(str(tmp_path / name), store_url.replace("store.db", f"{name}.db"))
    generate_landing(lake.root, 3_000, SEED, file_format="parquet", days=2, files_per_day=2, chunk_size=250)
    return lake


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/store.db"


def test_a_night_of_many_row_groups_publishes_what_one_chunk_per_file_publishes(
    tmp_path, sqlite_url, monkeypatch
):
    whole = _night(tmp_path, "whole", sqlite_url)
    whole.publish()
    expected = _published(whole)

    chunked = _night(tmp_path, "chunked", sqlite_url)
    monkeypatch.setattr(Storage, "row_group_rows", 37)
    seen_groups: list[int] = []
    real_read = Storage.read_parquet

    def read_and_count(self, rel, columns=None):
        table = real_read(self, rel, columns)
        if "/staging/" in f"/{rel}" and table.num_rows > 37:
            seen_groups.append(max(c.num_chunks for c in table.columns))
        return table

    monkeypatch.setattr(Storage, "read_parquet", read_and_count)
    chunked.publish()

    assert seen_groups and min(seen_groups) > 1, "the staged files were not read back as many chunks"
    assert len(expected) > 500
    assert _published(chunked) == expected
    shard = read_manifest(chunked.storage, DATASET, read_current(chunked.storage, DATASET)["version"])[
        "shards"
    ][0]
    assert pq.ParquetFile(chunked.storage.full(f"published/{DATASET}/{shard['path']}")).metadata.num_rows > 0


def test_chat_messages_keep_the_chunks_they_are_given():
    """Built chunk by chunk: no column is ever concatenated into one array (Arrow's 2 GiB of text
    per string array is then a limit per row group, never per night)."""
    user = pa.chunked_array([["hi", "set a timer"], ["what time is it"]])
    reply = pa.chunked_array([["hello", None], [""]])
    messages = chat_messages(user, reply)
    assert isinstance(messages, pa.ChunkedArray) and messages.num_chunks == 2
    assert messages.to_pylist() == [
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        [{"role": "user", "content": "set a timer"}],
        [{"role": "user", "content": "what time is it"}],
    ]


def test_turns_split_back_from_a_multi_chunk_shard():
    table = pa.table(
        {
            "utterance_id": pa.chunked_array([["a", "b"], ["c"]]),
            "speaker_key": pa.chunked_array([["s1", "s2"], ["s3"]]),
            "locale": pa.chunked_array([["en-US"] * 2, ["en-US"]]),
            "captured_date": pa.chunked_array([["2026-11-20"] * 2, ["2026-11-21"]]),
            "user_text": pa.chunked_array([["one", "two"], ["three"]]),
            "assistant_text": pa.chunked_array([["uno", None], ["tres"]]),
            "content_hash": pa.chunked_array([["h1", "h2"], ["h3"]]),
            "asr_confidence": pa.chunked_array([[0.9, 0.8], [0.7]]),
        }
    )
    rows = shard_rows(table)
    user, reply, well_formed = split_turns(rows)
    assert user.to_pylist() == ["one", "two", "three"]
    assert reply.to_pylist() == ["uno", None, "tres"]
    assert well_formed.tolist() == [True, True, True]
