"""SPEC §4.1: a delete-all covers every utterance that landed before it was requested, whatever its
captured_at (a device clock running ahead). A file's landing time is noted when the pipeline first sees it.
A privacy run that rewrites a landing file no publish has seen yet (another customer's deletion) notes it
first: the rewrite's modification time must not become the file's landing time, or a later-requested
delete-all no longer covers a row that landed before it (review 10, F6)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt


def _row(uid, customer, at, text):
    return line(uid, customer, text, captured_at=at.isoformat())


def _deletion(rid, customer, at):
    return deletion(rid, customer, requested_at=at.isoformat())


def test_a_purge_rewrite_before_discovery_keeps_the_landing_time_a_delete_all_covers(lake):
    now = datetime.now(UTC).replace(microsecond=0)
    landed = now - timedelta(hours=2)
    # yan's device clock runs ahead: words spoken before the file landed carry a capture time of (almost) now
    lake.storage.write_bytes(
        f"{DT}/late.jsonl",
        _row("u-xav", "xav", now - timedelta(hours=3), "set an alarm")
        + _row("u-yan", "yan", now + timedelta(minutes=2), "remind me zebracornflakes")
        + _row("u-bob", "bob", now - timedelta(hours=3), "what is the weather"),
    )
    path = Path(lake.root, f"{DT}/late.jsonl")
    os.utime(path, (landed.timestamp(), landed.timestamp()))  # the file landed two hours ago
    # the hourly privacy run purges xav from the (not yet published) file: it is rewritten now
    lake.storage.write_bytes("landing/deletions/d1.jsonl", _deletion("d1", "xav", now - timedelta(hours=1)))
    lake.privacy()
    # yan asked to delete everything an hour ago, after the file landed; the request reaches us now
    lake.storage.write_bytes("landing/deletions/d2.jsonl", _deletion("d2", "yan", now - timedelta(hours=1)))
    lake.publish()
    with lake.store() as store:
        arrivals = store.arrivals([f"{DT}/late.jsonl"])
    assert "u-bob" in lake.live_ids()
    assert arrivals[f"{DT}/late.jsonl"][1] <= landed  # noted by the purge, before its rewrite
    lake.privacy()
    assert receipt(lake, "d2")["status"] == "completed"
    assert "u-yan" not in lake.live_ids(), (
        f"published a row that landed ({landed.isoformat()}) before its customer's delete-all "
        f"({(now - timedelta(hours=1)).isoformat()}); the store says it landed {arrivals}"
    )
