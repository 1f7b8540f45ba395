"""A zombie process_file that finds its staging replaced must not remove the newer attempt's piece of the same
file."""

from __future__ import annotations

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.jobs import publish

T = "2026-11-20T10:00:00Z"


def _line(uid: str, customer: str, text: str) -> bytes:
    return line(uid, customer, text, captured_at=T)  # (``test_every_copy_edges.line``)


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", _line("u-al-1", "cust-al", "remind me about the lesson")
    )
    lake.publish()
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl", _line("u-bo-1", "cust-bo", "set a timer for ten minutes")
    )
    return lake


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
