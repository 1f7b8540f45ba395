"""No size cliff (issue: a batch larger than one Parquet row group could not be published).

Every file the pipeline reads back comes as one Arrow chunk per row group. With row groups of a
few dozen rows, a small generated night makes every column of every step multi-chunk — what a
night of millions of rows does with the default row groups — and must publish exactly what the
same night publishes with one chunk per file.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake

from utterance_governance.io.storage import Storage
from utterance_governance.jobs import publish as publish_job
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


def _decisions(lake: Lake) -> dict[tuple[str, str], str]:
    return {
        (d["source_file"], d["utterance_id"]): d["reason"]
        for info in lake.storage.list_files("decisions", (".parquet",))
        for d in lake.storage.read_parquet(info.path, ["source_file", "utterance_id", "reason"]).to_pylist()
    }


def test_a_night_cut_into_many_partitions_publishes_what_one_partition_publishes(
    tmp_path, sqlite_url, monkeypatch
):
    """Dedup by content, by utterance id and the shards by speaker each read one hash partition: the
    same night gives the same published rows in one partition or in many (SPEC §4 rule 5), and a
    speaker's rows of the night still sit in one shard. Every file's decisions name its duplicates,
    each read from every partition's duplicates by row group."""
    whole = _night(tmp_path, "one", sqlite_url)
    whole.publish()
    expected = _published(whole)

    policy = tmp_path / "policy.json"
    # eleven partitions (64 at 40 kB: each runs the gate, and eleven prove what 64 did)
    policy.write_text(json.dumps({"partition_bytes": 250_000, "shard_target_rows": 300}))
    cut = _night(tmp_path, "many", sqlite_url)
    cut.policy_file = str(policy)
    monkeypatch.setattr(publish_job, "_DUPLICATES_ROW_GROUP", 5)  # each partition's duplicates: many groups
    cut.publish()
    decided = _decisions(cut)
    assert decided == _decisions(whole)
    assert list(decided.values()).count("duplicate") > 20

    (gate_file,) = [f for f in cut.storage.list_files("reports", (".json",)) if f.path.endswith("/gate.json")]
    gate = json.loads(cut.storage.read_bytes(gate_file.path))
    assert gate["statistics"]["partitions"] >= 8 and gate["success"]
    assert _published(cut) == expected
    storage = cut.storage
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    shard_of: dict[str, set[str]] = {}
    for shard in manifest["shards"]:
        for key in (
            storage.read_parquet(f"published/{DATASET}/{shard['path']}", ["speaker_key"])
            .column(0)
            .to_pylist()
        ):
            shard_of.setdefault(key, set()).add(shard["path"])
    assert len(manifest["shards"]) > 3
    assert all(len(paths) == 1 for paths in shard_of.values())


def _kept(lake: Lake, folder: str) -> list[dict]:
    """The rows kept under ``folder`` (without when their file landed: each lake's own time)."""
    rows = sorted(
        (
            r
            for info in lake.storage.list_files(folder, (".parquet",))
            for r in lake.storage.read_parquet(info.path).to_pylist()
        ),
        key=lambda r: (r["source_file"], r["line"]),
    )
    return [{k: v for k, v in r.items() if k != "landed_at"} for r in rows]


def test_a_night_read_in_small_pieces_decides_what_whole_files_decide(tmp_path, sqlite_url, monkeypatch):
    """Each landing file is read, decided and staged piece by piece (what a task holds follows the
    piece, not the file): a night of JSON Lines, gzip and Parquet files read a few dozen rows or a
    few kilobytes at a time gives the same decisions, published rows, quarantine and held rows as the
    night read a file at a time."""
    from utterance_governance.io import readers

    def night(name: str) -> Lake:
        lake = Lake(str(tmp_path / name), sqlite_url.replace("store.db", f"{name}.db"))
        generate_landing(lake.root, 3_000, SEED, file_format="mixed", days=2, files_per_day=2)
        return lake

    whole = night("whole")
    whole.publish()

    pieces = night("pieces")
    monkeypatch.setattr(readers, "PIECE_ROWS", 40)
    monkeypatch.setattr(readers, "PIECE_BYTES", 8_000)
    read = []
    real = readers._finish
    monkeypatch.setattr(readers, "_finish", lambda *a: read.append(len(a[6])) or real(*a))
    pieces.publish()

    assert len(read) > 40 and max(read) <= 40 + 30, "the files were not read in pieces"
    # an id a file repeats is malformed (duplicate_id) when both lines are in one piece; in two pieces
    # it is left to the night's deduplication by id, as an id two files repeat is
    repeated = {
        (q["source_file"], q["record_id"])
        for q in _kept(whole, "quarantine/utterances")
        if q["detail"] == "duplicate_id:utterance_id"
    }
    assert repeated, "the generator repeats ids within a file"
    decided, expected = _decisions(pieces), _decisions(whole)
    assert {k: v for k, v in decided.items() if k not in repeated} == {
        k: v for k, v in expected.items() if k not in repeated
    }
    assert list(decided.values()).count("published") > 500
    assert _published(pieces) == _published(whole)
    quarantined = [
        q
        for q in _kept(pieces, "quarantine/utterances")
        if (q["source_file"], q["record_id"]) not in repeated
    ]
    assert quarantined == [
        q for q in _kept(whole, "quarantine/utterances") if (q["source_file"], q["record_id"]) not in repeated
    ]
    assert _kept(pieces, "quarantine/held") == _kept(whole, "quarantine/held") and _kept(
        whole, "quarantine/held"
    )


