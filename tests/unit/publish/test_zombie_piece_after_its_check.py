"""A zombie's process_file that passed its attempt check before the run was cleared stages nothing into the
newer attempt's batch: each staged piece is checked after it is written, and goes when the staging is no longer
its attempt's (``_still_its_attempt``), and a zombie that stops leaves the newer attempt's piece of the same file."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.jobs import publish


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", line("u-al-1", "cust-al", "remind me about the lesson")
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl", line("u-bo-1", "cust-bo", "set a timer for ten minutes")
    )
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/c.jsonl",
        line("u-dd-1", "cust-dd", "play the radio in the kitchen"),
    )
    return lake


def test_a_zombie_process_file_past_its_check_stages_nothing_into_the_cleared_runs_batch(lake, monkeypatch):
    """A zombie process_file (old attempt) passes ``_check_attempt`` at its start; while it reads and decides
    its file the run is cleared: the file is retracted upstream (removed from landing) and the new attempt's
    discover starts the staging afresh. The zombie then stages its rows into the new attempt's staging.

    Expected: the new attempt publishes only what it discovered (u-bo-1); the retracted file's row
    (u-dd-1), staged by a zombie of another attempt, is not published (the commit's stated guarantee:
    'a zombie's rows staged into a newer attempt's batch' are stopped).
    Before: u-dd-1 is published by the new attempt (the check runs once, before anything is staged).
    """
    ctx = lake.context("utterances_publish")
    fresh: dict = {}
    real_decide = publish.decide_file

    def decide_then_clear(*args, **kwargs):
        decided = real_decide(*args, **kwargs)
        if not fresh:  # the run cleared while the zombie decides its file
            lake.storage.remove("landing/utterances/dt=2026-11-21/c.jsonl")  # retracted upstream
            publish.ingest_privacy(ctx)
            fresh["files"] = publish.discover_files(ctx)
        return decided

    with lake._environment():
        publish.ingest_privacy(ctx)
        zombie_files = publish.discover_files(ctx)
        c = next(f for f in zombie_files if f["path"].endswith("c.jsonl"))
        monkeypatch.setattr(publish, "decide_file", decide_then_clear)
        with pytest.raises(publish.StagingReplaced):
            publish.process_file(ctx, c)  # the zombie stops once its piece is staged
        monkeypatch.setattr(publish, "decide_file", real_decide)
        assert [f["path"].rsplit("/", 1)[1] for f in fresh["files"]] == ["b.jsonl"]
        staged = [publish.process_file(ctx, f) for f in fresh["files"]]
        published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
        publish.write_report(ctx, {}, published)
    live = lake.live_ids()
    assert "u-bo-1" in live
    assert "u-dd-1" not in live, "a zombie's rows of a retracted file were published by the new attempt"


def test_a_zombie_stopping_does_not_remove_the_newer_attempts_piece_of_the_same_file(lake, monkeypatch):
    """The old attempt's process_file of b.jsonl passes its check; while it decides, the run is cleared and
    the new attempt discovers and stages b.jsonl (same file, same piece name). The zombie then writes its
    piece, sees the staging is another attempt's (``_still_its_attempt``) and removes the file's pieces.

    Expected: the zombie stops and the new attempt publishes the night with b.jsonl's row (u-bo-1): "the
    newer attempt publishes the night" (``StagingReplaced``). Actual: ``_remove_staged_pieces`` removes every
    piece named by the file's key from the shared run staging, the newer attempt's included; the newer
    attempt then publishes without u-bo-1 (or fails)."""
    ctx = lake.context("utterances_publish")
    fresh: dict = {}
    real_decide = publish.decide_file

    def decide_then_clear(*args, **kwargs):
        decided = real_decide(*args, **kwargs)
        if not fresh:  # the run cleared while the zombie decides its file; the new attempt stages b first
            fresh["started"] = True
            publish.ingest_privacy(ctx)
            fresh["files"] = publish.discover_files(ctx)
            fresh["staged"] = [publish.process_file(ctx, f) for f in fresh["files"]]
        return decided

    with lake._environment():
        publish.ingest_privacy(ctx)
        zombie_files = publish.discover_files(ctx)
        b = next(f for f in zombie_files if f["path"].endswith("b.jsonl"))
        monkeypatch.setattr(publish, "decide_file", decide_then_clear)
        with pytest.raises(publish.StagingReplaced):
            publish.process_file(ctx, b)  # the zombie stops once its piece is staged
        monkeypatch.setattr(publish, "decide_file", real_decide)
        staged = fresh["staged"]
        published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
        publish.write_report(ctx, {}, published)
    assert "u-bo-1" in lake.live_ids(), "the newer attempt's piece was removed by the zombie"
