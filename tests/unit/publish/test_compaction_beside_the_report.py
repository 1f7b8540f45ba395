"""The nightly DAG runs ``compact_shards`` beside ``write_report`` (both after the publish). The report's step
removes the run's staging once it has recorded the run's end: it removed the rows the compaction was staging
there, and the compaction failed (``CompactionRefused``). It now removes the staging only once nothing but
the run's mark is left in it."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

import utterance_governance.jobs.publish as publish_mod
from utterance_governance.publish import compact as C


@pytest.fixture
def clake(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"compaction_fanout": 2, "shard_target_rows": 2}))
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(policy))


def _nights(lake):
    for n, day in enumerate(("2026-11-18", "2026-11-19")):
        lake.storage.write_bytes(
            f"landing/utterances/dt={day}/n{n}.jsonl",
            b"".join(
                line(f"u{n}-{c}", c, f"what is the weather number {n} {c}").replace(
                    b"2026-11-20", day.encode()
                )
                for c in ("amy", "bob", "cat")
            ),
        )
        lake.publish()
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/n2.jsonl", line("u2-amy", "amy", "play some jazz please")
    )


def _night_with_compact(lake, monkeypatch, interleave: bool):
    original = C._stage_rows
    with lake._environment():
        ctx = lake.context("utterances_publish")
        ingested = publish_mod.ingest_privacy(ctx)
        staged = [publish_mod.process_file(ctx, f) for f in publish_mod.discover_files(ctx)]
        published = publish_mod.publish(ctx, staged, publish_mod.gate_batch(ctx, staged))
        done = {}

        def staged_then_report_task_runs(*args, **kwargs):
            n = original(*args, **kwargs)
            if interleave and not done:
                # the DAG's write_report (a sibling of compact_shards) finishes meanwhile
                done["report"] = publish_mod.write_report(ctx, ingested, published)
            return n

        monkeypatch.setattr(C, "_stage_rows", staged_then_report_task_runs)
        result = publish_mod.compact(ctx)
        if not done:
            publish_mod.write_report(ctx, ingested, published)
        return result


def test_control_compaction_alone_merges(clake, monkeypatch):
    _nights(clake)
    before = clake.live_ids()
    result = _night_with_compact(clake, monkeypatch, interleave=False)
    assert result.get("new_version"), result
    assert clake.live_ids() == before | {"u2-amy"}


def test_compaction_survives_the_sibling_write_report(clake, monkeypatch):
    _nights(clake)
    before = clake.live_ids()
    result = _night_with_compact(clake, monkeypatch, interleave=True)
    assert result.get("new_version"), result
    assert clake.live_ids() == before | {"u2-amy"}
