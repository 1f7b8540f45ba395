"""Which versions a training job may load is the store's to say (``publish.lineage`` asks it), not a manifest's
own ``status``: a kept (superseded) version whose manifest was edited to say another status is still audited, its
files and rows, and the disagreement is a finding of its own (``manifest_status_mismatch``); a version the store
records loadable whose manifest cannot be read is named. Only the manifests of versions the store records live or
superseded vouch for files: a staged version's, left by a publish that stopped before its switch, does not, and
its files are named (``unlisted_shard_file``) until the next publish or purge removes them."""

from __future__ import annotations

import functools
import json

import pytest
from tests.unit.audit.test_audit_tampered_lake import lake as small_lake  # noqa: F401
from tests.unit.audit.test_kept_versions_are_audited import (  # noqa: F401
    DATASET,
    ZED,
    _audits,
    _deleted_then_compacted,
    _night,
    _plant,
    _zed_rows,
    at,
    lake,
)
from tests.unit.lakes import _write_manifest, live_manifest
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.audit.findings import id_digest
from utterance_governance.audit.publication import verify_kept_versions
from utterance_governance.jobs import publish as publish_mod
from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.publish import commit


@pytest.mark.parametrize("said", ["abandoned", "revoked"])
def test_a_kept_version_whose_manifest_says_another_status_is_still_audited(lake, said):  # noqa: F811
    """Before: ``kept_versions`` skipped a version whose manifest said "abandoned" or "revoked" though the store
    recorded it superseded (loadable), while ``_housekeeping`` let the "abandoned" one vouch for its files: a
    deleted customer's row planted in one of them passed the audit (the "revoked" one failed it only as
    ``unlisted_shard_file``, its rows unread)."""
    zed, manifest = _deleted_then_compacted(lake)
    version = manifest["version"]
    lake.audit(now=at("2026-11-20T02:30:00"))  # clean
    with lake.store() as store:
        assert {v["version"]: v["status"] for v in store.versions(DATASET)}[version] == "superseded"
    shard = _plant(lake, manifest, zed, fix_manifest=True)
    manifest = json.loads(lake.storage.read_bytes(f"published/{DATASET}/{version}/manifest.json"))
    # (without its superseded_at, a "revoked" one ends as a revoked manifest does: the audit's quick look at its
    # last bytes would take it for one)
    edited = {k: v for k, v in manifest.items() if k != "superseded_at"}
    _write_manifest(lake.storage, {**edited, "status": said})
    with pytest.raises(AuditFailed):
        lake.audit(now=at("2026-11-20T03:00:00"))
    audit = _audits(lake)[-1]
    assert audit["kept_versions"] == [version]
    (mismatch,) = [f for f in audit["findings"] if f["rule"] == "manifest_status_mismatch"]
    assert f"kept version {version}" in mismatch["message"] and "superseded" in mismatch["message"]
    planted = [f for f in audit["findings"] if f["rule"] == "deletion_requested"]
    assert [(f["shard"], f["utterance_id"]) for f in planted] == [(shard, id_digest("u-zed-1"))]
    # its files are the kept check's, read as the store says: none of them unlisted
    assert "unlisted_shard_file" not in audit["counts"], audit["counts"]


class Crash(RuntimeError):
    pass


def test_a_staged_versions_files_are_named_until_the_next_publish_removes_them(lake, monkeypatch):  # noqa: F811
    """A publish that stopped after writing its manifest and ledger rows, before its switch, leaves a version the
    store records staged, its manifest saying live, its files in the dataset folder (a glob loads them). Before:
    that manifest vouched for its files and no check read them: a deleted customer's row planted in one passed the
    audit (a warning, ``other_manifest_live``, only) until the next publish or purge removed them."""
    _night(lake, "2026-11-18", 1)
    zed = _zed_rows(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", ZED))
    lake.privacy(now=at("2026-11-19T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"

    def crash(stage: str) -> None:
        if stage == "ledger":
            raise Crash(f"killed after {stage}")

    monkeypatch.setattr(
        publish_mod, "publish_version", functools.partial(commit.publish_version, on_stage=crash)
    )
    lake.storage.write_bytes("landing/utterances/dt=2026-11-19/a.jsonl",
                             line("u-bob-2", "bob", "hello again", captured_at="2026-11-19T10:00:00Z"))  # fmt: skip
    with pytest.raises(Crash):
        lake.publish(now=at("2026-11-19T23:00:00"))
    with lake.store() as store:
        (staged,) = [v["version"] for v in store.versions(DATASET) if v["status"] == "staged"]
    manifest = json.loads(lake.storage.read_bytes(f"published/{DATASET}/{staged}/manifest.json"))
    own = [s for s in manifest["shards"] if s["path"].startswith(f"{staged}/")]
    assert manifest["status"] == "live" and own
    others = [s for s in manifest["shards"] if s not in own]
    shard = _plant(lake, {**manifest, "shards": own + others}, zed, fix_manifest=True)  # (its entry fixed up)
    with pytest.raises(AuditFailed, match="unlisted_shard_file"):
        lake.audit(now=at("2026-11-20T03:00:00"))
    audit = _audits(lake)[-1]
    (unlisted,) = [f for f in audit["findings"] if f["rule"] == "unlisted_shard_file"]
    assert unlisted["shard"] == shard and f"in {staged} lists it" in unlisted["message"]
    assert "staged" in unlisted["message"] and ZED not in json.dumps(audit)
    # the next publish reconciles first: the staged version is abandoned and its files removed
    monkeypatch.setattr(publish_mod, "publish_version", commit.publish_version)
    lake.publish(now=at("2026-11-20T23:00:00"))
    with lake.store() as store:
        assert {v["version"]: v["status"] for v in store.versions(DATASET)}[staged] == "abandoned"
    lake.audit(now=at("2026-11-21T03:00:00"))


def test_a_loadable_version_whose_manifest_cannot_be_read_is_named(small_lake):  # noqa: F811
    """Before: a version the store records superseded whose manifest was missing or unreadable was passed over
    without a word (its files, if any, named as unlisted)."""
    storage, store = small_lake
    live = live_manifest(storage)
    versions = {v["version"]: v["status"] for v in store.versions(DATASET)} | {
        "v000007": "superseded",
        "v000008": "superseded",
    }
    storage.write_bytes(f"published/{DATASET}/v000008/manifest.json", b'{"version": "v000008", "shards": ')
    check = verify_kept_versions(storage, DATASET, live["version"], live, versions)
    found = sorted(f.message for f in check.findings.items if f.rule == "manifest_unreadable")
    assert len(found) == 2 and check.versions == []
    assert found[0].startswith("kept version v000007: ") and "missing" in found[0]
    assert found[1].startswith("kept version v000008: ") and "JSONDecodeError" in found[1]
