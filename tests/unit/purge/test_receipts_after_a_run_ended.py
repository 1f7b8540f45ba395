"""A receipt completes only if no run that may write copies was under way at any time since the copies
purge began searching: ``issue_receipts`` fails once, and by its retry (minutes later) a publish or an access
report that read a deleted customer's data before the purges, and wrote its copies after them, has finished
(its in-flight mark gone). The receipt stays open; the next privacy run purges those copies and completes it."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

import utterance_governance.jobs.publish as publish_mod
from utterance_governance.jobs import privacy
from utterance_governance.purge import receipts as receipts_mod


class Crash(RuntimeError):
    pass


def test_a_retried_issue_receipts_keeps_a_receipt_open_after_a_publish_wrote_a_copy_and_ended(
    lake, monkeypatch
):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    # the deletion taken in (a backfill of another day: no utterance file read)
    lake.publish({"dt_from": "2026-11-01", "dt_to": "2026-11-01"})
    bad = (
        json.dumps(
            {
                "utterance_id": "u-zed-bad",
                "customer_id": "zed-4417",
                "captured_at": "2026-11-20T10:00:00Z",
                "locale": "en-US",
                "response": "zebracornflakes reply",
                "asr_confidence": 0.9,
            }
        ).encode()
        + b"\n"
    )
    lake.storage.write_bytes(
        f"{DT}/late.jsonl",
        line("u-zed-ok", "zed-4417", "remind me about tulips")
        + bad
        + line("u-bob", "bob", "what is the weather"),
    )
    original = publish_mod.read_landing_pieces
    run = {}

    def read_then_privacy_runs(*args, **kwargs):
        pieces = list(original(*args, **kwargs))  # the publish has read the file ...
        if not run:
            # ... the hourly privacy run's purges run meanwhile ...
            with lake._environment():
                ctx = lake.context("privacy_requests")
                run["ctx"] = ctx
                run["ingested"] = privacy.ingest(ctx)
                run["purged"] = privacy.purge_published(ctx)
                run["copied"] = privacy.purge_copies(ctx)
                # ... and its issue_receipts task fails once (a store hiccup): Airflow retries it later
                real = receipts_mod.settle_receipts

                def boom(*a, **k):
                    raise Crash("store connection reset")

                monkeypatch.setattr(receipts_mod, "settle_receipts", boom)
                with pytest.raises(Crash):
                    privacy.issue_receipts(ctx, run["purged"], run["copied"])
                monkeypatch.setattr(receipts_mod, "settle_receipts", real)
        return iter(pieces)  # ... and the publish writes what it read

    monkeypatch.setattr(publish_mod, "read_landing_pieces", read_then_privacy_runs)
    lake.publish()  # finishes: its in-flight mark goes
    monkeypatch.setattr(publish_mod, "read_landing_pieces", original)
    assert run
    # Airflow's retry of issue_receipts, with the purge steps' results (XComs) of the same run
    with lake._environment():
        ctx = run["ctx"]
        issued = privacy.issue_receipts(ctx, run["purged"], run["copied"])
        privacy.write_report(ctx, run["ingested"], run["purged"], run["copied"], issued)
    left = left_in_lake(lake, "zebracornflakes") + left_in_lake(lake, "u-zed-bad")
    assert left  # the publish wrote the malformed line's copy after the search
    assert receipt(lake, "d1")["status"] != "completed"
    lake.privacy(check_deadlines=False)  # the next privacy run
    assert left_in_lake(lake, "zebracornflakes") + left_in_lake(lake, "u-zed-bad") == []
    assert receipt(lake, "d1")["status"] == "completed"


def test_a_retried_issue_receipts_keeps_a_receipt_open_after_an_access_report_was_written(lake, monkeypatch):
    """The same with an access report ("send me my data, then delete my account"): gathered before the
    purges, written after them, finished before issue_receipts' retry."""
    from pathlib import Path

    from tests.unit.purge.test_copies_written_after_the_purge import _published_then_requested

    import utterance_governance.reports.access as access_mod

    _published_then_requested(lake, "u-zed-1")
    original = access_mod.gather_access
    run = {}

    def gathered_then_purges_run(*args, **kwargs):
        found = original(*args, **kwargs)
        if not run:
            with lake._environment():
                ctx = lake.context("privacy_requests")
                run["ctx"] = ctx
                run["ingested"] = privacy.ingest(ctx)
                run["purged"] = privacy.purge_published(ctx)
                run["copied"] = privacy.purge_copies(ctx)
                real = receipts_mod.settle_receipts

                def boom(*a, **k):
                    raise Crash("store connection reset")

                monkeypatch.setattr(receipts_mod, "settle_receipts", boom)
                with pytest.raises(Crash):
                    privacy.issue_receipts(ctx, run["purged"], run["copied"])
                monkeypatch.setattr(receipts_mod, "settle_receipts", real)
        return found

    monkeypatch.setattr(access_mod, "gather_access", gathered_then_purges_run)
    lake.access_report("zed-4417")  # written and finished: its in-flight mark goes
    assert run
    with lake._environment():  # Airflow's retry of issue_receipts
        ctx = run["ctx"]
        issued = privacy.issue_receipts(ctx, run["purged"], run["copied"])
        privacy.write_report(ctx, run["ingested"], run["purged"], run["copied"], issued)
    root = Path(lake.access_storage.root_url.removeprefix("file://"))
    holding = [
        str(p) for p in root.rglob("*") if p.is_file() and "zebracornflakes" in p.read_text(errors="replace")
    ]
    assert holding  # the report was written after the search
    assert receipt(lake, "d1")["status"] != "completed"
