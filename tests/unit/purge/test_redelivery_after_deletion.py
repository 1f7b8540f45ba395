"""An utterance a delete-all or a range deletion erased, sent again by upstream under its own id with another
capture time (stamped when it was sent again, or written with a wrong offset), is covered by no time rule of
the request. The store remembers the digest of the request id and the utterance id of every recording such a
request covered (``io.store.erased``), and the deletion rule covers the request's customer's row whose id it
names, whatever its time: on a later night, on the same night (the re-check under the lock), after a key
rotation, with the id in another case, and after the copy erased was a landing file no run had read. Its
audit finds such a row live. SQLite and PostgreSQL, through the DAGs' steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, line, receipt
from tests.unit.purge.test_rekey_seams import _rotate_to

from utterance_governance.io.store import GovernanceStore
from utterance_governance.jobs.audit import AuditFailed

WORDS = "my locker code is zebracornflakes"
NEW_KEY = "the-new-key-of-the-rotation"


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


def _published_then_deleted(lake: Lake, request: dict) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", WORDS) + line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    assert lake.live_ids() == {"u-zed-1", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", **request))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and lake.live_ids() == {"u-bob"}


def _sent_again(
    lake: Lake, path: str, captured: str, uid: str = "u-zed-1", customer: str = "zed-4417"
) -> None:
    lake.storage.write_bytes(
        path,
        line(uid, customer, WORDS, captured_at=captured)
        + line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z"),
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_deleted_utterance_sent_again_under_its_id_with_another_time_is_not_published(lake, case):
    request, path, captured = CASES[case]
    _published_then_deleted(lake, request)
    _sent_again(lake, path, captured)
    lake.publish(now=at("2026-11-27T01:00:00"))
    lake.privacy(now=at("2026-11-27T02:00:00"), check_deadlines=False)
    assert lake.live_ids() == {"u-bob", "u-zed-2"}  # the customer's words after the deletion publish
    lake.audit(now=at("2026-11-27T03:00:00"))


def test_the_id_in_another_case_or_notation_is_the_same_recording(lake):
    """A listing compares ids case folded (``identity.listed_key``); the memory of an erasure does too."""
    _published_then_deleted(lake, {})
    _sent_again(lake, "landing/utterances/dt=2026-11-27/resend.jsonl", "2026-11-27T00:00:00Z", uid="U-ZED-1")
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


def test_the_same_night_the_copy_sent_again_is_withheld_under_the_lock(lake):
    """The delete-all is known; the recording and its restamped copy come the same night, the copy in the file
    decided first: the re-check under the lock finds what deciding the other file remembered."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    day = "landing/utterances/dt=2026-11-27"
    _sent_again(lake, f"{day}/a-resend.jsonl", "2026-11-27T00:00:00Z")
    lake.storage.write_bytes(f"{day}/b-original.jsonl", line("u-zed-1", "zed-4417", WORDS))
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}
    lake.audit(now=at("2026-11-27T03:00:00"))


def test_a_key_rotation_leaves_the_memory_valid(lake, monkeypatch):
    """The digest is of ids, not of a speaker key: a rotation has nothing to re-key, and loses nothing."""
    _published_then_deleted(lake, {})
    assert _rotate_to(lake, monkeypatch, lake.key, NEW_KEY) == 0
    lake.key = NEW_KEY
    _sent_again(lake, "landing/utterances/dt=2026-11-27/resend.jsonl", "2026-11-27T00:00:00Z")
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


def test_a_recording_erased_from_the_landing_zone_before_any_run_read_it(lake):
    """The delete-all's purge erased the recording's line from a landing file no publish had read: the copy
    sent again later is covered all the same."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-22/late.jsonl",
                             line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-22T09:00:00Z"))  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    _sent_again(lake, "landing/utterances/dt=2026-11-27/resend.jsonl", "2026-11-27T00:00:00Z")
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


def test_the_audit_finds_an_erased_recording_live(lake, monkeypatch):
    """A publish that did not look the memory up (a bug, here the lookup turned off for one night) published
    the copy sent again: the daily audit names it."""
    _published_then_deleted(lake, {})
    _sent_again(lake, "landing/utterances/dt=2026-11-27/resend.jsonl", "2026-11-27T00:00:00Z")
    with monkeypatch.context() as m:
        m.setattr(GovernanceStore, "erased_among", lambda self, digests: set())
        lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-1", "u-zed-2"}
    with pytest.raises(AuditFailed):
        lake.audit(now=at("2026-11-27T03:00:00"))
    lake.privacy(now=at("2026-11-27T04:00:00"), check_deadlines=False)  # and the next purge removes it
    assert lake.live_ids() == {"u-bob", "u-zed-2"}
