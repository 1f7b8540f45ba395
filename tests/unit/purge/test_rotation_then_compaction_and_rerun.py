"""A key rotation wrote its shards with a nullable ``speaker_key`` (the column set by name): a night's shards
have it not-null, and the next compaction, and any second rotation, failed on the two schemas, every night.
A rotation that failed before its switch (a storage error) left its mark, and running `ug rekey` again with
the same keys, as the refusal said to, was refused too: no receipt completed and nothing published until
someone removed the mark by hand. SQLite and PostgreSQL, through the DAGs' steps and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt
from tests.unit.purge.test_rekey_seams import _rotate_to

from utterance_governance.jobs import publish as publish_mod
from utterance_governance.purge import rekey as rekey_mod

WEATHER = "what is the weather in lisbon"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"compaction_fanout": 2, "shard_target_rows": 2}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))


def night(lake: Lake, day: str, rows: list[tuple[str, str, str]]) -> None:
    lake.storage.write_bytes(
        f"landing/utterances/dt={day}/{rows[0][0]}.jsonl",
        b"".join(line(uid, customer, text, captured_at=f"{day}T10:00:00Z") for uid, customer, text in rows),
    )
    lake.publish()


def rotate(lake: Lake, monkeypatch, new: str) -> int:
    rc = _rotate_to(lake, monkeypatch, lake.key, new)
    if rc == 0:
        lake.key = new
    return rc


def compact(lake: Lake) -> dict:
    with lake._environment():
        return publish_mod.compact(lake.context("utterances_publish"))


def test_a_rotations_shards_have_the_shard_schema_and_compact_with_a_nights(lake, monkeypatch):
    night(lake, "2026-11-18", [("u1", "amy", WEATHER), ("u2", "bob", "set a timer for ten minutes")])
    assert rotate(lake, monkeypatch, "the-new-key") == 0
    shards = sorted(
        Path(lake.storage.root_url.removeprefix("file://")).glob("published/*/v*/shards/*.parquet")
    )
    assert shards and not any(pq.read_schema(p).field("speaker_key").nullable for p in shards)
    for day, uid in (("2026-11-19", "u3"), ("2026-11-20", "u4")):
        night(lake, day, [(uid, "amy", f"turn the lights off in room {uid}")])
        compact(lake)  # (raised ArrowInvalid: "Schema at index 1 was different", every night)
    assert lake.live_ids() == {"u1", "u2", "u3", "u4"}
    lake.audit()


def test_a_second_rotation_after_a_night_on_the_first(lake, monkeypatch):
    night(lake, "2026-11-18", [("u1", "amy", WEATHER), ("u2", "bob", "set a timer for ten minutes")])
    assert rotate(lake, monkeypatch, "the-new-key") == 0
    night(lake, "2026-11-19", [("u3", "amy", "turn the lights off please")])
    assert rotate(lake, monkeypatch, "the-third-key") == 0
    assert lake.live_ids() == {"u1", "u2", "u3"}
    lake.audit()


def test_a_rotation_that_failed_before_its_switch_is_done_over_by_the_same_command(lake, monkeypatch):
    night(lake, "2026-11-18", [("u1", "amy", WEATHER), ("u2", "bob", "set a timer for ten minutes")])
    with monkeypatch.context() as m:

        def storage_gone(*args, **kwargs):
            raise OSError("object store: connection reset")

        m.setattr(rekey_mod, "_live_rows", storage_gone)
        with pytest.raises(OSError):
            _rotate_to(lake, monkeypatch, lake.key, "the-new-key")
    assert rotate(lake, monkeypatch, "the-new-key") == 0  # (was refused: "a key rotation is under way")
    assert not [f for f in lake.storage.list_files("staging") if "_in_flight" in f.path]  # every mark gone
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "bob"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    night(lake, "2026-11-19", [("u3", "cat", "play some jazz")])
    assert lake.live_ids() == {"u1", "u3"}
    lake.audit()
