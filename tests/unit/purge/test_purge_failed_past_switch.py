"""A privacy run whose published purge failed for good past its switch (the worker lost in the clean-up,
the store unreachable for the revocation; retries exhausted): its version is live and holds none of the
customer's rows, but its receipts and its revocation event never came. Only a retry of the same run read
it back, so the next hourly run found nothing left to remove: the receipt completed naming no revoked
version, and no asset event told the training runs of the old version to erase their copies. The next
run reports such a version now, once, and purges what is left at the run after it."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

from utterance_governance.jobs import privacy
from utterance_governance.publish.lineage import revocation_announcement

DATASET = "assistant-sft"


class Crash(RuntimeError):
    pass


def _run_failing_past_the_switch(lake, monkeypatch) -> None:
    """A privacy_requests run as Airflow runs it: the published purge dies once its version is live
    (``all_done``: the other steps still run, with None for the failed one)."""

    def crashing_progress():
        def on_stage(stage: str) -> None:
            if stage == "purged":  # switched live; its clean-up and return never come
                raise Crash(stage)

        return on_stage

    with lake._environment(), monkeypatch.context() as m:
        m.setattr(privacy, "_purge_progress", crashing_progress)
        ctx = lake.context("privacy_requests")
        ingested = privacy.ingest(ctx)
        try:
            purged = privacy.purge_published(ctx)
        except Crash:
            purged = None
        copied = privacy.purge_copies(ctx)
        issued = privacy.issue_receipts(ctx, purged, copied)
        privacy.write_report(ctx, ingested, purged, copied, issued)


def _published_with_a_deletion(lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me zebracornflakes")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))


def test_the_next_run_reports_a_purge_whose_run_failed_past_its_switch(lake, monkeypatch):
    _published_with_a_deletion(lake)
    _run_failing_past_the_switch(lake, monkeypatch)
    assert "u-zed-1" not in lake.live_ids()  # the failed run's purge is live
    assert receipt(lake, "d1")["status"] != "completed"

    second = lake.privacy()  # the next hourly run
    purged = second["published"]
    done = receipt(lake, "d1")
    assert done["status"] == "completed"
    assert done["versions_rewritten"] == ["v000001"], (done["versions_rewritten"], done["removed"])
    # the DAG's ``announce`` emits the revocation for a result with a new version: this one
    assert purged["new_version"] and purged["version"] == "v000002", purged
    assert purged["by_request"] == {"d1": {"published_rows": 1}}
    with lake.store() as store:
        extra = revocation_announcement(lake.storage, store, str(lake.root), DATASET, purged)
    assert extra["revoked_versions"] == ["v000001"] and extra["erase_copies"] is True

    third = lake.privacy()  # reported once: the run after finds nothing to report or purge
    assert not third["published"]["new_version"], third["published"]


def test_a_run_reporting_an_earlier_purge_leaves_new_requests_to_the_next_run(lake, monkeypatch):
    _published_with_a_deletion(lake)
    _run_failing_past_the_switch(lake, monkeypatch)
    lake.storage.write_bytes("landing/deletions/e.jsonl", deletion("e1", "bob"))

    second = lake.privacy()
    assert second["published"]["version"] == "v000002"  # the earlier purge, reported
    assert receipt(lake, "d1")["status"] == "completed"
    assert receipt(lake, "e1")["status"] != "completed"  # its rows are still live
    assert "u-bob" in lake.live_ids()

    third = lake.privacy()
    assert third["published"]["new_version"] and third["published"]["version"] == "v000003"
    assert "u-bob" not in lake.live_ids()
    assert receipt(lake, "e1")["status"] == "completed"
    assert receipt(lake, "e1")["versions_rewritten"] == ["v000002"]


def test_a_purge_that_returned_is_not_reported_again(lake):
    _published_with_a_deletion(lake)
    first = lake.privacy()
    assert first["published"]["new_version"]
    second = lake.privacy()
    assert not second["published"]["new_version"], second["published"]
    with lake.store() as store:
        assert store.unreported_purges(DATASET, ("live", "superseded", "revoked")) == []


def test_a_purge_whose_run_died_after_its_clean_up_still_names_the_versions_it_revoked(lake, monkeypatch):
    """Its clean-up revoked the older versions and removed their files, then the worker was lost before the
    run returned: the run that reports it finds nothing left to revoke, and the revocation event still names
    every version the clean-up revoked, and the training run that consumed the oldest (it holds the rows)."""
    from utterance_governance.publish.lineage import consume_version
    from utterance_governance.purge import published

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me about zebras")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    with lake.store() as store:
        assert (
            consume_version(store, str(lake.root), DATASET, dag_id="train", run_id="t1", announced=None)[
                "version"
            ]
            == "v000001"
        )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl", line("u-amy", "amy", "play some jazz")
    )
    lake.publish()  # (v000002 carries zed's shard over)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed"))
    reported = published._reported

    def lost_after_the_clean_up(store, dataset, result):
        if result.get("cleanup", {}).get("revoked_versions"):
            raise Crash("worker lost")
        return reported(store, dataset, result)

    with lake._environment(), monkeypatch.context() as m:
        m.setattr(published, "_reported", lost_after_the_clean_up)
        ctx = lake.context("privacy_requests")
        privacy.ingest(ctx)
        with pytest.raises(Crash):
            privacy.purge_published(ctx)
    assert "u-zed-1" not in lake.live_ids()
    purged = lake.privacy(check_deadlines=False)["published"]
    assert purged["retried_after_switch"]
    with lake.store() as store:
        event = revocation_announcement(lake.storage, store, str(lake.root), DATASET, purged)
    assert event["revoked_versions"] == ["v000001", "v000002"]
    assert [r["run_id"] for r in event["training_runs"]] == ["t1"]
