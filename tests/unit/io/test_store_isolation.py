"""One bad record is one bad record (SPEC §4.1): a record the database cannot take is quarantined,
holds its customer, and never stops the ingest of the others — on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from utterance_governance.io.readers import read_landing_file
from utterance_governance.io.storage import Storage


def _event(i: int, customer: str, **changes) -> dict:
    return {"event_id": f"e{i}", "customer_id": customer, "purpose": "model_training", "status": "opted_out",
            "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app",
            **changes}  # fmt: skip


def test_a_nul_byte_in_one_record_quarantines_that_record_only(store, tmp_path):
    lake = Storage(str(tmp_path / "lake"))
    rel = "landing/consent/a.jsonl"
    events = [_event(1, "c1"), _event(2, "c2", source="app\u0000web"), _event(3, "c3")]
    lake.write_bytes(rel, b"\n".join(json.dumps(e).encode() for e in events) + b"\n")
    read = read_landing_file(lake, rel, "consent")
    assert read.records.num_rows == 3  # well-formed: only the database refuses the NUL (PostgreSQL)

    new = store.ingest_consent_events(read.records.drop_columns(["source_file", "landed_at"]), rel,
                                      quarantined=read.quarantine)  # fmt: skip
    stored = sorted(store.consent_events().column("customer_id").to_pylist())
    if store.backend == "postgresql":
        assert (new, stored) == (2, ["c1", "c3"])
        [held] = store.privacy_quarantine()
        assert (held["line"], held["customer_id"], held["record_id"]) == (2, "c2", "e2")
        assert held["detail"].startswith("unstorable:")
        assert store.held_customers() == {"c2"}
    else:  # SQLite stores the NUL: the record is valid there
        assert (new, stored) == (3, ["c1", "c2", "c3"])
    assert store.privacy_blocked_reasons() == []
    # idempotent: the same file again changes nothing
    assert store.ingest_consent_events(read.records.drop_columns(["source_file", "landed_at"]), rel,
                                       quarantined=read.quarantine) == 0  # fmt: skip


def test_unreadable_ids_with_control_characters_are_stored_escaped(store, tmp_path):
    lake = Storage(str(tmp_path / "lake"))
    rel = "landing/consent/b.jsonl"
    lake.write_bytes(rel, json.dumps(_event(1, "c1", event_id="e\u00001")).encode() + b"\n")
    read = read_landing_file(lake, rel, "consent")
    assert read.quarantine.column("detail").to_pylist() == ["invalid_id:event_id"]
    store.ingest_consent_events(read.records.drop_columns(["source_file", "landed_at"]), rel,
                                quarantined=read.quarantine)  # fmt: skip
    [held] = store.privacy_quarantine()
    assert (held["record_id"], held["customer_id"]) == ("e\\x001", "c1")
    assert store.held_customers() == {"c1"}


def test_a_lease_is_renewed_while_the_step_holding_it_writes(store):
    """A long write of the step that holds the dataset lock never stops its lease's renewal (on SQLite
    the locks have a database file of their own): the lock is not lost, nobody can take it over."""
    import threading
    import time

    from sqlalchemy import text

    with store.dataset_lock("ds", owner="purge", lease_s=0.3) as lock:
        done = threading.Event()

        def long_write() -> None:
            with store._write() as conn:  # the step's own long transaction on the store
                conn.execute(text("UPDATE store_meta SET value = value WHERE key = 'schema_version'"))
                done.wait(1.5)

        writer = threading.Thread(target=long_write)
        writer.start()
        time.sleep(1.2)  # four leases long
        lock.assert_held()
        assert store.lock_holder("ds")["token"] == lock.token
        done.set()
        writer.join()
    assert store.lock_holder("ds") is None
