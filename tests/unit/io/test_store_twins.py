"""The store's recording twins (``io.store.twins``) on SQLite and PostgreSQL: the duplicates' live rows
looked up by content, the pairs recorded in bulk and replaced when recorded again, a listed id's recording
found whichever of its ids is named, and the pairs erased with a completed listing, with their live row's
ledger rows (not while an open listing names them)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from utterance_governance.io.store.twins import TWIN_PAIRS, twin_pairs

DS = "assistant-sft"
T0 = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)


def live(store) -> None:
    rows = pa.table({
        "shard_path": ["v1/a.parquet"] * 3,
        "utterance_id": ["u-live", "u-bob", "u-other"],
        "speaker_key": ["zed", "bob", "zed"],
        "content_hash": ["h-lights", "h-weather", "h-time"],
        "captured_at": pa.array([T0] * 3, pa.timestamp("us", tz="UTC")),
    })  # fmt: skip
    store.record_version(DS, "v1", None, "r1", T0, None, "live")
    store.insert_ledger_rows(DS, "v1", rows)


def pairs(store) -> list[tuple[str, str]]:
    return [tuple(r.values()) for r in store.recorded_twins(DS).to_pylist()]


def test_the_duplicates_of_a_live_row_of_their_speaker_are_recorded_once(store):
    live(store)
    duplicates = pa.table({
        "utterance_id": ["u-dup", "u-dup-2", "u-bob-says-lights", "u-live", "u-new"],
        "speaker_key": ["zed", "zed", "bob", "zed", "zed"],
        "content_hash": ["h-lights", "h-lights", "h-lights", "h-lights", "h-unknown"],
    })  # fmt: skip
    found = store.live_rows_of_content(DS, "v1", duplicates.column("content_hash"))
    assert sorted(found.column("utterance_id").to_pylist()) == ["u-live"]
    made = twin_pairs(duplicates, found)
    assert made.schema == TWIN_PAIRS
    assert store.record_twins(DS, made) == 2
    assert store.record_twins(DS, made) == 2  # a retried publish: replaced, not twice
    assert pairs(store) == [("u-dup", "u-live"), ("u-dup-2", "u-live")]
    # whichever id is named (in another case too), the recording's other ids
    named = store.twins_of_listed(["U-DUP"]).to_pylist()
    assert named == [
        {"utterance_id": "u-dup", "twin_id": "u-dup-2"},
        {"utterance_id": "u-dup", "twin_id": "u-live"},
    ]
    assert {r["twin_id"] for r in store.twins_of_listed(["u-live"]).to_pylist()} == {"u-dup", "u-dup-2"}
    assert store.twins_of_listed(["u-bob", "u-nothing"]).num_rows == 0


def pair(duplicate: str, live_id: str) -> pa.Table:
    return pa.table({"utterance_id": [duplicate], "twin_of": [live_id]})


def test_the_pairs_go_with_their_live_rows_but_not_while_an_open_listing_names_them(store):
    live(store)
    store.record_twins(DS, pair("u-dup", "u-live"))
    store.record_twins(DS, pair("u-dup-t", "u-other"))
    listing = deletions({"request_id": "req-1", "customer_id": "zed", "scope": "utterances",
                         "utterance_ids": ["u-dup-t"]})  # fmt: skip
    store.ingest_deletion_requests(listing, "landing/deletions/d.jsonl")
    # the privacy state reads the open listing's recording
    assert store.privacy_state().twins.to_pylist() == [{"utterance_id": "u-dup-t", "twin_id": "u-other"}]
    assert store.delete_ledger_rows(DS, utterance_ids=["u-other"]) == 1
    assert pairs(store) == [("u-dup", "u-live"), ("u-dup-t", "u-other")]  # named: kept
    # its receipt completed: every copy of both ids went, and the pair does
    store.upsert_receipt("req-1", status="completed", received_at=T0, deadline_at=T0, completed_at=T0)
    assert store.privacy_state().twins.num_rows == 0
    assert store.forget_twins_of_requests(["req-1"]) == 1
    assert pairs(store) == [("u-dup", "u-live")]
    assert store.delete_ledger_rows(DS, utterance_ids=["u-live"]) == 1  # named by no listing: goes
    assert pairs(store) == []
    store.record_twins(DS, pair("u-dup", "u-bob"))
    store.delete_ledger_rows(DS, speaker_keys=["bob"])  # a speaker's rows erased: their pairs with them
    assert pairs(store) == []


def deletions(*requests: dict) -> pa.Table:
    from utterance_governance.schema import DELETION

    defaults = {"scope": "all", "from": None, "to": None, "utterance_ids": None, "requested_at": T0}
    return pa.Table.from_pylist([{**defaults, **r} for r in requests], schema=DELETION)
