"""The batch's two dedups (content, then id) and its partitioning agree with one another (review of 2026-12-07):
a row the content dedup took as a duplicate of a copy the id dedup then took out waits for the next run, as a
twin of a row taken out under the lock does; and a tie between two copies of one id at one capture time is
broken by what they hold, not by the partition layout."""

from __future__ import annotations

import json

from tests.pipeline import Lake

from utterance_governance.publish.commit import read_current, read_manifest

DATASET = "assistant-sft"
DAY = "landing/utterances/dt=2026-11-20"
T = "2026-11-20T10:00:00Z"


def row(uid, customer, text, at=T, **extra) -> dict:
    return {
        "utterance_id": uid,
        "customer_id": customer,
        "captured_at": at,
        "locale": "en-US",
        "transcript": text,
        "response": "Done.",
        "asr_confidence": 0.9,
        **extra,
    }


def jl(rows) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def published(lake: Lake) -> list[dict]:
    storage = lake.storage
    current = read_current(storage, DATASET)
    if current is None:
        return []
    manifest = read_manifest(storage, DATASET, current["version"])
    rows = []
    for shard in manifest["shards"]:
        rows += storage.read_parquet(f"published/{DATASET}/{shard['path']}").to_pylist()
    return sorted(rows, key=lambda r: r["utterance_id"])


def decisions(lake: Lake) -> dict:
    out = {}
    for info in lake.storage.list_files("decisions", (".parquet",)):
        for d in lake.storage.read_parquet(info.path).to_pylist():
            out[(d["source_file"].rsplit("/", 1)[-1], d["line"], d["utterance_id"])] = d["reason"]
    return out


def tiny_policy(tmp_path, **extra) -> str:
    path = tmp_path / "tiny_policy.json"
    path.write_text(json.dumps({"partition_bytes": 150, "shard_target_rows": 2, **extra}))
    return str(path)


def lakes(tmp_path, name="n"):
    whole = Lake(str(tmp_path / f"{name}-whole"), f"sqlite:///{tmp_path}/{name}-whole.db")
    cut = Lake(
        str(tmp_path / f"{name}-cut"),
        f"sqlite:///{tmp_path}/{name}-cut.db",
        policy_file=tiny_policy(tmp_path),
    )
    return whole, cut


def _texts(lake: Lake) -> dict[str, str]:
    return {r["utterance_id"]: r["messages"][0]["content"] for r in published(lake)}


def test_a_duplicate_of_a_copy_the_id_dedup_took_out_waits_and_is_published_next_night(tmp_path):
    """y-1 (customer c-2) says what x-1's later copy says; x-1's earlier copy (other words) wins the id dedup.
    y-1's content goes live nowhere: it is held (a twin of what does not go live) and the next run publishes it.
    Before: y-1 was decided ``duplicate`` and its file processed: lost for good."""
    lake = Lake(str(tmp_path / "l"), f"sqlite:///{tmp_path}/l.db")
    lake.storage.write_bytes(f"{DAY}/a.jsonl", jl([
        row("x-1", "c-1", "turn on the kitchen lights", at="2026-11-20T10:00:00Z")]))  # fmt: skip
    lake.storage.write_bytes(f"{DAY}/b.jsonl", jl([
        row("y-1", "c-2", "turn on the kitchen lights", at="2026-11-20T11:00:00Z"),
        row("x-1", "c-1", "set a timer for pasta", at="2026-11-20T09:00:00Z")]))  # fmt: skip
    counts = lake.publish()["counts"]
    assert lake.live_ids() == {"x-1"}
    assert decisions(lake)[("b.jsonl", 1, "y-1")] == "held_back"
    assert (counts["published"], counts["duplicate"], counts["held_back"]) == (1, 1, 1)
    lake.publish()
    assert lake.live_ids() == {"x-1", "y-1"}
    assert _texts(lake) == {"x-1": "set a timer for pasta", "y-1": "turn on the kitchen lights"}


def test_an_id_sent_twice_at_one_capture_time_publishes_the_same_copy_in_any_partitioning(tmp_path):
    """Two files give the same ids at the same capture time with different words. Before: the copy published
    followed the row order of the staged partition files (content partition, then keyed file digest), so it
    changed with ``partition_bytes`` and the pseudonym key."""
    whole, cut = lakes(tmp_path)
    a = [row(f"u{i}", f"c{i}", f"first version of request {i}") for i in range(8)]
    b = [row(f"u{i}", f"c{i}", f"second version of request {i}") for i in range(8)]
    for lake in (whole, cut):
        lake.storage.write_bytes(f"{DAY}/a.jsonl", jl(a))
        lake.storage.write_bytes(f"{DAY}/b.jsonl", jl(b))
    whole.publish()
    cut.publish()
    assert len(_texts(whole)) == 8
    assert _texts(cut) == _texts(whole)
