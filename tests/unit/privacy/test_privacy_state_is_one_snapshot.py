"""The privacy state a decision is taken against is read in one snapshot (review 14a, F08).

It was five read transactions, one after another: a record taken in by a concurrent intake between two of
them that *released* a hold (the same delete-all, or the same opt-out, sent again readable) was seen by
the later read and missed by the earlier one, so the state held neither the hold nor the record that
released it, and the customer's rows were usable. The publish's re-check under the dataset lock and every
``process_file`` decide against that state. Now every part is read in one transaction that is a snapshot
(REPEATABLE READ on PostgreSQL, one ``BEGIN`` on SQLite's WAL), the holds before the records.

The concurrent intake is made to commit, on another connection, just before each part is read in turn."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.policy import Policy
from utterance_governance.privacy import privacy_verdict

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ROW = pa.table({"utterance_id": ["u1"], "customer_id": ["zed"], "locale": ["en-US"],
                "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
                "landed_at": pa.array([datetime(2026, 11, 20, 11, tzinfo=UTC)], pa.timestamp("us", tz="UTC"))})  # fmt: skip
# each part of the state, read on the snapshot's connection
PARTS = ["_held_customers", "_blocked_reasons", "_doubt_opt_outs", "_consent_events", "_deletion_requests"]
DELETE_ALL = {"request_id": "r1", "customer_id": "zed", "scope": "all", "requested_at": "2026-11-25"}
OPT_OUT = {"event_id": "e1", "customer_id": "zed", "purpose": "model_training", "status": "opted_out",
           "effective_at": "2026-11-15T00:00:00Z", "recorded_at": "2026-11-15T00:00:00Z", "source": 7}  # fmt: skip


def _take_in(store, storage: Storage, path: str, record: dict) -> None:
    storage.write_bytes(path, json.dumps(record).encode() + b"\n")
    folder = path.split("/")[1]
    read = read_landing_file(storage, path, folder)
    records = read.records.drop_columns(["source_file", "landed_at"])
    ingest = store.ingest_consent_events if folder == "consent" else store.ingest_deletion_requests
    ingest(records, path, quarantined=read.quarantine)


def _usable(state) -> bool:
    return bool(privacy_verdict(ROW, state, Policy(), NOW, b"k" * 32).usable[0])


def _intake_before(store, part: str, intake) -> None:
    """Commit ``intake`` on another connection just before ``part`` is read, the first time it is."""
    read_part = getattr(store, part)

    def part_after_a_concurrent_intake(*args):
        store.__dict__.pop(part)
        intake()
        return read_part(*args)

    setattr(store, part, part_after_a_concurrent_intake)


@pytest.mark.parametrize("part", PARTS)
def test_a_delete_all_sent_again_readable_during_the_read_never_leaves_the_row_usable(store, tmp_path, part):
    storage = Storage(str(tmp_path / "lake"))
    _take_in(store, storage, "landing/deletions/a.jsonl", DELETE_ALL)  # no time in requested_at: unreadable
    assert store.held_customers() == {"zed"} and not _usable(store.privacy_state())

    resend = {**DELETE_ALL, "requested_at": "2026-11-25T00:00:00Z"}
    _intake_before(store, part, lambda: _take_in(store, storage, "landing/deletions/b.jsonl", resend))
    state = store.privacy_state()
    assert part not in store.__dict__, "the part was not read"
    assert not _usable(state), "the state held neither the hold nor the delete-all that released it"
    assert not _usable(store.privacy_state())  # after it: the delete-all itself


@pytest.mark.parametrize("part", PARTS)
def test_an_opt_out_sent_again_readable_during_the_read_never_leaves_the_row_usable(store, tmp_path, part):
    storage = Storage(str(tmp_path / "lake"))
    _take_in(store, storage, "landing/consent/a.jsonl", OPT_OUT)  # a source that is no string: unreadable
    assert not _usable(store.privacy_state())

    resend = {**OPT_OUT, "source": "app"}
    _intake_before(store, part, lambda: _take_in(store, storage, "landing/consent/b.jsonl", resend))
    state = store.privacy_state()
    assert part not in store.__dict__, "the part was not read"
    assert not _usable(state), "the state held neither the hold, the doubt, nor the opt-out that answered it"
    assert not _usable(store.privacy_state())


def test_the_snapshot_digest_is_of_one_state(store, tmp_path):
    """``privacy_snapshot`` (the state's hash a run records) reads in one snapshot too: a release committed
    between its statements does not make a hash of no state that ever was."""
    storage = Storage(str(tmp_path / "lake"))
    _take_in(store, storage, "landing/deletions/a.jsonl", DELETE_ALL)
    before = store.privacy_snapshot()
    _intake_before(store, "_held_customers",
                   lambda: _take_in(store, storage, "landing/deletions/b.jsonl",
                                    {**DELETE_ALL, "requested_at": "2026-11-25T00:00:00Z"}))  # fmt: skip
    during = store.privacy_snapshot()
    assert "_held_customers" not in store.__dict__
    assert (during["deletion_requests"], during["held_customers"]) == (0, 1)
    assert during["sha256"] == before["sha256"]
    after = store.privacy_snapshot()
    assert (after["deletion_requests"], after["held_customers"]) == (1, 0)
