"""The lake's own file names carried an unkeyed digest of the landing path (review 13, F9):
``jobs.publish._file_key`` named the staging, decisions, quarantine and held files ``<shown path>.<sha256(path)[:16]>``
and ``purge.copies.Removals`` its notes ``<attempt>-<sha256(path)[:16]>.json``. For an export partitioned by
customer the path is a known template plus the customer id, so the digest was a hash of the id anyone listing
the lake could test guesses against, left after the customer's delete-all. The digest is keyed with the
pseudonym key now (``traces.name_digest``); the files an older release named with the unkeyed digest are still
found by it (a landing file read again replaces its copies under either name), and a key rotation renames both
kinds to the new key's names."""

from __future__ import annotations

import hashlib
import os

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path}/store.db")


def test_no_file_name_is_an_unkeyed_hash_of_a_deleted_customers_path(lake):
    path = f"{DT}/customer_id=zed-4417/part-00000.jsonl"
    lake.storage.write_bytes(path, line("u-1", "zed-4417", "remind me zebra") + b'{"broken\n')
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-3", "bob", "what is the weather"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    # what anyone can compute from a guessed customer id, without the deployment's key
    guessable = hashlib.sha256(path.encode()).hexdigest()[:16]
    named = sorted(
        os.path.relpath(os.path.join(folder, name), lake.root)
        for folder, _, names in os.walk(lake.root)
        for name in names
        if guessable in name and not os.path.relpath(folder, lake.root).startswith("landing")
    )
    assert named == []


HIVE = f"{DT}/customer_id=zed-4417/part-00000.jsonl"
CONSENT = {"event_id": "e1", "purpose": "model_training", "status": "maybe", "customer_id": "zed-4417",
           "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip


def _named(lake, digest: str) -> list[str]:
    return sorted(
        i.path for i in lake.storage.list_files("") if digest in i.path and not i.path.startswith("landing")
    )


def _as_an_older_release_named_them(lake, key: str) -> list[str]:
    """Every file named after ``HIVE`` renamed to the name an older release gave it: the path's shown form
    flattened, then its unkeyed digest."""
    from utterance_governance.jobs.publish import _flat_name
    from utterance_governance.purge.traces import name_digest, unkeyed_name_digest

    keyed, unkeyed = name_digest(key.encode(), HIVE), unkeyed_name_digest(HIVE)
    renamed = []
    for rel in _named(lake, keyed):
        older = rel.replace(keyed, f"{_flat_name(HIVE)}.{unkeyed}")
        lake.storage.write_bytes(older, lake.storage.read_bytes(rel))
        lake.storage.remove(rel)
        renamed.append(older)
    return renamed


def test_a_landing_file_read_again_replaces_the_copies_an_older_release_named_unkeyed(lake):
    """Its malformed lines' quarantine and its held rows (an unreadable consent record holds zed) were named with
    the unkeyed digest: read again (rewritten upstream), the file's copies are written under the keyed name and
    the unkeyed ones go; had they stayed, the held rows would wait twice and be decided twice once released."""
    import json

    from utterance_governance.purge.traces import name_digest, unkeyed_name_digest

    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(CONSENT).encode() + b"\n")
    lake.storage.write_bytes(HIVE, line("u-1", "zed-4417", "remind me zebra") + b'{"broken\n')
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-3", "bob", "what is the weather"))
    lake.publish()
    renamed = _as_an_older_release_named_them(lake, lake.key)
    assert any(p.startswith("quarantine/held/") for p in renamed)
    assert any(p.startswith("quarantine/utterances/") for p in renamed)
    lake.storage.write_bytes(HIVE, line("u-1", "zed-4417", "remind me zebra") + b'{"broken\n'
                             + line("u-2", "zed-4417", "zebra two"))  # fmt: skip
    lake.publish()
    quarantined = [
        p for p in _named(lake, "") if p.startswith(("quarantine/held/", "quarantine/utterances/"))
    ]
    keyed = name_digest(lake.key.encode(), HIVE)
    assert sorted(p.split("/")[1] for p in quarantined) == ["held", "utterances"], quarantined
    assert all(keyed in p for p in quarantined)
    assert [p for p in _named(lake, unkeyed_name_digest(HIVE)) if p.startswith("quarantine/")] == []
    (held,) = [p for p in quarantined if p.startswith("quarantine/held/")]
    assert sorted(lake.storage.read_parquet(held).column("utterance_id").to_pylist()) == ["u-1", "u-2"]


def test_a_rotation_renames_every_file_named_after_a_path_and_a_later_delete_all_reaches_them(
    lake, monkeypatch
):
    from tests.unit.purge.test_rekey_seams import NEW, _rotate

    from utterance_governance.purge.traces import name_digest, unkeyed_name_digest

    lake.storage.write_bytes(HIVE, line("u-1", "zed-4417", "remind me zebra") + b'{"broken\n')
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-3", "bob", "what is the weather"))
    lake.publish()
    old = lake.key
    assert _named(lake, name_digest(old.encode(), HIVE))
    _as_an_older_release_named_them(lake, old)  # (some named by an older release, unkeyed)
    lake.storage.write_bytes(f"{DT}/b.jsonl", line("u-4", "bob", "lights on") + b'{"broken too\n')
    lake.publish()
    before = len(_named(lake, ""))
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    for path in (HIVE, f"{DT}/b.jsonl"):
        assert _named(lake, name_digest(old.encode(), path)) == []
        assert _named(lake, unkeyed_name_digest(path)) == []
    assert _named(lake, name_digest(NEW.encode(), HIVE))
    assert len(_named(lake, "")) == before  # renamed, none lost

    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert [p for p in left_in_lake(lake, "remind me zebra") if not p.startswith("landing/")] == []
