"""A run that put no version live (a night with nothing new) left ``decisions/<run>/_written``, the mark of its
writes after the switch. Cleared and run again under the same run id (late files, a backfill over a day that
has a run), its second attempt published its batch and skipped every write after the switch, trusting the
earlier attempt's mark: no decisions, no held rows kept, no recording twins, no deleted recordings. The twin
left a deleted recording live under its redelivered id; a listed recording came back under a new id."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt

from utterance_governance.jobs import publish
from utterance_governance.jobs.context import RunContext
from utterance_governance.settings import load_settings

D20, D21 = "landing/utterances/dt=2026-11-20", "landing/utterances/dt=2026-11-21"
WORDS = "please turn on the kitchen lights now"
SAME = {"session_id": "s-42", "turn_index": 1, "captured_at": "2026-11-21T10:00:00Z"}
REDELIVERED = "u-zed-0000-redelivered"  # sorts first: the dedup publishes it
RUN = "scheduled__2026-11-21T02:00:00+00:00"


def publish_as(lake, run_id: str) -> dict:
    """``Lake.publish`` under a given run id (a cleared run keeps its id)."""
    with lake._environment():
        ctx = RunContext.create(run_id, "utterances_publish", {}, load_settings(lake.env))
        ingested = publish.ingest_privacy(ctx)
        staged = [publish.process_file(ctx, f) for f in publish.discover_files(ctx)]
        published = publish.publish(ctx, staged, publish.gate_batch(ctx, staged))
        publish.write_report(ctx, ingested, published)
        return published


@pytest.fixture
def quiet_night_run(lake) -> str:
    """A night of nothing new under ``RUN``: no version put live, its mark written."""
    lake.storage.write_bytes(f"{D20}/bob.jsonl", line("u-bob", "bob-cust-11", "what is the weather in paris"))
    lake.publish()
    assert publish_as(lake, RUN)["new_version"] is False
    return RUN


@pytest.mark.parametrize("again", [RUN, "scheduled__2026-11-21T02 00 00 00 00"], ids=["cleared", "same-key"])
def test_a_run_again_under_a_used_key_records_the_twins_it_published(lake, quiet_night_run, again):
    lake.storage.write_bytes(f"{D21}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line(REDELIVERED, "zed-cust-77", WORDS, **SAME))  # fmt: skip
    publish_as(lake, again)  # the late file is new to it
    assert lake.live_ids() == {"u-bob", REDELIVERED}
    # the customer deletes the recording by the id their app shows: its twin goes too
    lake.storage.write_bytes("landing/deletions/d.jsonl",
                             deletion("req-1", "zed-cust-77", "utterances", utterance_ids=["u-zed-0001"]))  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}


def test_a_cleared_run_records_the_recordings_a_listing_withheld(lake, quiet_night_run):
    lake.storage.write_bytes("landing/deletions/d.jsonl",
                             deletion("req-1", "zed-cust-77", "utterances", utterance_ids=["u-zed-0001"]))  # fmt: skip
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{D21}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    publish_as(lake, RUN)
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-22/r.jsonl", line("u-zed-again", "zed-cust-77", WORDS, **SAME)
    )  # the same recording, a new id
    lake.publish()
    assert lake.live_ids() == {"u-bob"}


def test_a_cleared_run_keeps_the_rows_it_held_back_and_writes_its_decisions(lake, quiet_night_run):
    unreadable = {"event_id": "e1", "customer_id": "zed-cust-77", "purpose": "model_training", "status": "maybe",
                  "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/bad.jsonl", json.dumps(unreadable).encode() + b"\n")
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{D21}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-al", "al-cust-3", "play some jazz", captured_at="2026-11-21T11:00:00Z"))  # fmt: skip
    publish_as(lake, RUN)
    assert lake.live_ids() == {"u-bob", "u-al"}
    assert lake.storage.list_files("quarantine/held", (".parquet",))  # zed's row kept until the hold ends
    assert lake.storage.list_files(
        f"decisions/{'utterances_publish__scheduled__2026-11-21T02_00_00_00_00'}", (".parquet",)
    )
