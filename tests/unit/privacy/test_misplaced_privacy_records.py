"""A consent event or deletion request exported into a ``dt=`` folder of ``landing/utterances/`` was read
as an utterance lacking every field: quarantined as malformed, it held nobody, and the customer's words
were published (before, and after) while their deletion sat in the lake. It is an unreadable record of its
kind now: its customer is held back until it arrives where it belongs, and one naming nobody blocks."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, opt_out, receipt

from utterance_governance.jobs.publish import PublishingBlocked


def test_a_deletion_among_utterances_holds_its_customer_until_it_arrives_where_it_belongs(lake):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-1", "zed-4417", "play some jazz") + line("u-2", "bob", "hi")
    )
    lake.publish()
    assert lake.live_ids() == {"u-1", "u-2"}
    late = "landing/utterances/dt=2026-11-21/b.jsonl"
    lake.storage.write_bytes(late, line("u-3", "zed-4417", "play it again") + deletion("r-1", "zed-4417"))
    lake.publish()
    # zed's new words held back, not published; doubt withdraws: zed's live words go before the version
    assert lake.live_ids() == {"u-2"}
    lake.privacy()
    assert lake.live_ids() == {"u-2"}
    with lake.store() as store:
        (held,) = store.privacy_quarantine()
    assert (held["kind"], held["customer_id"], held["record_id"]) == ("deletion", "zed-4417", "r-1")
    assert held["detail"].startswith("misplaced_record:landing/utterances (file version ")
    # the request arrives where it belongs: the hold is released and the deletion carried out
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("r-1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "r-1")["status"] == "completed"
    assert lake.live_ids() == {"u-2"}
    lake.audit()


def test_an_opt_out_among_utterances_holds_its_customer(lake):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-1", "zed-4417", "play some jazz") + line("u-2", "bob", "hi")
    )
    lake.publish()
    lake.storage.write_bytes("landing/utterances/dt=2026-11-21/b.jsonl", opt_out("e-1", "zed-4417"))
    lake.publish()
    lake.privacy()
    assert lake.live_ids() == {"u-2"}
    with lake.store() as store:
        assert [(r["kind"], r["customer_id"]) for r in store.privacy_quarantine()] == [
            ("consent", "zed-4417")
        ]


def test_a_privacy_record_among_utterances_naming_nobody_blocks_publishing(lake):
    glued = deletion("r-1", "zed-4417").rstrip(b"\n") + deletion("r-2", "amy-1")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-2", "bob", "hi") + glued)
    with pytest.raises(PublishingBlocked, match="misplaced_record"):
        lake.publish()
    assert lake.live_ids() == set()


def test_a_malformed_utterance_is_no_privacy_record(lake):
    """A line that lacks fields but has none of a privacy record's keys stays a malformed utterance."""
    broken = (
        json.dumps({"utterance_id": "u-9", "customer_id": "zed-4417", "transcript": "hi"}).encode() + b"\n"
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", "zed-4417", "play some jazz") + broken)
    lake.publish()
    assert lake.live_ids() == {"u-1"}
    with lake.store() as store:
        assert store.privacy_quarantine() == []
