"""A recording delivered again under a new id after a deletion listing named its first id (an upstream that
delivers at least once): the store keeps the speaker key and content hash of each recording a listing covers
(``io.store.deleted``), and a row of the same speaker and content is a duplicate, never published. Another
speaker's same words are someone else's recording: published. End to end through the DAGs' steps."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import create_engine, select
from tests.unit.purge.test_every_copy_edges import deletion, line, receipt
from tests.unit.purge.test_recording_twins import DT, LATER, SAME, WORDS, listing
from tests.unit.purge.test_rekey_seams import NEW, _rotate

from utterance_governance.io.store_schema import deleted_recordings

LAST = "landing/utterances/dt=2026-11-22"


def _decision(lake, uid: str) -> str:
    found = set()
    for info in lake.storage.list_files("decisions", (".parquet",)):
        for row in lake.storage.read_parquet(info.path, ["utterance_id", "reason"]).to_pylist():
            if row["utterance_id"] == uid:
                found.add(row["reason"])
    assert len(found) == 1, found
    return found.pop()


def _recorded(lake) -> list[tuple[str, str]]:
    engine = create_engine(lake.database_url)
    try:
        with engine.connect() as conn:
            d = deleted_recordings
            return sorted(tuple(r) for r in conn.execute(select(d.c.dataset, d.c.request_id)))
    finally:
        engine.dispose()


def _redelivered(lake, folder: str, uid: str = "u-zed-again") -> None:
    """zed's recording again under ``uid``, and bob saying the same words an hour later (were zed's row
    published, bob's would be its duplicate)."""
    lake.storage.write_bytes(f"{folder}/r.jsonl", line(uid, "zed-cust-77", WORDS, **SAME))
    # (in a file of its own: a file's own dedup knows no deleted recording, and would drop bob's words as
    # a duplicate of zed's redelivery: not published, on the safe side)
    lake.storage.write_bytes(
        f"{folder}/s.jsonl", line("u-bob-same", "bob-cust-11", WORDS, captured_at="2026-11-20T11:00:00Z")
    )


