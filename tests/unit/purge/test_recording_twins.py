"""One recording delivered twice under two ids (an at-least-once upstream sent it again under a new
``utterance_id``: same customer, session, turn and words). Dedup publishes one of the two, the earliest
capture then the smaller id; the store records the pair (``io.store.twins``), and a deletion listing
either id reaches the other: the live one is purged and counted on the request, the other never
published, every copy of both erased. A duplicate of another speaker's words is someone else's
recording: untouched. End to end through the DAGs' steps (``tests.pipeline``)."""

from __future__ import annotations

import sqlite3

import pytest
from tests.unit.purge.test_every_copy_edges import deletion, left_in_lake, line, receipt

DT = "landing/utterances/dt=2026-11-20"
LATER = "landing/utterances/dt=2026-11-21"
WORDS = "please turn on the kitchen lights now"
SAME = {"session_id": "s-42", "turn_index": 1}
REDELIVERED = "u-zed-0000-redelivered"  # sorts first: dedup publishes it


def delivered_twice(lake) -> None:
    """zed's recording under the id their app shows and again under the redelivery's id; bob's words."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
        + line(REDELIVERED, "zed-cust-77", WORDS, **SAME)
        + line("u-bob", "bob-cust-11", "what is the weather in paris"),
    )


def listing(*ids: str, request_id: str = "req-1", customer: str = "zed-cust-77") -> bytes:
    return deletion(request_id, customer, "utterances", utterance_ids=list(ids))


def twins(lake) -> list[tuple[str, str]]:
    with lake.store() as store:
        pairs = store.recorded_twins()
    return list(
        zip(pairs.column("utterance_id").to_pylist(), pairs.column("twin_of").to_pylist(), strict=True)
    )


def test_the_listing_of_the_unpublished_twin_removes_the_live_one_and_completes_the_receipt(lake):
    delivered_twice(lake)
    lake.publish()
    assert lake.live_ids() == {REDELIVERED, "u-bob"}
    assert twins(lake) == [("u-zed-0001", REDELIVERED)]
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    done = receipt(lake, "req-1")
    assert done["status"] == "completed"
    assert done["removed"]["published_rows"] == 1  # the twin's live row, counted on the request
    assert lake.live_ids() == {"u-bob"}
    # every copy of both ids went (the landing lines, the decisions), and the pair with them
    assert left_in_lake(lake, WORDS) == [] and left_in_lake(lake, REDELIVERED) == []
    assert twins(lake) == []


def _the_listing_of_the_dropped_id_takes_the_live_twin(lake) -> None:
    """The redelivery is live and paired with the id the app shows; listing that id removes it, every copy."""
    assert lake.live_ids() == {REDELIVERED, "u-bob"}
    assert twins(lake) == [("u-zed-0001", REDELIVERED)]
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}
    assert left_in_lake(lake, WORDS) == []


def test_the_twin_in_another_file_of_the_night_is_a_duplicate_of_the_batch_and_goes_with_it(lake):
    """The redelivery landed in a file of its own: the batch's dedup drops the id the app shows."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-0001", "zed-cust-77", WORDS, **SAME))
    lake.storage.write_bytes(
        f"{DT}/b.jsonl",
        line(REDELIVERED, "zed-cust-77", WORDS, **SAME) + line("u-bob", "bob-cust-11", "hello there"),
    )
    lake.publish()
    _the_listing_of_the_dropped_id_takes_the_live_twin(lake)


def test_the_twin_from_a_later_night_is_a_duplicate_of_the_live_row_and_goes_with_it(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(REDELIVERED, "zed-cust-77", WORDS, **SAME))
    lake.publish()
    lake.storage.write_bytes(
        f"{LATER}/b.jsonl",
        line("u-zed-0001", "zed-cust-77", WORDS, **SAME) + line("u-bob", "bob-cust-11", "hello there"),
    )
    lake.publish()
    _the_listing_of_the_dropped_id_takes_the_live_twin(lake)


def test_the_listing_of_the_published_id_then_a_reprocess_of_the_date_publishes_neither(lake):
    delivered_twice(lake)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing(REDELIVERED))
    # a reprocess of the date before any privacy run (the listing taken in by the publish itself): the
    # twin is no duplicate of anything that may stay, and is deletion_requested with the listed id
    again = lake.publish({"dt_from": "2026-11-20", "dt_to": "2026-11-20", "reprocess": True})
    assert again["counts"].get("deletion_requested") == 2
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert receipt(lake, "req-1")["removed"]["published_rows"] == 1
    assert lake.live_ids() == {"u-bob"}
    # ... and after it (the landing lines of both were erased)
    lake.publish({"dt_from": "2026-11-20", "dt_to": "2026-11-20", "reprocess": True})
    assert lake.live_ids() == {"u-bob"}
    assert left_in_lake(lake, WORDS) == []


