"""The audit reads every version a training job may still load, not the live one alone (SPEC §7, §4.1 "every
copy"): after a compaction, the versions it merged stay ``superseded`` through its grace period, and their files
answer to the same checks as the live shards — manifests and checksums, and every row against the deletion and
consent state — each file read once however many versions list it. A finding of a kept version names the
version, the file, the rule and the row by a digest, never its text or ids. Also: a deleted customer's row put
back into the live data, or a copy of a shard of theirs under ``published/``, is flagged; and a delete-all made
while a compaction's merged shards are kept leaves no copy in them. End to end on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.pipeline import Lake
from tests.unit.audit.copies_scan import files_holding, tables_holding
from tests.unit.lakes import _write_manifest, append_rows, rewrite_live_shard
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.audit.findings import id_digest
from utterance_governance.jobs import publish as publish_mod
from utterance_governance.jobs.audit import AuditFailed
from utterance_governance.publish.commit import read_current, read_manifest
from utterance_governance.publish.compact import compact as compact_dataset

DATASET = "assistant-sft"
ZED = "zed-4417"
SECRET = "marmosetlantern"


def at(t: str) -> datetime:
    return datetime.fromisoformat(t).replace(tzinfo=UTC)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"compaction_fanout": 2, "compaction_grace_hours": 48}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))


def _night(lake: Lake, day: str, n: int, locale: str = "en-US") -> None:
    captured = f"{day}T10:00:00Z"
    lake.storage.write_bytes(f"landing/utterances/dt={day}/a.jsonl",
                             line(f"u-zed-{n}", ZED, f"secret {SECRET} number {n}", captured_at=captured,
                                  locale=locale)
                             + line(f"u-bob-{n}", "bob", f"hello on day {n}", captured_at=captured,
                                    locale=locale))  # fmt: skip
    lake.publish(now=at(f"{day}T23:00:00"))


def _zed_rows(lake: Lake) -> pa.Table:
    s = lake.storage
    m = read_manifest(s, DATASET, read_current(s, DATASET)["version"])
    t = pa.concat_tables([s.read_parquet(f"published/{DATASET}/{sh['path']}") for sh in m["shards"]])
    return t.filter(pc.starts_with(t.column("utterance_id"), "u-zed"))


def _compact(lake: Lake, when: str, *, clock: bool = False) -> dict:
    """The publish DAG's compaction step; ``clock``: with its grace periods counted on ``when`` (the step's own
    counts them on the wall clock)."""
    with lake._environment():
        ctx = lake.context("utterances_publish", None, at(when))
        if not clock:
            return publish_mod.compact(ctx)
        return compact_dataset(ctx.storage, ctx.store, ctx.dataset, run_id=ctx.run_id, policy=ctx.policy,
                               now=lambda: at(when), run_key=ctx.run_key)  # fmt: skip


def _kept_manifests(lake: Lake) -> list[dict]:
    """The manifests of the versions a compaction superseded and kept (not revoked), oldest first."""
    s = lake.storage
    live = read_current(s, DATASET)["version"]
    manifests = [
        json.loads(s.read_bytes(i.path)) for i in s.list_files(f"published/{DATASET}", ("manifest.json",))
    ]
    return sorted((m for m in manifests if m["version"] != live and m.get("status") == "superseded"),
                  key=lambda m: m["version"])  # fmt: skip


def _audits(lake: Lake) -> list[dict]:
    """Every ``audit.json`` the lake's audits wrote, oldest first."""
    found = [
        json.loads(lake.storage.read_bytes(i.path))
        for i in lake.storage.list_files("reports", ("audit.json",))
    ]
    return sorted(found, key=lambda a: a["checked_at"])


def _rows_part(lake: Lake) -> dict:
    """The rows check's summary of the latest audit."""
    parts = [
        json.loads(lake.storage.read_bytes(i.path))
        for i in lake.storage.list_files("reports", ("rows.json",))
    ]
    return max(parts, key=lambda p: p["summary"].get("kept_versions") is not None)["summary"]


