"""The store's memory of what a delete-all or a range erased (``io.store.erased``) holds only what the request
covers by what is known of a row: a copy with no capture time (a shard kept through its grace period, a stray
copy of a shard) is erased, and its rows are not remembered, or the memory would take the live copies of the
customer's words the request does not cover (their later words, their other days). A landing line quarantined
with a readable capture time is remembered as a typed row is. SQLite and PostgreSQL, through the DAGs' steps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.jobs import publish as publish_mod
from utterance_governance.privacy.keys import erased_digests
from utterance_governance.publish.commit import read_current, read_manifest

DATASET = "assistant-sft"
RANGE = {"from": "2026-11-20T00:00:00Z", "to": "2026-11-20T23:59:59Z"}
WORDS = "my locker code is zebracornflakes"


def at(t: str) -> datetime:
    return datetime.fromisoformat(t).replace(tzinfo=UTC)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"compaction_fanout": 2, "compaction_grace_hours": 48}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))


def _night(lake: Lake, day: str, zeds: str, bobs: str) -> None:
    """A night of one row of the customer's and one of bob's, captured that day at 10:00, published the night
    after."""
    captured = f"{day}T10:00:00Z"
    lake.storage.write_bytes(f"landing/utterances/dt={day}/a.jsonl",
                             line(zeds, "zed-4417", f"words of {day}", captured_at=captured)
                             + line(bobs, "bob", f"hello on {day}", captured_at=captured))  # fmt: skip
    lake.publish(now=datetime.fromisoformat(captured) + timedelta(hours=15))


def _compacted(lake: Lake, when: str) -> None:
    """The nightly compaction (``compaction_fanout`` 2): the merged shards stay for their grace period."""
    with lake._environment():
        compacted = publish_mod.compact(lake.context("utterances_publish", None, at(when)))
    assert compacted.get("new_version"), compacted


def test_a_range_over_a_day_with_nothing_live_keeps_the_customers_other_days(lake):
    """Two nights, then a compaction: the merged shards stay for their grace period (no capture times in them).
    A range of 2026-11-20, a day the customer has nothing published: it removes nothing live; its purge of
    the merged files must not make the customer's other days "erased by the range"."""
    _night(lake, "2026-11-18", "u-zed-8", "u-bob-8")
    _night(lake, "2026-11-19", "u-zed-9", "u-bob-9")
    _compacted(lake, "2026-11-20T02:00:00")
    everyone = {"u-zed-8", "u-zed-9", "u-bob-8", "u-bob-9"}
    assert lake.live_ids() == everyone
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", scope="range", **RANGE))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == everyone  # nothing of the customer's was captured on 2026-11-20
    lake.privacy(now=at("2026-11-25T02:00:00"), check_deadlines=False)  # the next hourly run
    assert lake.live_ids() == everyone


def test_after_a_delete_all_the_customers_new_words_stay_through_a_compaction(lake):
    """A delete-all carried out; the customer comes back and speaks on two later nights (new ids, captured after
    the request: published). A compaction merges the two nights; its merged files stay for their grace period.
    The next hourly privacy runs must leave the customer's new words live."""
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        line("u-zed-1", "zed-4417", "old words") + line("u-bob-1", "bob", "hi"),
    )
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))  # requested 11-25
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and lake.live_ids() == {"u-bob-1"}
    _night(lake, "2026-11-26", "u-zed-2", "u-bob-2")
    _night(lake, "2026-11-27", "u-zed-3", "u-bob-3")
    everyone = {"u-bob-1", "u-bob-2", "u-bob-3", "u-zed-2", "u-zed-3"}
    assert lake.live_ids() == everyone
    _compacted(lake, "2026-11-28T02:00:00")
    assert lake.live_ids() == everyone
    lake.privacy(now=at("2026-11-28T03:00:00"), check_deadlines=False)
    lake.privacy(now=at("2026-11-28T04:00:00"), check_deadlines=False)
    assert lake.live_ids() == everyone


def _stray_copy_of_the_live_shard(lake: Lake) -> str:
    storage = lake.storage
    manifest = read_manifest(storage, DATASET, read_current(storage, DATASET)["version"])
    shard = f"published/{DATASET}/{manifest['shards'][0]['path']}"
    stray = f"published/{DATASET}/v999999/shards/part-00000.parquet"
    storage.write_bytes(stray, storage.read_bytes(shard))
    return stray


