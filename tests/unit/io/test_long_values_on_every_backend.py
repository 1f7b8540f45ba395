"""Values longer than PostgreSQL can index (a btree entry holds at most 2,704 bytes) give the same outcome on both
backends: the readers and the lake bound what the store indexes. Before, SQLite took them whole and PostgreSQL
failed: a long-id redelivery stopped the publish after its switch (its twin pair unrecorded, a listed recording
left live), a landing or privacy file at a long path stopped every publish and everyone's deletions, a delete-all
with a long request id was never carried out.

- an utterance id of more than ``MAX_UTTERANCE_ID_BYTES`` UTF-8 bytes is ``invalid_id:utterance_id``;
- a lake path of more than ``MAX_PATH_BYTES`` is refused (``path_too_long``): an utterance file is reported and
  never read, a privacy file blocks publishing as any refused privacy file does;
- a consent event's or deletion request's id of more than ``MAX_RECORD_ID_CHARS`` makes it an unreadable record.
"""

from __future__ import annotations

import json
import os
import random

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.io.readers import MAX_RECORD_ID_CHARS, MAX_UTTERANCE_ID_BYTES
from utterance_governance.io.storage import MAX_PATH_BYTES, PathRefused


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def cjk(n: int, seed: int) -> str:
    """``n`` random CJK characters (3 bytes each in UTF-8)."""
    r = random.Random(seed)
    return "".join(chr(r.randrange(0x4E00, 0x9FA0)) for _ in range(n))


def deep(seed: int) -> str:
    """Twelve folders of 80 CJK characters (240 bytes each, under any file system's 255): about 2.9 KB."""
    return "/".join(cjk(80, seed * 100 + i) for i in range(12))


def _upstream_writes(lake: Lake, rel: str, data: bytes) -> None:
    """A file upstream put in the lake (the lake itself refuses to write at such a path)."""
    path = os.path.join(lake.root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def _report(lake: Lake, name: str) -> list[dict]:
    (path,) = [i.path for i in lake.storage.list_files("reports", (".json",)) if i.path.endswith(name)][-1:]
    return json.loads(lake.storage.read_bytes(path))


def test_a_recording_sent_twice_under_ids_at_the_bound_is_twinned_and_a_listing_reaches_it(lake):
    """Ids of ``MAX_UTTERANCE_ID_BYTES`` bytes: the pair is kept, and a listing naming the redelivered id takes
    the live row down."""
    first = "a" + cjk((MAX_UTTERANCE_ID_BYTES - 1) // 3, 1)
    again = "b" + cjk((MAX_UTTERANCE_ID_BYTES - 1) // 3, 2)
    words = "remind me about the quokka"
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(first, "zed-cust-7", words)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {first, "u-bob"}
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             line(again, "zed-cust-7", words, captured_at="2026-11-21T10:00:00Z"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl",
        deletion("req-1", "zed-cust-7", scope="utterances", utterance_ids=[again]),
    )
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}


def test_an_utterance_id_of_more_bytes_than_the_bound_is_no_id(lake):
    """512 characters (the bound in characters) of CJK are 1,536 bytes: malformed, on both backends."""
    long = "a" + cjk(511, 1)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(long, "zed-cust-7", "remind me about the quokka")
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    published = lake.publish()
    assert lake.live_ids() == {"u-bob"}
    assert published["counts"]["malformed"] == 1


def test_the_lake_refuses_to_write_at_a_path_too_long():
    assert MAX_PATH_BYTES == 1024  # S3's own bound on a key


def test_a_landing_file_at_a_long_path_is_refused_and_the_night_is_published(lake):
    with pytest.raises(PathRefused):
        lake.storage.write_bytes(f"{DT}/{deep(1)}/a.jsonl", b"")
    _upstream_writes(
        lake, f"{DT}/{deep(1)}/a.jsonl", line("u-zed", "zed-cust-7", "remind me about the quokka")
    )
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-bob", "bob-cust-11", "what is the weather in paris"))
    lake.publish()
    assert lake.live_ids() == {"u-bob"}
    assert [r["reason"] for r in _report(lake, "refused_inputs.json")] == ["path_too_long"]
    lake.publish()  # and again: the file stops nothing
    assert lake.live_ids() == {"u-bob"}


@pytest.mark.parametrize("readable", [True, False], ids=["readable", "broken-line"])
def test_a_privacy_file_at_a_long_path_blocks_publishing_and_stops_no_other_deletion(lake, readable):
    """A refused privacy file may hold anyone's deletion: publishing is blocked until it is acknowledged (as a
    symlink is), and bob's delete-all in another file is carried out in the same run."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "zed-cust-7", "remind me about the quokka")
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    body = deletion("req-zed", "zed-cust-7") if readable else b'{"request_id": "req-zed", "customer_id": \n'
    _upstream_writes(lake, f"landing/deletions/{deep(2)}/d.jsonl", body)
    lake.storage.write_bytes("landing/deletions/bob.jsonl", deletion("req-bob", "bob-cust-11"))
    lake.privacy(check_deadlines=False)
    assert "u-bob" not in lake.live_ids()
    assert receipt(lake, "req-bob")["status"] == "completed"
    with lake.store() as store:
        blocking = [q for q in store.privacy_quarantine() if q["customer_id"] is None]
    assert [q["detail"].split(" ")[0] for q in blocking] == ["refused_path:path_too_long"]
    assert all(len(q["source_file"].encode()) <= MAX_PATH_BYTES for q in blocking)


@pytest.mark.parametrize("kind", ["deletion", "consent"])
def test_a_privacy_record_with_an_id_longer_than_the_bound_is_unreadable_on_every_backend(lake, kind):
    """Its customer is held (nothing of theirs published meanwhile), as an unreadable record's is."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "zed-cust-7", "remind me about the quokka")
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    long = "req-" + "x" * MAX_RECORD_ID_CHARS
    if kind == "deletion":
        lake.storage.write_bytes("landing/deletions/d.jsonl", deletion(long, "zed-cust-7"))
    else:
        event = {"event_id": long, "customer_id": "zed-cust-7", "purpose": "model_training", "status": "opted_out",
                 "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z"}  # fmt: skip
        lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(event).encode() + b"\n")
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}
    with lake.store() as store:
        held = [q for q in store.privacy_quarantine() if q["customer_id"] == "zed-cust-7"]
    assert [q["detail"] for q in held] == [f"invalid_id:{'request_id' if kind == 'deletion' else 'event_id'}"]