def _deleted_then_compacted(lake: Lake) -> tuple[pa.Table, dict]:
    """Two nights, zed's delete-all purged, then a compaction: the purge's version is kept for the grace period.
    Returns zed's rows as published before the deletion, and the kept version's manifest."""
    _night(lake, "2026-11-18", 1)
    zed = _zed_rows(lake)
    _night(lake, "2026-11-19", 2)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", ZED))
    lake.privacy(now=at("2026-11-20T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    compacted = _compact(lake, "2026-11-20T02:00:00")
    assert compacted.get("new_version"), compacted
    kept = _kept_manifests(lake)
    assert kept, "a superseded version kept through its grace"
    return zed, kept[0]


def _plant(lake: Lake, manifest: dict, rows: pa.Table, *, fix_manifest: bool) -> str:
    """``rows`` appended to the first shard of a kept version (its manifest fixed to match, or left as it was);
    the shard's path."""
    s = lake.storage
    shard = manifest["shards"][0]
    rel = f"published/{DATASET}/{shard['path']}"
    table = pa.concat_tables([s.read_parquet(rel), rows.cast(s.read_parquet(rel).schema)])
    size, digest = s.write_parquet(rel, table)
    if fix_manifest:
        manifest["rows"] = manifest.get("rows", 0) + rows.num_rows
        shard.update(rows=table.num_rows, bytes=size, sha256=digest)
        _write_manifest(s, manifest)
    return shard["path"]


def test_a_delete_all_within_a_compactions_grace_leaves_no_copy(lake):
    _night(lake, "2026-11-18", 1)
    _night(lake, "2026-11-19", 2)
    assert _compact(lake, "2026-11-20T02:00:00").get("new_version")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", ZED))
    lake.privacy(now=at("2026-11-20T03:00:00"), check_deadlines=False)  # within the 48 h grace
    assert receipt(lake, "d1")["status"] == "completed"
    for needle in ("u-zed-1", "u-zed-2", SECRET, ZED):
        held = [p for p in files_holding(lake.root, needle) if not p.startswith("landing/deletions/")]
        assert held == [], (needle, held)
        assert tables_holding(lake.database_url, needle, {"deletion_requests"}) == {}
    lake.audit(now=at("2026-11-20T04:00:00"))


def test_the_audit_flags_a_deleted_customers_row_planted_back_into_a_live_shard(lake):
    _night(lake, "2026-11-18", 1)
    zed = _zed_rows(lake)
    assert zed.num_rows == 1
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", ZED))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    lake.audit(now=at("2026-11-25T02:00:00"))  # clean
    rewrite_live_shard(lake.storage, append_rows(zed))  # a copy restored from a backup
    with pytest.raises(AuditFailed):
        lake.audit(now=at("2026-11-25T03:00:00"))


def test_the_audit_flags_a_deleted_customers_shard_copied_under_published(lake):
    _night(lake, "2026-11-18", 1)
    s = lake.storage
    m = read_manifest(s, DATASET, read_current(s, DATASET)["version"])
    saved = s.read_bytes(f"published/{DATASET}/{m['shards'][0]['path']}")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", ZED))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    s.write_bytes(f"published/{DATASET}/backup/part-00000.parquet", saved)
    with pytest.raises(AuditFailed):
        lake.audit(now=at("2026-11-25T03:00:00"))


def test_the_audit_flags_a_deleted_customers_row_planted_into_a_version_kept_through_its_grace(lake):
    """A version a compaction superseded is kept (not revoked) for its grace period, loadable by a training job;
    a deleted customer's row put back into one of its shards (manifest fixed up to match) is a copy the audit
    sees. Before: only the live version's rows were read, and the audit passed."""
    zed, manifest = _deleted_then_compacted(lake)
    lake.audit(now=at("2026-11-20T02:30:00"))  # clean: the kept rows are judged as the live ones
    shard = _plant(lake, manifest, zed, fix_manifest=True)
    with pytest.raises(AuditFailed) as failed:
        lake.audit(now=at("2026-11-20T03:00:00"))
    audit = _audits(lake)[-1]
    assert not audit["passed"] and audit["kept_versions"] == [manifest["version"]]
    found = [f for f in audit["findings"] if f["rule"] == "deletion_requested"]
    assert len(found) == 1, audit["findings"]
    finding = found[0]
    # named by its version, its file, the rule and a digest of the row: never its id, text or customer
    assert finding["shard"] == shard
    assert finding["utterance_id"] == id_digest("u-zed-1")
    assert f"kept version {manifest['version']}" in finding["message"]
    assert finding["detail"]["versions"] == [manifest["version"]]
    shown = json.dumps(audit) + str(failed.value)
    for needle in ("u-zed-1", ZED, SECRET):
        assert needle not in shown, needle


def test_the_audit_flags_a_kept_versions_shard_that_no_longer_matches_its_manifest(lake):
    """The same, the manifest left as it was: SPEC §7's audit checks manifests and checksums, of every version
    a training job may load. Before: a kept version's shard whose bytes are not its manifest's went unnoticed."""
    zed, manifest = _deleted_then_compacted(lake)
    shard = _plant(lake, manifest, zed, fix_manifest=False)
    with pytest.raises(AuditFailed):
        lake.audit(now=at("2026-11-20T03:00:00"))
    audit = _audits(lake)[-1]
    mismatched = {f["rule"] for f in audit["findings"] if f["shard"] == shard}
    assert {"shard_sha256_mismatch", "shard_rows_mismatch", "deletion_requested"} <= mismatched, mismatched
    sha = next(f for f in audit["findings"] if f["rule"] == "shard_sha256_mismatch")
    assert f"kept version {manifest['version']}" in sha["message"]


def test_a_file_several_kept_versions_list_is_read_once_and_revoked_ones_are_not_read(lake):
    """Two nights and a compaction: both nights' versions are kept, and both list the first night's shard: the
    audit reads it once. An opt-in locale: the kept rows are judged with the capture times the live version's
    ledger records for them (the merged files' own ledger rows went), so a consent in force passes. Once the
    grace period is over, the next compaction revokes them, and the audit reads nothing more."""
    consent = {"event_id": "c1", "customer_id": None, "purpose": "model_training", "status": "opted_in",
               "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/c.jsonl", b"".join(
        json.dumps({**consent, "event_id": f"c-{who}", "customer_id": who}).encode() + b"\n" for who in (ZED, "bob")
    ))  # fmt: skip
    lake.privacy(now=at("2026-11-18T01:00:00"), check_deadlines=False)
    _night(lake, "2026-11-18", 1, locale="de-DE")
    _night(lake, "2026-11-19", 2, locale="de-DE")
    assert len(lake.live_ids()) == 4
    assert _compact(lake, "2026-11-20T02:00:00", clock=True).get("new_version")
    kept = [m["version"] for m in _kept_manifests(lake)]
    assert len(kept) == 2
    first = {s["path"] for s in _kept_manifests(lake)[0]["shards"]}
    assert first <= {s["path"] for s in _kept_manifests(lake)[1]["shards"]}  # the shared file
    lake.audit(now=at("2026-11-20T03:00:00"))  # passes: no kept row judged with unknown times
    audit = _audits(lake)[-1]
    assert audit["passed"] and audit["kept_versions"] == kept
    files = {s["path"] for m in _kept_manifests(lake) for s in m["shards"]}
    assert audit["kept_shards_checked"] == len(files)
    rows = _rows_part(lake)
    assert rows["kept_shards_scanned"] == len(files) and rows["kept_rows_checked"] == 4
    # the grace period over: the next compaction removes the merged files and revokes the versions listing them
    assert _compact(lake, "2026-11-22T03:00:00", clock=True)["cleanup"]["revoked_versions"] == kept
    assert _kept_manifests(lake) == []
    lake.audit(now=at("2026-11-22T04:00:00"))
    audit = _audits(lake)[-1]
    assert audit["passed"] and audit["kept_versions"] == [] and audit["kept_rows_checked"] == 0