def _ranged_with_a_stray_copy(lake: Lake) -> str:
    """u-zed-1 captured on 2026-11-20, u-zed-9 on 2026-11-18, published; a stray copy of the live shard; a
    range of 2026-11-20 carried out by a privacy run. The stray copy's path."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed-4417", "first words")
        + line("u-zed-9", "zed-4417", "older words", captured_at="2026-11-18T10:00:00Z")
        + line("u-bob", "bob", "hi"),
    )
    lake.publish(now=at("2026-11-21T01:00:00"))
    assert lake.live_ids() == {"u-zed-1", "u-zed-9", "u-bob"}
    stray = _stray_copy_of_the_live_shard(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", scope="range", **RANGE))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    return stray


def test_a_range_keeps_the_customers_utterances_outside_it_when_a_stray_copy_holds_them(lake):
    """A range of 2026-11-20 erases u-zed-1 (captured that day), not u-zed-9 (captured 2026-11-18). A stray copy of
    the live shard (no capture time: a range covers all of the customer's rows in it) is purged: its rows of
    the customer outside the range must not become "erased by the range" for good."""
    stray = _ranged_with_a_stray_copy(lake)
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-zed-9", "u-bob"}  # the range took what it covers, and only that
    lake.storage.remove(stray)
    lake.privacy(now=at("2026-11-26T01:00:00"), check_deadlines=False)  # the next hourly run
    assert lake.live_ids() == {"u-zed-9", "u-bob"}


def test_the_memory_names_what_the_range_covers_and_nothing_else(lake):
    """The store remembers u-zed-1 (captured in the range) as erased by it, never u-zed-9 (outside it)."""
    _ranged_with_a_stray_copy(lake)
    inside, outside = erased_digests(pa.array(["d1", "d1"]), pa.array(["u-zed-1", "u-zed-9"])).to_pylist()
    with lake.store() as store:
        assert set(store.erased_among([inside, outside])) == {inside}


def _bad(**override) -> bytes:
    row = {
        "utterance_id": "u-zed-1",
        "customer_id": "zed-4417",
        "captured_at": "2026-11-22T09:00:00Z",
        "locale": "en-US",
        "transcript": WORDS,
        "response": "Done.",
        "asr_confidence": "high",
        **override,
    }
    return json.dumps(row).encode() + b"\n"


def test_a_malformed_copy_erased_from_landing_before_any_run_read_it_then_sent_again_fixed(lake):
    """The delete-all's purge erases the recording's line, unreadable as an utterance (a field of the wrong type),
    from a landing file no publish had read: upstream sends the recording again fixed and stamped anew."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-22/late.jsonl", _bad())
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-27/resend.jsonl",
        line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-27T00:00:00Z")
        + line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z"),
    )
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


@pytest.mark.parametrize(
    "captured", ["2026-11-22T09:00:00.123456789Z", "2026-11-22t09:00:00z", "2026-11-22T10:00:00+01"]
)
def test_a_quarantined_line_is_remembered_by_the_time_the_reader_reads(lake, captured):
    """The line's capture time in a form the landing reader reads (nanoseconds, a lower-case t or z, an offset
    of hours): the copies purge reads it so too, and remembers the line it erases."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-22/late.jsonl", _bad(captured_at=captured))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-27/resend.jsonl",
        line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-27T00:00:00Z")
        + line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z"),
    )
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


DAY = "landing/utterances/dt=2026-11-24"


@pytest.mark.parametrize("change", ["appended", "written-over"])
def test_words_added_to_an_older_landing_file_after_the_delete_all_are_not_remembered(lake, change):
    """A landing file that first landed before the delete-all, changed by upstream after it: the customer's
    words captured after the request are withheld the night they come (the file keeps its path's first landing
    time), and never remembered as erased: sent again in a file of their own, they publish."""
    lake.storage.write_bytes(f"{DAY}/latest.jsonl",
                             line("u-zed-1", "zed-4417", "old words", captured_at="2026-11-24T09:00:00Z")
                             + line("u-bob", "bob", "hi", captured_at="2026-11-24T09:00:00Z"))  # fmt: skip
    lake.publish(now=at("2026-11-24T12:00:00"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))  # requested 11-25
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    later = line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-25T09:00:00Z")
    before = lake.storage.read_bytes(f"{DAY}/latest.jsonl") if change == "appended" else b""
    lake.storage.write_bytes(f"{DAY}/latest.jsonl", before + later)
    lake.publish(now=at("2026-11-25T12:00:00"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-26/again.jsonl", later)
    lake.publish(now=at("2026-11-26T12:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


def test_a_recording_and_its_restamped_copy_in_one_late_file(lake):
    """The delete-all carried out; a late file holds a recording it covers twice under its id, first stamped
    when sent again (after the request), then as captured: the reader keeps the first and quarantines the
    second. The quarantined line is remembered as the file is decided, and the re-check under the lock
    withholds the copy."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))  # requested 11-25
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-27/late.jsonl",
        line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-27T00:00:00Z")
        + line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-22T09:00:00Z")
        + line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z"),
    )
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}
    lake.audit(now=at("2026-11-27T03:00:00"))


