"""A privacy file in a folder the pipeline does not read (``landing/deletion/``, ``landing/Deletions/``,
or at ``landing/`` itself) may be anyone's deletion or opt-out: never read, it blocks publishing as a
refused privacy file does, until it is moved where it belongs and the block acknowledged."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line

from utterance_governance.jobs.publish import PublishingBlocked

DT = "landing/utterances/dt=2026-11-20"


@pytest.mark.parametrize("name", ["landing/deletion/d.jsonl", "landing/Deletions/d.jsonl", "landing/d.jsonl",
                                  "landing/deletions_2026/x/d.jsonl"])  # fmt: skip
def test_a_privacy_file_in_a_folder_never_read_blocks_publishing_until_moved_and_acknowledged(lake, name):
    _blocks_until_moved_and_acknowledged(lake, name, "refused_path:unknown_folder")


def _blocks_until_moved_and_acknowledged(lake, name: str, reason: str) -> None:
    """zed's delete-all at ``name`` blocks publishing (``reason``); moved where it belongs and the block
    acknowledged, it is read there and zed's row is deleted."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "play jazz"))
    lake.storage.write_bytes(name, deletion("d1", "zed-4417"))
    with pytest.raises(PublishingBlocked, match=reason):
        lake.publish()
    assert "u-zed-1" not in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", lake.storage.read_bytes(name))
    lake.storage.remove(name)
    with lake.store() as store:
        store.acknowledge_privacy_quarantine([q["id"] for q in store.privacy_quarantine()], by="on call")
    lake.publish()
    assert "u-zed-1" not in lake.live_ids()  # read where it belongs: deleted


def test_an_empty_marker_or_a_hidden_file_at_landing_blocks_nothing(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "play jazz"))
    lake.storage.write_bytes("landing/_SUCCESS", b"")
    lake.storage.write_bytes("landing/.keep", b"x")
    lake.publish()
    assert "u-bob" in lake.live_ids()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("landing/utterances/deletions.jsonl", "outside_partition"),
        ("landing/utterances/2026-11-25/d.jsonl", "outside_partition"),
        (f"{DT}/deletions.json", "unsupported_name"),
    ],
)
def test_a_file_no_night_reads_under_the_utterances_folder_blocks_until_moved_and_acknowledged(
    lake, name, reason
):
    """Under ``landing/utterances/`` too: outside a ``dt=`` partition, or a name the reader does not take,
    a file is never read (it used to be reported and publishing went on: a delete-all exported under the
    wrong prefix let its customer's words be published)."""
    _blocks_until_moved_and_acknowledged(lake, name, f"refused_path:{reason}")


def test_a_writers_marker_or_checksum_beside_the_utterances_blocks_nothing(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "play jazz"))
    lake.storage.write_bytes(f"{DT}/_SUCCESS", b"")
    lake.storage.write_bytes(f"{DT}/.a.jsonl.crc", b"crc\x00\x01")
    lake.publish()
    assert "u-bob" in lake.live_ids()
