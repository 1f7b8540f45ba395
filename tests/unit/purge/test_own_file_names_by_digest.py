"""The lake's own files named after a landing file (``quarantine/``, ``decisions/``, ``staging/``) kept the
landing path's shown form in their names (review 14b, F06): ``<flattened path>.<keyed digest>``, masked only
where a ``customer_id=`` folder names the customer. An export per customer names them in the *file* name
(``dt=…/zed-4417.jsonl``); a delete-all emptied those files and kept them, named after the customer, with the
receipt completed. They are named by the keyed digest alone now; the files an older release named with the
path are still found by that name (a landing file read again replaces them), and the copies purge renames
them to the digest alone."""

from __future__ import annotations

import json
import os
import posixpath

from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.jobs.publish import _flat_name
from utterance_governance.purge.traces import name_digest

ZED = f"{DT}/zed-4417.jsonl"
BOB = f"{DT}/bob.jsonl"
# an unreadable consent record of zed's: zed is held back, their readable rows wait in quarantine/held/
HOLD = {"event_id": "e1", "purpose": "model_training", "status": "maybe", "customer_id": "zed-4417",
        "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip


def _named_after(lake, word: str) -> list[str]:
    """The files outside ``landing/`` (upstream's names, not the pipeline's) whose name holds ``word``."""
    named = (os.path.relpath(os.path.join(folder, name), lake.root)
             for folder, _, names in os.walk(lake.root) for name in names if word in name)  # fmt: skip
    return sorted(path for path in named if not path.startswith("landing"))


def _own_files(lake) -> list[str]:
    return sorted(
        i.path for prefix in ("quarantine", "decisions", "staging") for i in lake.storage.list_files(prefix)
    )


def _as_an_older_release_named_them(lake, paths: list[str]) -> list[str]:
    """Every file of the lake named by the digest of one of ``paths`` renamed as an older release named it:
    the path's shown form flattened, then the digest."""
    renamed = []
    for path in paths:
        digest = name_digest(lake.key.encode(), path)
        for rel in _own_files(lake):
            folder, name = posixpath.split(rel)
            if digest in name:
                older = posixpath.join(folder, name.replace(digest, f"{_flat_name(path)}.{digest}"))
                lake.storage.write_bytes(older, lake.storage.read_bytes(rel))
                lake.storage.remove(rel)
                renamed.append(older)
    return renamed


def _zeds_export_with_a_broken_line(lake, *more: bytes) -> None:
    lake.storage.write_bytes(ZED, line("u-zed-1", "zed-4417", "what is the weather")
                             + b'{"utterance_id": "u-zed-2", "customer_id": "zed-4417", "broken\n' + b"".join(more))  # fmt: skip


def test_a_delete_all_leaves_no_pipeline_file_named_after_the_customer(lake):
    _zeds_export_with_a_broken_line(lake)
    lake.storage.write_bytes(BOB, line("u-bob", "bob", "set a timer"))
    lake.publish()
    assert _own_files(lake)  # (its quarantine and decisions)
    assert _named_after(lake, "zed-4417") == []  # named by the digest alone from the start
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert _named_after(lake, "zed-4417") == []


def test_the_copies_purge_renames_the_files_an_older_release_named_after_the_customer(lake):
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(HOLD).encode() + b"\n")
    _zeds_export_with_a_broken_line(lake)
    lake.storage.write_bytes(BOB, line("u-bob", "bob", "set a timer") + b'{"broken bob\n')
    lake.publish()
    renamed = _as_an_older_release_named_them(lake, [ZED, BOB])
    assert any(p.startswith("quarantine/held/") for p in _named_after(lake, "zed-4417"))
    assert any(p.startswith("quarantine/utterances/") for p in _named_after(lake, "zed-4417"))
    before = _own_files(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert _named_after(lake, "zed-4417") == []
    assert _named_after(lake, "bob.jsonl") == []  # every name an older release gave goes
    after = _own_files(lake)
    assert len(after) == len(before) and set(after) - set(before), renamed  # renamed, none lost
    assert left_in_lake(lake, "broken bob")  # bob's quarantined line kept, under its digest
    assert [p for p in left_in_lake(lake, "u-zed-2") if not p.startswith("landing/")] == []


def test_a_landing_file_read_again_replaces_the_copies_an_older_release_named_after_it(lake):
    """Its held rows and quarantined lines under the older name are replaced, not kept beside the new ones
    (held twice, decided twice once released)."""
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(HOLD).encode() + b"\n")
    _zeds_export_with_a_broken_line(lake)
    lake.publish()
    assert _as_an_older_release_named_them(lake, [ZED])
    _zeds_export_with_a_broken_line(lake, line("u-zed-3", "zed-4417", "lights on"))  # rewritten upstream
    lake.publish()
    digest = name_digest(lake.key.encode(), ZED)
    assert [p for p in _own_files(lake) if p.startswith(("quarantine/held/", "quarantine/utterances/"))] == [
        f"quarantine/held/{digest}.parquet",
        f"quarantine/utterances/{digest}.parquet",
    ]
    held = lake.storage.read_parquet(f"quarantine/held/{digest}.parquet")
    assert sorted(held.column("utterance_id").to_pylist()) == ["u-zed-1", "u-zed-3"]