def test_an_utterance_id_sent_twice_with_other_content_is_published_once_across_partitions(
    tmp_path, sqlite_url
):
    """The same id in two files of a night, with different text (so in different content partitions):
    the first capture stands, the other is a duplicate, whatever the partition count."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"partition_bytes": 200}))
    lake = Lake(str(tmp_path / "lake"), sqlite_url, policy_file=str(policy))
    day = "landing/utterances/dt=2026-11-20"

    def line(uid: str, at: str, text: str) -> str:
        return json.dumps({"utterance_id": uid, "customer_id": "c-1", "captured_at": at, "locale": "en-US",
                           "transcript": text, "response": "Okay.", "asr_confidence": 0.9}) + "\n"  # fmt: skip

    lake.storage.write_bytes(f"{day}/a.jsonl", (line("u-1", "2026-11-20T10:00:00Z", "turn on the lights")
                                                + line("u-2", "2026-11-20T10:01:00Z", "play some jazz")).encode())  # fmt: skip
    lake.storage.write_bytes(f"{day}/b.jsonl", (line("u-1", "2026-11-20T09:00:00Z", "what is the weather")
                                                + line("u-3", "2026-11-20T10:02:00Z", "set an alarm")).encode())  # fmt: skip
    lake.publish()
    rows = _published(lake)
    assert [r["utterance_id"] for r in rows] == ["u-1", "u-2", "u-3"]
    assert rows[0]["messages"][0]["content"] == "what is the weather"  # the earlier capture stands
    decisions = {}
    for info in lake.storage.list_files("decisions", (".parquet",)):
        for d in lake.storage.read_parquet(info.path).to_pylist():
            decisions[(d["source_file"].rsplit("/", 1)[-1], d["utterance_id"])] = d["reason"]
    assert decisions[("a.jsonl", "u-1")] == "duplicate" and decisions[("b.jsonl", "u-1")] == "published"


@pytest.mark.parametrize(
    ("files", "limit", "units"), [(0, 3, 0), (3, 3, 3), (4, 3, 2), (7, 3, 3), (2049, 1024, 683)]
)
def test_work_units_never_outnumber_what_airflow_maps_and_keep_every_file_once(files, limit, units):
    from utterance_governance.jobs.publish import work_units

    found = work_units([{"path": f"f{i}"} for i in range(files)], limit)
    assert len(found) == units <= limit
    flat = [f for unit in found for f in (unit if isinstance(unit, list) else [unit])]
    assert [f["path"] for f in flat] == [f"f{i}" for i in range(files)]


def test_an_id_a_file_repeats_in_two_pieces_is_published_once_and_decided_so(
    tmp_path, sqlite_url, monkeypatch
):
    """Both rows were recorded ``duplicate`` (matched by id within the file), though one was live."""
    from utterance_governance.io import readers

    lake = Lake(str(tmp_path / "lake"), sqlite_url)
    rows = [{"utterance_id": f"u{i}", "customer_id": f"c{i}", "captured_at": "2026-11-20T10:00:00Z",
             "locale": "en-US", "transcript": f"what is the weather on day {i}", "response": "Sunny.",
             "asr_confidence": 0.9} for i in range(40)]  # fmt: skip
    rows.append(
        {**rows[0], "transcript": "set a timer for ten minutes", "captured_at": "2026-11-20T11:00:00Z"}
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", b"\n".join(json.dumps(r).encode() for r in rows)
    )
    monkeypatch.setattr(readers, "PIECE_BYTES", 1_000)
    lake.publish()
    decided = [
        (d["line"], d["reason"])
        for info in lake.storage.list_files("decisions", (".parquet",))
        for d in lake.storage.read_parquet(info.path).to_pylist()
        if d["utterance_id"] == "u0"
    ]
    assert sorted(decided) == [(1, "published"), (41, "duplicate")]
    assert "u0" in lake.live_ids()
