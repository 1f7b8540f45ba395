"""A privacy file at a path longer than ``MAX_PATH_BYTES``, acknowledged once, blocks publishing again when the
next export puts new content at the same path (its version is read without reading the file:
``Storage.version_of_refused``)."""

from __future__ import annotations

import os
import random

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line

from utterance_governance.jobs.publish import PublishingBlocked


def _cjk(n: int, seed: int) -> str:
    r = random.Random(seed)
    return "".join(chr(r.randrange(0x4E00, 0x9FA0)) for _ in range(n))


def _deep() -> str:
    """Twelve folders of 80 CJK characters (240 bytes each): about 2.9 KB, over the 1,024-byte bound."""
    return "/".join(_cjk(80, 200 + i) for i in range(12))


def _upstream_writes(lake: Lake, rel: str, data: bytes) -> None:
    path = os.path.join(lake.root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")


@pytest.mark.parametrize(
    "name",
    [
        "landing/deletions/export.json",  # refused_path:unsupported_name (control: holds)
        f"landing/deletions/{_deep()}/d.jsonl",  # refused_path:path_too_long
    ],
    ids=["unsupported_name", "path_too_long"],
)
def test_a_refused_privacy_file_acknowledged_then_replaced_by_new_content_blocks_again(lake, name):
    """Expected (``jobs.publish._versioned``: "a file acknowledged once and replaced by new content at the same
    path (the next export) blocks again"): after the acknowledged file is replaced upstream by zed's delete-all,
    the next publish is blocked (PublishingBlocked), as it is for a refused file of another reason.
    Actual for ``path_too_long``: ``_versioned`` asks ``storage.info`` of the path, which the lake refuses
    (PathRefused is an OSError), so the detail carries no file version; the new content's row equals the
    acknowledged one and the night publishes zed's new rows, their delete-all never read."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob-cust-11", "what is the weather in paris"))
    _upstream_writes(
        lake, name, deletion("req-old", "bob-cust-11", scope="utterances", utterance_ids=["u-none"])
    )
    with pytest.raises(PublishingBlocked):
        lake.publish()
    with lake.store() as store:  # on call checked the file: nothing of anyone's in it
        store.acknowledge_privacy_quarantine([q["id"] for q in store.privacy_quarantine()], by="on call")
    lake.publish()
    assert lake.live_ids() == {"u-bob"}
    # the next export at the same path: zed's delete-all
    _upstream_writes(lake, name, deletion("req-zed", "zed-cust-7"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl",
                             line("u-zed", "zed-cust-7", "remind me about the quokka"))  # fmt: skip
    with pytest.raises(PublishingBlocked):
        lake.publish()
    assert "u-zed" not in lake.live_ids()