def _raw(uid: str, captured: str | None, **extra) -> bytes:
    row = {"utterance_id": uid, "customer_id": "zed-4417", "captured_at": captured, "locale": "en-US",
           "transcript": WORDS, "response": "Done.", "asr_confidence": 0.9, **extra}  # fmt: skip
    if captured is None:
        del row["captured_at"]
    return json.dumps(row).encode() + b"\n"


JAZZ = line("u-zed-2", "zed-4417", "play some jazz", captured_at="2026-11-27T00:00:00Z")


def _deleted_everything(lake: Lake) -> None:
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))  # requested 11-25
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"


@pytest.mark.parametrize("stated", ["zero-time", "nested-only"])
def test_a_quarantined_line_with_no_capture_time_of_its_own_is_not_remembered(lake, stated):
    """After the delete-all, a late line refused for another problem (a field of the wrong type, the one its
    detail names) whose capture time is a clock reset to 1970, or is only a device's, nested in metadata:
    no capture time of the line's. Sent again fixed, stamped after the request, its words publish."""
    _deleted_everything(lake)
    extra = {"device": {"captured_at": "2026-11-01T00:00:00Z"}} if stated == "nested-only" else {}
    late = _raw(
        "u-zed-5", "1970-01-01T00:00:00Z" if stated == "zero-time" else None, asr_confidence="high", **extra
    )
    lake.storage.write_bytes("landing/utterances/dt=2026-11-27/late.jsonl", late + JAZZ)
    lake.publish(now=at("2026-11-27T01:00:00"))
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-28/fixed.jsonl", _raw("u-zed-5", "2026-11-28T00:00:00Z")
    )
    lake.publish(now=at("2026-11-28T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2", "u-zed-5"}


@pytest.mark.parametrize("form", ["escaped-plus", "nested-twin"])
def test_a_quarantined_original_s_time_is_read_as_json_reads_it(lake, form):
    """The original of a restamped copy in one file, its time written with a JSON escape, or with a device's
    time nested beside it: the line's own time is read, and the copy withheld."""
    _deleted_everything(lake)
    if form == "escaped-plus":
        original = _raw("u-zed-1", "2026-11-22T09:00:00+00:00").replace(b"+00:00", b"\\u002B00:00")
    else:
        original = _raw("u-zed-1", "2026-11-22T09:00:00Z", device={"captured_at": "2026-11-22T09:00:00Z"})
    lake.storage.write_bytes("landing/utterances/dt=2026-11-27/late.jsonl",
                             _raw("u-zed-1", "2026-11-27T00:00:00Z") + original + JAZZ)  # fmt: skip
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert lake.live_ids() == {"u-bob", "u-zed-2"}


def test_a_receipt_completes_only_once_no_copy_of_a_newly_remembered_recording_is_live(lake):
    """The restamped copy published and its original quarantined before the delete-all arrived: the privacy run
    that first remembers the original (its copies purge, after the purge of the live data) keeps the receipt
    open; the next removes the copy and completes it. Whenever the receipt says completed, nothing it covers
    is live."""
    lake.storage.write_bytes(f"{DT}/bob.jsonl", line("u-bob", "bob", "hi"))
    lake.publish(now=at("2026-11-21T01:00:00"))
    lake.storage.write_bytes("landing/utterances/dt=2026-11-27/late.jsonl",
                             _raw("u-zed-1", "2026-11-27T00:00:00Z") + _raw("u-zed-1", "2026-11-22T09:00:00Z")
                             + JAZZ)  # fmt: skip
    lake.publish(now=at("2026-11-27T01:00:00"))
    assert "u-zed-1" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))  # requested 11-25
    for hour in ("02", "03"):
        lake.privacy(now=at(f"2026-11-27T{hour}:00:00"), check_deadlines=False)
        if receipt(lake, "d1")["status"] == "completed":
            break
    assert receipt(lake, "d1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob", "u-zed-2"}
    lake.audit(now=at("2026-11-27T04:00:00"))