def test_a_redelivery_after_the_listing_was_carried_out_is_not_published(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    lake.publish()
    assert lake.live_ids() == {"u-zed-0001"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == set()
    assert _recorded(lake) == [("assistant-sft", "req-1")]  # by the purge: no id, no text
    _redelivered(lake, LATER)
    lake.publish()
    assert lake.live_ids() == {"u-bob-same"}  # bob's same words: his own recording
    assert _decision(lake, "u-zed-again") == "duplicate"
    lake.audit()


def test_a_redelivery_decided_with_the_listing_the_same_night_is_not_published(lake):
    """The listing read first; the listed recording and its redelivery land the same night, in two files."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    _redelivered(lake, DT)
    lake.publish()
    assert lake.live_ids() == {"u-bob-same"}
    assert _decision(lake, "u-zed-again") == "duplicate"
    assert _recorded(lake) == [("assistant-sft", "req-1")]  # recorded after the switch, for later nights
    _redelivered(lake, LATER, uid="u-zed-third")
    lake.publish()
    assert lake.live_ids() == {"u-bob-same"}
    assert _decision(lake, "u-zed-third") == "duplicate"


def test_other_words_of_the_same_speaker_are_published(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(
        f"{LATER}/b.jsonl", line("u-zed-other", "zed-cust-77", "what is the weather in oslo")
    )
    lake.publish()
    assert lake.live_ids() == {"u-zed-other"}


def test_a_key_rotation_keeps_the_deleted_recordings(lake, monkeypatch):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    _redelivered(lake, LATER)
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-bob-same"}


def test_a_delete_all_erases_the_deleted_recordings_of_its_customers_earlier_listings(lake):
    """Its own rule covers every recording captured before it, redelivered or not: no speaker key of the
    customer stays in the store."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-zed-0002", "zed-cust-77", "play some jazz"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    # a day after the listing, in another case (one customer)
    lake.storage.write_bytes("landing/deletions/e.jsonl",
                             deletion("req-2", "Zed-Cust-77", requested_at="2026-11-26T00:00:00Z"))  # fmt: skip
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-2")["status"] == "completed"
    assert _recorded(lake) == []
    _redelivered(lake, LAST)  # captured before the delete-all: its rule covers it
    lake.publish()
    assert lake.live_ids() == {"u-bob-same"}


@pytest.mark.parametrize("read_whole", [200_000, 0], ids=["read-whole", "by-hash"])
def test_the_store_finds_the_deleted_recordings_of_given_contents(store, monkeypatch, read_whole):
    """(SQLite and PostgreSQL) recorded once per speaker and content, found by content, of one dataset only;
    re-keyed by a rotation (a key no customer explains goes); erased by listing."""
    import pyarrow as pa

    from utterance_governance.io.store import deleted

    monkeypatch.setattr(deleted, "_READ_WHOLE", read_whole)
    rows = pa.table({"speaker_key": ["s1", "s1", "s2", "s3"], "content_hash": ["h1", "h1", "h1", "h2"],
                     "request_id": ["r2", "r1", "r1", "r1"]})  # fmt: skip
    assert store.record_deleted_recordings("ds", rows) == 3
    assert store.record_deleted_recordings("other", rows.slice(3)) == 1

    def found(dataset: str, hashes: list[str | None]) -> list[tuple[str, str]]:
        table = store.deleted_recordings_of(dataset, pa.array(hashes, pa.string()))
        return sorted(
            zip(
                table.column("speaker_key").to_pylist(), table.column("content_hash").to_pylist(), strict=True
            )
        )

    assert found("ds", ["h1", "h9", None]) == [("s1", "h1"), ("s2", "h1")]
    assert found("ds", ["h9"]) == [] and found("other", ["h1"]) == []
    held = store.all_deleted_recordings()
    assert ("ds", "s1", "h1", "r1", None) in {
        tuple(r.values()) for r in held.to_pylist()
    }  # the first request
    # (s2: explained by no customer, goes)
    assert store.rekey_deleted_recordings(pa.array(["s1", "s3"]), pa.array(["t1", "t3"])) == 3
    assert found("ds", ["h1"]) == [("t1", "h1")] and found("other", ["h2"]) == [("t3", "h2")]
    assert store.erase_deleted_recordings("ds", ["r1", "r9"]) == 2  # (by listing: those a delete-all covers)
    assert found("ds", ["h1", "h2"]) == [] and found("other", ["h2"]) == [("t3", "h2")]


def test_a_rotation_keeps_a_recording_no_id_explains_under_its_listings_fold(store):
    """(SQLite and PostgreSQL) a row no known id explains is kept under its listing's customer's fold (speaker
    key and fold digest); one of a listing the store no longer knows goes; a fold row stays one at the next
    rotation, made again from its listing; an exact row and a fold row of one key and content become one."""
    import pyarrow as pa

    from utterance_governance.io.store.deleted import repeats_by_fold

    rows = pa.table({"speaker_key": ["s1", "orphan", "lost", "sf"], "content_hash": ["h1", "h2", "h3", "h2"],
                     "request_id": ["r1", "r1", "r-gone", "r1"]})  # fmt: skip
    assert store.record_deleted_recordings("ds", rows) == 4
    listings = pa.table({"request_id": ["r1"], "speaker_key": ["fold-sk"], "fold_key": ["fold-fk"]})
    # (sf: the fold's own speaker key under the old key, re-keyed to the same row the orphan becomes)
    assert store.rekey_deleted_recordings(pa.array(["s1", "sf"]), pa.array(["t1", "fold-sk"]), listings) == 2
    held = {
        (r["speaker_key"], r["content_hash"], r["fold_key"])
        for r in store.all_deleted_recordings().to_pylist()
    }
    assert held == {("t1", "h1", None), ("fold-sk", "h2", "fold-fk")}
    again = pa.table({"request_id": ["r1"], "speaker_key": ["fold-sk-2"], "fold_key": ["fold-fk-2"]})
    assert store.rekey_deleted_recordings(pa.array(["t1"]), pa.array(["u1"]), again) == 2
    found = store.deleted_recordings_of("ds", pa.array(["h2"]))
    assert found.to_pylist() == [{"speaker_key": "fold-sk-2", "content_hash": "h2", "fold_key": "fold-fk-2"}]
    # a night's rows: one in another spelling (its pair names the fold), one of another customer, one of another
    # content; a row with no pair is matched by its speaker key, not here
    night = pa.table(
        {"speaker_key": ["Zed", "bob", "Zed", "nopair"], "content_hash": ["h2", "h2", "h9", "h2"]}
    )
    pairs = pa.table({"fold_key": ["fold-fk-2", "bob-fk"], "speaker_key": ["Zed", "bob"]})
    assert repeats_by_fold(night, found, pairs).tolist() == [True, False, False, False]


def test_an_older_delete_all_keeps_the_recordings_a_later_listing_deleted(lake):
    """The customer deleted everything, then used the assistant again and listed a new recording: the delete-all
    does not cover it (captured after it), so every privacy run that judges the delete-all again keeps it
    recorded, and its redelivery stays a duplicate."""
    lake.storage.write_bytes("landing/deletions/all.jsonl",
                             deletion("req-all", "zed-cust-77", requested_at="2026-11-15T00:00:00Z"))  # fmt: skip
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    lake.publish()
    assert lake.live_ids() == {"u-zed-0001"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == set()
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    _redelivered(lake, LATER)
    lake.publish()
    assert lake.live_ids() == {"u-bob-same"}
    assert _decision(lake, "u-zed-again") == "duplicate"


def test_which_listings_a_delete_all_covers():
    """By the customer's fold, their latest delete-all, and the clock skew a capture time may have."""
    from datetime import datetime, timedelta

    import pyarrow as pa

    from utterance_governance.io.store.deleted import listings_a_delete_all_covers

    def at(day: int, hour: int = 0) -> datetime:
        return datetime(2026, 11, day, hour, tzinfo=UTC)

    rows = [("l-before", "zed", "utterances", at(10)), ("all-1", "ZED", "all", at(12)),
            ("l-between", "zed", " Utterances ", at(13)), ("all-2", "zed", "ALL", at(14)),
            ("l-skew", "zed", "utterances", at(13, 23) + timedelta(minutes=58)),
            ("l-after", "zed", "utterances", at(15)), ("l-other", "bob", "utterances", at(1)),
            ("r-range", "zed", "range", at(1))]  # fmt: skip
    table = pa.table(
        {
            name: [r[i] for r in rows]
            for i, name in enumerate(["request_id", "customer_id", "scope", "requested_at"])
        }
    )
    assert listings_a_delete_all_covers(table, timedelta(minutes=5)) == ["l-before", "l-between"]
    assert listings_a_delete_all_covers(table, timedelta(days=5)) == []
    assert listings_a_delete_all_covers(table.filter(pa.array([r[2] != "all" and r[2] != "ALL" for r in rows])),
                                        timedelta(0)) == []  # fmt: skip


def test_a_listing_carried_out_before_any_publish_read_the_recording_still_knows_it(lake):
    """The listing arrives the day the recording lands: the hourly purge erases its landing line before the
    nightly publish read it, hashing the line's text as a publishable row's is; the redelivery is a duplicate."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    _redelivered(lake, LATER)
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-bob-same"}
    assert _decision(lake, "u-zed-again") == "duplicate"


def test_a_dry_run_purge_records_nothing(lake):
    from utterance_governance.jobs import privacy

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    with lake._environment():
        ctx = lake.context("privacy_requests", {"dry_run": True})
        assert ctx.dry_run
        privacy.ingest(ctx)
        copied = privacy.purge_copies(ctx)
    assert copied["by_request"]["req-1"]["landing_rows"] == 1  # (found, not erased)
    assert _recorded(lake) == []


@pytest.mark.parametrize(
    ("files", "purged"),
    [(1, True), (2, True), (1, False)],
    ids=["same-file", "another-file", "taken-in-only"],
)
def test_a_listing_carried_out_while_the_publish_runs_is_known_to_later_nights(lake, files, purged):
    """The listing lands and its purge runs after the night decided the recording, before it published: the purge
    erases the staged row (a staged row's speaker key and content hash), and the redelivery, decided that night
    (the recording's duplicate in its own file, or a row of another file), is never published. Taken in and not
    carried out yet: the re-check under the lock withholds the row and keeps it."""
    zed = line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
    again = line("u-zed-again", "zed-cust-77", WORDS, **SAME)
    bob = line("u-bob", "bob-cust-11", "what is the weather in paris")
    if files == 1:
        lake.storage.write_bytes(f"{DT}/a.jsonl", zed + again + bob)
    else:
        lake.storage.write_bytes(f"{DT}/a.jsonl", zed + bob)
        lake.storage.write_bytes(f"{DT}/b.jsonl", again)

    def the_listing_is_carried_out():
        from utterance_governance.jobs import privacy

        lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
        if purged:
            lake.privacy(check_deadlines=False)
        else:
            with lake._environment():
                privacy.ingest(lake.context("privacy_requests"))

    lake.publish(between=the_listing_is_carried_out)
    assert lake.live_ids() == {"u-bob"}
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    lake.privacy(check_deadlines=False)
    lake.publish()  # (the night's held duplicate decided again)
    assert lake.live_ids() == {"u-bob"}


@pytest.mark.parametrize("spelling", ["Zed-Cust-77", "zed-cust-77"])
def test_a_rotation_keeps_the_recording_a_listing_in_another_case_deleted(lake, monkeypatch, spelling):
    """The listing names ``zed-cust-77``, the recording was ``Zed-Cust-77``'s, and its purge erased every copy
    of that spelling: no id the rotation knows explains its speaker key. Kept under the listing's fold, its
    redelivery in either spelling is still a duplicate."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "Zed-Cust-77", WORDS, **SAME)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001", customer="zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed" and lake.live_ids() == {"u-bob"}
    assert _rotate(lake, monkeypatch) == 0
    lake.key = NEW
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    _redelivered(lake, LATER)  # (bob's same words: published)
    lake.storage.write_bytes(f"{LATER}/r.jsonl", line("u-zed-again", spelling, WORDS, **SAME))
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-bob-same"}
    assert _decision(lake, "u-zed-again") == "duplicate"


def test_a_purge_while_a_publish_runs_searches_the_staged_deleted_recordings(lake):
    """The night stages the recordings a listing withheld (speaker key, content hash, request: no utterance id):
    a purge that runs meanwhile judges them by speaker, not as a file of no shape it knows (which kept every
    receipt of that run open)."""
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    ran = {}

    def a_delete_all_is_carried_out():
        assert lake.storage.list_files("staging", (".parquet",))
        lake.storage.write_bytes("landing/deletions/e.jsonl", deletion("req-2", "zed-cust-77"))
        ran.update(lake.privacy(check_deadlines=False))

    lake.publish(between=a_delete_all_is_carried_out)
    assert ran["copies"]["unrecognised_files"] == []
    assert not [p for p in ran["copies"]["problems"] if "not searched" in p]
    assert ran["copies"]["rows_removed"]["staging"] >= 1  # (zed's staged recording, by its speaker key)
    assert lake.live_ids() == {"u-bob"}


def test_an_old_delete_all_judged_again_while_the_publish_runs_leaves_the_staged_recording_of_a_listing(lake):
    """The night withheld a recording listed after an old delete-all and staged it (speaker key, content hash,
    its times) to record after its switch; a privacy run meanwhile judges the delete-all again, and judges the
    staged row by its times, as any staged row: captured after the delete-all, it is not covered, stays, and is
    recorded (judged by its speaker alone, it was taken for covered and never recorded)."""
    lake.storage.write_bytes(
        "landing/deletions/all.jsonl", deletion("req-all", "zed-cust-77", requested_at="2026-11-15T00:00:00Z")
    )
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
                             + line("u-bob", "bob-cust-11", "what is the weather in paris"))  # fmt: skip
    lake.publish(between=lambda: lake.privacy(check_deadlines=False))
    assert _recorded(lake) == [("assistant-sft", "req-1")]
    _redelivered(lake, LATER)
    lake.publish()
    assert lake.live_ids() == {"u-bob", "u-bob-same"}