def test_a_twin_of_another_speaker_with_the_same_words_is_untouched(lake):
    """bob said zed's words, earlier: dedup published bob's and dropped zed's; zed deletes theirs."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-0001", "zed-cust-77", WORDS, **SAME)
        + line("u-bob-0001", "bob-cust-11", WORDS, captured_at="2026-11-20T09:00:00Z"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-bob-0001"}
    assert twins(lake) == []  # someone else's recording: no pair
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob-0001"}


def test_a_listing_by_another_customer_of_a_twin_id_reaches_nothing_of_zed(lake):
    """A listing covers the requesting customer's ids only: bob naming zed's id removes nothing."""
    delivered_twice(lake)
    lake.publish()
    lake.storage.write_bytes("landing/deletions/d.jsonl", listing("u-zed-0001", customer="bob-cust-11"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {REDELIVERED, "u-bob"}


def test_a_run_where_nothing_is_a_twin_records_nothing(lake):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-0001", "zed-cust-77", WORDS)
        + line("u-zed-0002", "zed-cust-77", "what time is it in tokyo")
        + line("u-bob", "bob-cust-11", WORDS, captured_at="2026-11-20T11:00:00Z")  # another speaker's
        + line("u-zed-0002", "zed-cust-77", "what time is it in tokyo"),  # one id sent twice
    )
    lake.publish()
    assert lake.live_ids() == {"u-zed-0001", "u-zed-0002"}
    assert twins(lake) == []


def test_a_delete_all_erases_the_speakers_twins(lake):
    delivered_twice(lake)
    lake.publish()
    assert twins(lake) == [("u-zed-0001", REDELIVERED)]
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "zed-cust-77"))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "req-1")["status"] == "completed"
    assert lake.live_ids() == {"u-bob"}
    assert twins(lake) == []


def test_the_store_keeps_ids_only(lake):
    delivered_twice(lake)
    lake.publish()
    con = sqlite3.connect(lake.database_url.removeprefix("sqlite:///"))
    try:
        rows = con.execute("select * from recording_twins").fetchall()
    finally:
        con.close()
    assert rows == [("u-zed-0001", REDELIVERED, "assistant-sft")]


@pytest.fixture
def old_store(tmp_path):
    from utterance_governance.io.store import GovernanceStore

    store = GovernanceStore(f"sqlite:///{tmp_path / 'governance.db'}")
    yield store
    store.dispose()


def test_the_migration_upgrades_from_the_revision_before_it_and_downgrades(old_store):
    """0014 on top of the revision before it (0013), and back."""
    from alembic import command
    from sqlalchemy import inspect

    from utterance_governance.io import migrations

    before = migrations.revisions()[migrations.revisions().index("0014") - 1]
    with old_store._write() as conn:
        command.upgrade(migrations.config(conn), before)
    assert "recording_twins" not in inspect(old_store.engine).get_table_names()
    with old_store._write() as conn:
        command.upgrade(migrations.config(conn), "0014")
    tables = inspect(old_store.engine)
    assert "recording_twins" in tables.get_table_names()
    assert {i["name"] for i in tables.get_indexes("recording_twins")} == {"ix_recording_twins_twin_of"}
    assert {c["name"] for c in tables.get_columns("recording_twins")} == {
        "utterance_id",
        "twin_of",
        "dataset",
    }
    with old_store._write() as conn:
        command.downgrade(migrations.config(conn), before)
    assert "recording_twins" not in inspect(old_store.engine).get_table_names()


def _twelve_twins(lake, folder: str, night: int) -> None:
    """Twelve speakers each delivering one recording twice (the redelivery sorts first), and a
    thirteenth saying the first speaker's words: spread over the content partitions by their words."""
    lines = b""
    for i in range(12):
        words = f"please remind me about appointment number {night}-{i} tomorrow"
        same = {"session_id": f"s-{night}-{i}", "turn_index": 1}
        lines += line(f"u-{night}-{i:02d}-b", f"cust-{i:02d}", words, **same)
        lines += line(f"u-{night}-{i:02d}-a", f"cust-{i:02d}", words, **same)
    lines += line(
        f"u-{night}-other", "cust-99", f"please remind me about appointment number {night}-0 tomorrow"
    )
    lake.storage.write_bytes(f"{folder}/a.jsonl", lines)


@pytest.mark.parametrize("partition_bytes", [10**9, 300], ids=["one partition", "many partitions"])
def test_twins_spread_over_content_partitions_are_all_recorded(tmp_path, partition_bytes):
    """The night's twin candidates are kept by content partition and recorded one partition at a time:
    every pair is found whatever the partition count, tonight's (both deliveries in the batch) and an
    earlier night's (the live row found in the ledger). Another speaker's same words: no pair."""
    import json

    from tests.pipeline import Lake

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"partition_bytes": partition_bytes}))
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(policy))
    _twelve_twins(lake, DT, 1)
    if partition_bytes == 300:
        from utterance_governance.publish.partitions import partition_count

        size = len(lake.storage.read_bytes(f"{DT}/a.jsonl"))
        assert partition_count([("a.jsonl", size)], partition_bytes) >= 12
    lake.publish()
    tonight = [(f"u-1-{i:02d}-b", f"u-1-{i:02d}-a") for i in range(12)]
    assert sorted(twins(lake)) == sorted(tonight)
    # the next night the upstream delivers the first night's recordings a third time, under new ids
    lines = b""
    for i in range(12):
        words = f"please remind me about appointment number 1-{i} tomorrow"
        lines += line(f"u-1-{i:02d}-c", f"cust-{i:02d}", words, session_id=f"s-1-{i}", turn_index=1)
    lake.storage.write_bytes(f"{LATER}/b.jsonl", lines)
    lake.publish()
    later = [(f"u-1-{i:02d}-c", f"u-1-{i:02d}-a") for i in range(12)]
    assert sorted(twins(lake)) == sorted(tonight + later)
    staging = [f.path for f in lake.storage.list_files("staging", (".parquet",))]
    assert staging == []  # the candidates went with the run's staging
