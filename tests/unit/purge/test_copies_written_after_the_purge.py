"""A run in flight while a privacy run purges may write copies of what it read before the purge, whenever
the deletion was taken in: a publish writes the deleted customer's malformed lines into the quarantine and
its decisions on their utterance ids; an access report gathered before the purge writes the customer's
words after it; the audit writes the findings its checks wrote before the purge scrubbed them. The receipt waits for such runs; the first privacy run after them purges what they wrote
and completes it (review 10, F1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

import utterance_governance.jobs.publish as publish_mod
import utterance_governance.reports.access as access_mod
from utterance_governance.io.storage import Storage


def _requested_then_a_late_file(lake) -> None:
    """zed's delete-all taken in by an earlier run (a backfill of another day: it reads no utterance file), then
    a late file of zed's utterances, one of them malformed (no transcript: its words are in the response)."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.take_in()
    bad = {"utterance_id": "u-zed-bad", "customer_id": "zed-4417", "captured_at": "2026-11-20T10:00:00Z",
           "locale": "en-US", "response": "zebracornflakes reply", "asr_confidence": 0.9}  # fmt: skip
    lake.storage.write_bytes(f"{DT}/late.jsonl", line("u-zed-ok", "zed-4417", "remind me about tulips")
                             + json.dumps(bad).encode() + b"\n" + line("u-bob", "bob", "what is the weather"))  # fmt: skip


def test_a_publish_started_after_the_request_keeps_its_receipt_open_until_its_copies_are_purged(
    lake, monkeypatch
):
    _requested_then_a_late_file(lake)
    original = publish_mod.read_landing_pieces
    ran = []

    def read_then_privacy_runs(*args, **kwargs):
        pieces = list(original(*args, **kwargs))  # the publish has read the file ...
        if not ran:
            ran.append(lake.privacy())  # ... the hourly privacy run purges meanwhile ...
        return iter(pieces)  # ... and the publish writes what it read

    monkeypatch.setattr(publish_mod, "read_landing_pieces", read_then_privacy_runs)
    lake.publish()
    assert ran
    assert receipt(lake, "d1")["status"] != "completed"  # the publish was under way
    assert left_in_lake(lake, "zebracornflakes") or left_in_lake(lake, "u-zed-bad")  # what it wrote after
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") + left_in_lake(lake, "u-zed-bad") == []


def _published_then_requested(lake, uid: str) -> None:
    """zed's utterance ``uid`` live, and zed's delete-all taken in by a nightly publish's intake, not purged yet."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line(uid, "zed-4417", "remind me zebracornflakes") + line("u-bob", "bob", "what is the weather"),
    )
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.take_in()


def test_an_access_report_gathered_before_the_purge_keeps_the_receipt_open_until_it_is_purged(
    lake, monkeypatch
):
    _published_then_requested(lake, "u-zed-1")
    original = access_mod.gather_access
    ran = []

    def gathered_then_privacy_runs(*args, **kwargs):
        found = original(*args, **kwargs)
        if not ran:
            ran.append(lake.privacy())
        return found

    monkeypatch.setattr(access_mod, "gather_access", gathered_then_privacy_runs)
    lake.access_report("zed-4417")
    assert ran
    root = Path(lake.access_storage.root_url.removeprefix("file://"))

    def holding() -> list[str]:
        return [
            str(p)
            for p in root.rglob("*")
            if p.is_file() and "zebracornflakes" in p.read_text(errors="replace")
        ]

    assert receipt(lake, "d1")["status"] != "completed"
    assert holding()  # the report written after the purge searched
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert holding() == []


def test_an_audit_writing_its_findings_after_the_purge_keeps_the_receipt_open_until_they_are_scrubbed(
    lake, monkeypatch
):
    from utterance_governance.jobs.audit import AuditFailed

    _published_then_requested(lake, "u-zed-gone-1")
    original = Storage.read_bytes
    ran = []

    def read_bytes(self, rel):
        data = original(self, rel)
        if rel.endswith("/audit/rows.json") and not ran:  # write_findings has read the rows' findings ...
            ran.append(True)  # (before: the privacy run reads the findings too)
            lake.privacy()  # ... the hourly privacy run purges and scrubs meanwhile ...
        return data  # ... and the audit writes what it read

    monkeypatch.setattr(Storage, "read_bytes", read_bytes)
    with pytest.raises(AuditFailed):  # the live row the deletion covers, found before the purge
        lake.audit()
    assert ran
    assert receipt(lake, "d1")["status"] != "completed"
    assert left_in_lake(lake, "u-zed-gone-1")
    monkeypatch.setattr(Storage, "read_bytes", original)
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "u-zed-gone-1") == []
