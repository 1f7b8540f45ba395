"""KNOWN GAP (README, "Known gaps in the privacy core"): an utterance a delete-all or a range deletion erased,
sent again by upstream under its own id with another capture time (stamped when it was sent again, or written
with a wrong offset), is covered by no rule and published again, and the audit passes. The store remembers
the recordings a listing erased (``io.store.deleted``), not a delete-all's: remembering them by speaker key
would keep the deleted customer's speaker key in the store, which a delete-all must not
(``test_speaker_pairs_erased``). The test is a strict xfail: it fails the suite the day the gap closes, so
that the marker goes. SQLite and PostgreSQL, through the DAGs' steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt

WORDS = "my locker code is zebracornflakes"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


CASES = {
    # a delete-all; the recording is sent again stamped with the day it was sent (after the request)
    "all-restamped": ({}, "landing/utterances/dt=2026-11-27/resend.jsonl", "2026-11-27T00:00:00Z"),
    # a range of 2026-11-20 (UTC); the same day's re-export writes its 10:00 UTC with a +12:00 offset
    "range-offset": (
        {"scope": "range", "from": "2026-11-20T00:00:00Z", "to": "2026-11-20T23:59:59Z"},
        f"{DT}/reexport.jsonl",
        "2026-11-20T10:00:00+12:00",
    ),
}


@pytest.mark.xfail(strict=True, reason="known gap: a delete-all's or a range's recordings are not remembered")
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_deleted_utterance_sent_again_under_its_id_with_another_time_is_not_published(lake, case):
    request, path, captured = CASES[case]
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", WORDS) + line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    assert lake.live_ids() == {"u-zed-1", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", **request))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    lake.storage.write_bytes(
        path,
        line("u-zed-1", "zed-4417", WORDS, captured_at=captured)
        + line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z"),
    )
    lake.publish(now=at("2026-11-27T01:00:00"))
    lake.privacy(now=at("2026-11-27T02:00:00"), check_deadlines=False)
    assert lake.live_ids() == {"u-bob", "u-zed-2"}  # the customer's words after the deletion publish
    lake.audit(now=at("2026-11-27T03:00:00"))
