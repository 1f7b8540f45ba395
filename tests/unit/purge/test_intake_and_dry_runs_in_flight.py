"""Runs that write copies without publishing are in flight too (review 14b, F08, F09): the privacy intake
(the first step of ``utterances_publish`` and of ``privacy_requests``) writes a consent or deletion file's
unreadable lines, raw, to ``quarantine/<folder>/`` after it read them; a dry-run publish stages the
customers' cleaned text step after step. A privacy run that purges between such a read and its write must
not complete the receipt: the copy written after it searched holds the deleted words. Each run marks
itself before it reads; a privacy run's receipts wait for every run's mark but its own."""

from __future__ import annotations

from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

import utterance_governance.jobs.publish as publish_mod
from utterance_governance.jobs.in_flight import in_flight_since

WORDS = "my locker code is zebracornflakes"


def _misrouted_export_and_its_deletion(lake) -> None:
    """bob live; an utterance export of zed's written under ``landing/consent`` (the customer's words, an
    unreadable consent line), and zed's delete-all."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "what is the weather"))
    lake.publish()
    lake.storage.write_bytes("landing/consent/export.jsonl", line("u-zed-1", "zed-4417", WORDS))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))


def _between_the_intakes_read_and_its_write(monkeypatch, run) -> list:
    """The hourly privacy run (``run``) goes by once the intake has read the misrouted export, before it
    writes the export's quarantine copy."""
    read = publish_mod.read_landing_file
    raced: list = []

    def read_then_a_run_goes_by(storage, path, *args, **kwargs):
        result = read(storage, path, *args, **kwargs)
        if path == "landing/consent/export.jsonl" and not raced:
            raced.append(None)  # (once: the run going by reads the file too)
            raced[0] = run()
        return result

    monkeypatch.setattr(publish_mod, "read_landing_file", read_then_a_run_goes_by)
    return raced


def test_a_publishs_privacy_intake_under_way_keeps_a_deletions_receipt_open_until_its_copies_are_purged(
    lake, monkeypatch
):
    _misrouted_export_and_its_deletion(lake)

    def the_hourly_run():
        lake.privacy(check_deadlines=False)
        assert left_in_lake(lake, WORDS) == []  # it erased every copy there was ...
        return receipt(lake, "d1")["status"]  # ... but the publish's intake had read the line

    raced = _between_the_intakes_read_and_its_write(monkeypatch, the_hourly_run)
    lake.publish()  # the nightly publish, started at the same hour
    assert raced and raced[0] != "completed"  # the publish was under way: its intake may still write a copy
    assert left_in_lake(lake, WORDS)  # (and it did: the quarantine copy of what it read)
    monkeypatch.undo()
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []


def test_a_privacy_runs_intake_under_way_keeps_another_runs_receipt_open_and_completes_it_itself(
    lake, monkeypatch
):
    """Two privacy runs at once (a manual trigger during the hourly): the one whose intake was under way
    purges what its intake wrote, and completes the receipt the other had to leave open."""
    _misrouted_export_and_its_deletion(lake)

    def the_other_run():
        lake.privacy(check_deadlines=False)
        return receipt(lake, "d1")["status"]

    raced = _between_the_intakes_read_and_its_write(monkeypatch, the_other_run)
    lake.privacy()
    assert raced and raced[0] != "completed"
    assert receipt(lake, "d1")["status"] == "completed"  # the run's own mark never keeps its receipts open
    assert left_in_lake(lake, WORDS) == []
    assert in_flight_since(lake.storage, lake.context("privacy_requests").now_dt) == []  # no mark left behind


def test_a_dry_run_under_way_keeps_a_deletions_receipt_open_until_its_copies_are_purged(lake, monkeypatch):
    words = "remind me zebracornflakes"
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", words)
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    with lake._environment():
        ctx = lake.context("utterances_publish", {"dry_run": True})
        publish_mod.ingest_privacy(ctx)
        staged = [publish_mod.process_file(ctx, f) for f in publish_mod.discover_files(ctx)]
        parts = publish_mod.batch_partitions(staged)
        read = publish_mod.read_partition
        raced: list = []

        def read_then_the_hourly_run_goes_by(*args, **kwargs):
            rows = read(*args, **kwargs)
            if not raced:
                lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
                lake.privacy(check_deadlines=False)
                raced.append(receipt(lake, "d1")["status"])
            return rows

        monkeypatch.setattr(publish_mod, "read_partition", read_then_the_hourly_run_goes_by)
        for part in parts:
            publish_mod.dedup_content(ctx, part)  # reads the content partition, then writes the id partition
        monkeypatch.undo()
        # the dry run was under way: its next step writes what it read
        assert raced and raced[0] != "completed"
        partials = [publish_mod.gate_partition(ctx, part) for part in parts]
        published = publish_mod.publish(ctx, staged, publish_mod.gate_batch(ctx, staged, partials))
        publish_mod.write_report(ctx, {"dry_run": True}, published)  # its staging goes, and its mark
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, words) == []


def test_a_dry_run_that_failed_keeps_its_staging_and_the_receipt_waits_for_the_failure_callback(
    lake, monkeypatch
):
    """A dry run that fails keeps its staging as evidence; until the run's failure callback drops its mark
    nothing completes, and the next privacy run after it purges the staging and completes the receipt."""
    from utterance_governance.jobs.failures import record_failed_run

    words = "remind me zebracornflakes"
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", words))
    with lake._environment():
        ctx = lake.context("utterances_publish", {"dry_run": True})
        publish_mod.ingest_privacy(ctx)
        [publish_mod.process_file(ctx, f) for f in publish_mod.discover_files(ctx)]
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] != "completed"  # the dry run is under way (then it fails)
    with lake._environment():
        record_failed_run(ctx.dag_id, ctx.run_id, ["process_file"])  # the DAG's on_failure_callback
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, words) == []
