"""A receipt completes only if no run that may write copies was under way at any time since the copies
purge began searching: ``issue_receipts`` fails once, and by its retry (minutes later) a publish or an access
report that read a deleted customer's data before the purges, and wrote its copies after them, has finished
(its in-flight mark gone). The receipt stays open; the next privacy run purges those copies and completes it."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_copies_written_after_the_purge import _requested_then_a_late_file
from tests.unit.purge.test_every_copy_edges import left_in_lake, receipt

import utterance_governance.jobs.publish as publish_mod
from utterance_governance.jobs import privacy
from utterance_governance.purge import receipts as receipts_mod


class Crash(RuntimeError):
    pass


def _privacy_purges(lake) -> dict:
    """The hourly privacy run's intake and purges, run now (its receipts later): its context and results."""
    with lake._environment():
        ctx = lake.context("privacy_requests")
        return {"ctx": ctx, "ingested": privacy.ingest(ctx), "purged": privacy.purge_published(ctx),
                "copied": privacy.purge_copies(ctx)}  # fmt: skip


def _issue_receipts_failing_once(lake, run: dict, monkeypatch) -> None:
    """The run's ``issue_receipts`` fails (a store hiccup): Airflow retries it later with the same results."""

    def boom(*a, **k):
        raise Crash("store connection reset")

    with lake._environment(), monkeypatch.context() as m:
        m.setattr(receipts_mod, "settle_receipts", boom)
        with pytest.raises(Crash):
            privacy.issue_receipts(run["ctx"], run["purged"], run["copied"])


def test_a_retried_issue_receipts_keeps_a_receipt_open_after_a_publish_wrote_a_copy_and_ended(
    lake, monkeypatch
):
    _requested_then_a_late_file(lake)
    original = publish_mod.read_landing_pieces
    run = {}

    def read_then_privacy_runs(*args, **kwargs):
        pieces = list(original(*args, **kwargs))  # the publish has read the file ...
        if not run:
            # ... the hourly privacy run's purges run meanwhile ...
            run.update(_privacy_purges(lake))
            # ... and its issue_receipts task fails once (a store hiccup): Airflow retries it later
            _issue_receipts_failing_once(lake, run, monkeypatch)
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
            run.update(_privacy_purges(lake))
            _issue_receipts_failing_once(lake, run, monkeypatch)
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


def test_a_receipt_waits_for_a_publish_between_its_switch_and_its_report(lake, monkeypatch):
    """A publish reads a landing file holding a deleted customer's malformed line; the privacy run's purges
    search meanwhile; the publish writes the line's quarantine copy. Its publish step removed its staging, and
    its in-flight mark with it, while its end was recorded only by ``write_report``, a later task: a
    ``issue_receipts`` in between saw neither a mark nor a finished run. The mark now stays until the record."""
    _requested_then_a_late_file(lake)
    original = publish_mod.read_landing_pieces
    run = {}

    def read_then_privacy_purges(*args, **kwargs):
        pieces = list(original(*args, **kwargs))
        if not run:
            run.update(_privacy_purges(lake))
        return iter(pieces)

    monkeypatch.setattr(publish_mod, "read_landing_pieces", read_then_privacy_purges)
    with lake._environment():
        pctx = lake.context("utterances_publish")
        ingested = publish_mod.ingest_privacy(pctx)
        staged = [publish_mod.process_file(pctx, f) for f in publish_mod.discover_files(pctx)]
        published = publish_mod.publish(pctx, staged, publish_mod.gate_batch(pctx, staged))
        assert run
        # publish_version done (mark gone), write_report not yet run: the privacy run's issue_receipts runs now
        ctx = run["ctx"]
        issued = privacy.issue_receipts(ctx, run["purged"], run["copied"])
        privacy.write_report(ctx, run["ingested"], run["purged"], run["copied"], issued)
        publish_mod.write_report(pctx, ingested, published)
    monkeypatch.setattr(publish_mod, "read_landing_pieces", original)
    left = left_in_lake(lake, "zebracornflakes") + left_in_lake(lake, "u-zed-bad")
    assert left  # the publish wrote the malformed line's copy after the search
    assert receipt(lake, "d1")["status"] != "completed", left


def test_a_receipt_waits_for_an_access_report_until_its_end_is_recorded(lake, monkeypatch):
    """The same for an access report: it removed its in-flight mark before it recorded its run. It now records
    first: an ``issue_receipts`` between the two sees one or the other."""
    from pathlib import Path

    from tests.unit.purge.test_copies_written_after_the_purge import _published_then_requested

    import utterance_governance.reports.access as access_mod
    from utterance_governance.io.store import GovernanceStore

    _published_then_requested(lake, "u-zed-1")
    original_gather = access_mod.gather_access
    original_record = GovernanceStore.record_run
    run = {}

    def gathered_then_purges_run(*args, **kwargs):
        found = original_gather(*args, **kwargs)
        if not run:
            run.update(_privacy_purges(lake))
        return found

    def receipts_then_record(self, run_id, dag_id, *args, **kwargs):
        if dag_id == "governance_audit" and run and "issued" not in run:
            # the access report's mark is gone, its record not yet written: issue_receipts runs now
            with lake._environment():
                ctx = run["ctx"]
                run["issued"] = privacy.issue_receipts(ctx, run["purged"], run["copied"])
                privacy.write_report(ctx, run["ingested"], run["purged"], run["copied"], run["issued"])
        return original_record(self, run_id, dag_id, *args, **kwargs)

    monkeypatch.setattr(access_mod, "gather_access", gathered_then_purges_run)
    monkeypatch.setattr(GovernanceStore, "record_run", receipts_then_record)
    lake.access_report("zed-4417")
    assert run and "issued" in run
    root = Path(lake.access_storage.root_url.removeprefix("file://"))
    holding = [
        str(p) for p in root.rglob("*") if p.is_file() and "zebracornflakes" in p.read_text(errors="replace")
    ]
    assert holding  # the report was written after the search
    assert receipt(lake, "d1")["status"] != "completed", holding
