"""When a landing file is first read (SPEC §4.1: an utterance captured later than that, plus the clock
skew, is malformed). The run fixes its ``now`` when it starts; its steps read later (the privacy intake
runs first, ``discover_files`` retries two minutes apart, a failed task is cleared), and a file may land
meanwhile holding a recording said meanwhile. Its first reading is the moment of the reading."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.jobs.context import RunContext


def _quarantine_details(lake) -> list[str]:
    details: list[str] = []
    for f in lake.storage.list_files("quarantine/utterances", (".parquet",)):
        table = lake.storage.read_parquet(f.path)
        if "detail" in table.column_names:
            details += table.column("detail").to_pylist()
    return details


def _land(lake, uid: str, captured: datetime, name: str = "a.jsonl") -> None:
    day = captured.date().isoformat()
    lake.storage.write_bytes(f"landing/utterances/dt={day}/{name}",
                             line(uid, "bob", "what is the weather", captured_at=captured.isoformat()))  # fmt: skip


def test_a_recording_said_after_the_run_started_and_before_its_file_was_read_is_published(lake):
    # Before: the file's first reading was the run's start, 30 minutes earlier: the recording was
    # malformed (future_timestamp:captured_at), the file processed, the recording lost for good
    _land(lake, "u1", datetime.now(UTC) - timedelta(minutes=1))
    out = lake.publish(started_ago=timedelta(minutes=30))
    assert out["counts"].get("malformed", 0) == 0, _quarantine_details(lake)
    assert lake.live_ids() == {"u1"}


def test_a_recording_dated_after_the_reading_is_still_malformed(lake):
    # the skew is 5 minutes: a capture an hour after the file was read is not credible
    _land(lake, "u1", datetime.now(UTC) + timedelta(hours=1))
    out = lake.publish(started_ago=timedelta(minutes=30))
    assert out["counts"].get("malformed") == 1
    assert "future_timestamp:captured_at" in _quarantine_details(lake)
    assert lake.live_ids() == set()


def test_the_reading_moves_on_from_the_runs_now_by_the_time_since_it_was_fixed(lake):
    ctx = lake.context("utterances_publish", None, datetime(2026, 11, 26, 2, tzinfo=UTC))
    started = datetime.fromisoformat(ctx.fixed_at)
    assert ctx.now_dt <= ctx.read_at() <= ctx.now_dt + (datetime.now(UTC) - started) + timedelta(seconds=1)
    later = dataclasses.replace(ctx, fixed_at=(started - timedelta(minutes=30)).isoformat())
    assert later.read_at() - ctx.now_dt >= timedelta(minutes=30)
    # a context written by a run before ``fixed_at`` (its XCom) reads at its ``now``
    old = {k: v for k, v in ctx.to_dict().items() if k != "fixed_at"}
    assert RunContext.from_dict(old).read_at() == ctx.now_dt
