"""The ways the privacy guarantee failed open when tried with inputs a little off the happy path,
each run end to end through the DAGs' steps on SQLite and PostgreSQL. (The wrong key, the held
customer's live rows, the symlink and the names that flatten alike are in ``test_doubt_and_keys.py``
and ``test_lake_edge.py``.)"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from tests.pipeline import Lake

from utterance_governance.purge.receipts import receipt_path

DATASET = "assistant-sft"
DT = "landing/utterances/dt=2026-11-20"
T = "2026-11-20T10:00:00Z"


def line(uid: str, customer: str, text: str, *, captured: str = T, ascii_only: bool = False) -> bytes:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": "en-US",
           "transcript": text, "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    return json.dumps(row, ensure_ascii=ascii_only).encode() + b"\n"


def consent(
    customer: str, *, status: str = "opted_out", purpose: str = "model_training", source: str = "app"
) -> bytes:
    return json.dumps({"event_id": f"e-{abs(hash((customer, status, purpose, source)))}", "customer_id": customer,
                       "purpose": purpose, "status": status, "effective_at": "2026-11-21T00:00:00Z",
                       "recorded_at": "2026-11-21T00:00:00Z", "source": source}).encode() + b"\n"  # fmt: skip


def deletion(customer: str, scope: str = "all", **extra) -> bytes:
    return json.dumps({"request_id": f"d-{abs(hash((customer, scope)))}", "customer_id": customer, "scope": scope,
                       "requested_at": "2026-11-25T00:00:00Z", **extra}).encode() + b"\n"  # fmt: skip


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/base.jsonl", line("u-base", "bystander", "what time does the bakery open")
    )
    return lake


def test_an_opt_out_whose_customer_id_has_a_trailing_space_is_honoured(lake):
    lake.storage.write_bytes("landing/consent/a.jsonl", consent("c1 "))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the living room"))
    lake.publish()
    assert lake.live_ids() == {"u-base"}


def test_an_opt_out_whose_purpose_is_spelled_model_training_in_title_case_is_honoured(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the living room"))
    lake.publish()
    lake.storage.write_bytes(
        "landing/consent/a.jsonl", consent("c1", purpose="Model_Training", status=" OPTED_OUT")
    )
    lake.privacy()
    assert lake.live_ids() == {"u-base"}


def test_a_deletion_naming_the_nfd_spelling_of_an_nfc_id_deletes(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "Amélie", "set an alarm for six thirty"))
    lake.publish()
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("Ame\u0301lie"))
    lake.privacy()
    assert lake.live_ids() == {"u-base"}
    assert b"six thirty" not in lake.storage.read_bytes(f"{DT}/a.jsonl")


def test_a_delete_all_customers_utterance_claiming_a_future_capture_is_not_published(lake):
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("c1"))
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", line("u-future", "c1", "my new pin is on the fridge", captured=future)
    )
    lake.publish()
    assert lake.live_ids() == {"u-base"}
    [quarantined] = lake.storage.list_files("quarantine/utterances", (".parquet",))
    assert lake.storage.read_parquet(quarantined.path).column("detail").to_pylist() == [
        "future_timestamp:captured_at"
    ]
    # a delete-all made after the file landed reaches it, whatever capture time it claims
    later = json.loads(deletion("c1"))
    later.update(request_id="d-later", requested_at=datetime.now(UTC).isoformat())
    lake.storage.write_bytes("landing/deletions/b.jsonl", json.dumps(later).encode() + b"\n")
    lake.privacy()
    assert lake.storage.read_parquet(quarantined.path).num_rows == 0
    assert b"pin is on the fridge" not in lake.storage.read_bytes(f"{DT}/a.jsonl")


@pytest.mark.parametrize("encoding", ["jsonl", "jsonl.gz"])
def test_a_json_escaped_non_ascii_id_is_found_again_by_a_later_deletion(lake, encoding):
    data = line("u-zoe", "Zoë", "remind me to call my sister on sunday", ascii_only=True)
    assert b"\\u00eb" in data  # how most JSON writers spell it
    rel = f"{DT}/z.{encoding}"
    lake.storage.write_bytes(rel, gzip.compress(data) if encoding.endswith("gz") else data)
    lake.publish()
    assert "u-zoe" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("Zoë"))
    result = lake.privacy()
    assert result["copies"]["rows_removed"]["landing"] == 1
    raw = lake.storage.read_bytes(rel)
    assert b"sister" not in (gzip.decompress(raw) if encoding.endswith("gz") else raw)
    receipt = json.loads(lake.storage.read_bytes(receipt_path(json.loads(deletion("Zoë"))["request_id"])))
    assert receipt["status"] == "completed" and receipt["removed"]["landing_rows"] == 1


def test_an_access_report_takes_a_non_ascii_id(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zoe", "Zoë", "add oat milk to the shopping list"))
    lake.publish()
    report = lake.access_report("Zoe\u0308")  # the NFD spelling of the same customer
    assert report["utterances"] == 1
    assert lake.access_storage.list_files("reports/access", ()) and not lake.storage.list_files(
        "reports/access", ()
    )


def test_an_access_report_is_purged_by_a_deletion(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zoe", "Zoë", "add oat milk to the shopping list"))
    lake.publish()
    assert lake.access_report("Zoe\u0308")["utterances"] == 1
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("Zoë"))
    lake.privacy()
    assert lake.access_storage.list_files("reports/access", ()) == []


def test_a_nul_byte_in_one_consent_record_stops_nobody_elses_runs(lake):
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u1", "c1", "turn off the porch light") + line("u2", "c2", "how far is the moon"),
    )
    lake.publish()
    lake.storage.write_bytes("landing/consent/a.jsonl", consent("c1", status="opted_in", source="web\u0000app")
                             + consent("c3", status="opted_out"))  # fmt: skip
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("c2"))
    lake.privacy()  # the run goes on: c2's deletion is done
    lake.publish()
    ids = lake.live_ids()
    assert "u2" not in ids
    with lake.store() as store:
        held = store.held_customers()
        assert [r["event_id"] for r in store.consent_events().to_pylist() if r["customer_id"] == "c3"]
    if lake.database_url.startswith("postgresql"):  # the record PostgreSQL cannot store holds its customer
        assert held == {"c1"} and "u1" not in ids
    else:
        assert held == set() and "u1" in ids


def test_a_record_sent_again_under_its_id_with_other_content_holds_the_customer(lake):
    """Idempotent by id: the same record again changes nothing; the same id with another status (a
    correction upstream, an id reused) matches neither version and holds the customer back."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "what is the tallest mountain in europe"))
    first = json.loads(consent("c1", status="opted_in"))
    lake.storage.write_bytes("landing/consent/a.jsonl", json.dumps(first).encode() + b"\n")
    lake.publish()
    assert "u1" in lake.live_ids()
    lake.storage.write_bytes("landing/consent/b.jsonl", json.dumps(first).encode() + b"\n")  # the same again
    lake.privacy()
    assert "u1" in lake.live_ids()
    corrected = {**first, "status": "opted_out"}
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(corrected).encode() + b"\n")
    lake.privacy()
    assert "u1" not in lake.live_ids()
    with lake.store() as store:
        assert store.held_customers() == {"c1"}
        assert [q["detail"] for q in store.privacy_quarantine()] == ["conflicting_record:event_id"]


def test_a_conflicting_record_is_released_only_by_a_record_given_after_it(lake):
    """The conflict's hold stated no time, so any valid record taken in later released it: an opt-in
    recorded weeks before the corrected opt-out, delivered late, published the customer again."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "what is the tallest mountain in europe"))
    given = {"event_id": "e1", "customer_id": "c1", "purpose": "model_training", "status": "opted_in",
             "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/a.jsonl", json.dumps(given).encode() + b"\n")
    lake.publish()
    corrected = {**given, "status": "opted_out", "recorded_at": "2026-11-22T00:00:00Z"}
    lake.storage.write_bytes("landing/consent/b.jsonl", json.dumps(corrected).encode() + b"\n")
    lake.privacy()
    assert "u1" not in lake.live_ids()
    older = {
        **given,
        "event_id": "e0",
        "effective_at": "2026-10-15T00:00:00Z",
        "recorded_at": "2026-10-15T00:00:00Z",
    }
    lake.storage.write_bytes("landing/consent/c.jsonl", json.dumps(older).encode() + b"\n")
    lake.publish()
    with lake.store() as store:
        assert store.held_customers() == {"c1"}
    assert "u1" not in lake.live_ids()
    later = {**given, "event_id": "e2", "status": "opted_out", "recorded_at": "2026-11-23T00:00:00Z"}
    lake.storage.write_bytes("landing/consent/d.jsonl", json.dumps(later).encode() + b"\n")
    lake.publish()
    with lake.store() as store:
        assert store.held_customers() == set()  # a word given after the conflict: it decides
    assert "u1" not in lake.live_ids()


def test_a_deletion_sent_again_with_other_content_is_honoured_as_a_request_of_its_own(lake):
    """Deletions add up: a request corrected upstream (a listing widened to everything) is both its
    versions, the second a request of its own (``r1~<digest>``) with its receipt. Held, it was never
    carried out as a deletion: the customer's other words stayed in landing while r1 said completed."""
    from tests.unit.purge.test_every_copy_edges import left_in_lake, receipt

    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "the zebracornflakes recipe")
                             + line("u2", "c1", "how far away is the moon"))  # fmt: skip
    lake.publish()
    one = {"request_id": "r1", "customer_id": "c1", "scope": "utterances", "utterance_ids": ["u2"],
           "requested_at": "2026-11-25T00:00:00Z"}  # fmt: skip
    lake.storage.write_bytes("landing/deletions/a.jsonl", json.dumps(one).encode() + b"\n")
    lake.privacy()
    everything = {**one, "scope": "all", "utterance_ids": None, "requested_at": "2026-11-26T00:00:00Z"}
    lake.storage.write_bytes("landing/deletions/b.jsonl", json.dumps(everything).encode() + b"\n")
    lake.storage.write_bytes("landing/deletions/c.jsonl", json.dumps(everything).encode() + b"\n")  # again
    lake.privacy()
    with lake.store() as store:
        ids = sorted(r["request_id"] for r in store.deletion_requests().to_pylist())
        assert store.held_customers() == set()
    assert (
        ids[0] == "r1" and len(ids) == 2 and ids[1].startswith("r1~")
    )  # the same version again: one request
    assert receipt(lake, ids[1])["status"] == receipt(lake, "r1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert not {"u1", "u2"} & lake.live_ids()


def test_a_privacy_line_gluing_two_customers_records_blocks_publishing(lake):
    """Read as one customer's broken record, the line held back the first customer only, and the
    second one's opt-out was lost without a trace."""
    from utterance_governance.jobs.publish import PublishingBlocked

    alice, bob = json.loads(consent("alice")), json.loads(consent("bob"))
    lake.storage.write_bytes("landing/consent/a.jsonl", f"{json.dumps([alice, bob])}\n".encode())
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "read me the headlines"))
    with pytest.raises(PublishingBlocked, match="not_an_object"):
        lake.publish()
    assert lake.live_ids() == set()


def test_a_privacy_file_whose_lines_end_in_carriage_returns_gives_each_record(lake):
    """An old Mac export: its records were one broken line (held the first customer, lost the second's
    opt-out); its lone carriage returns end its lines."""
    alice, bob = consent("alice").rstrip(b"\n"), consent("bob").rstrip(b"\n")
    lake.storage.write_bytes("landing/consent/a.jsonl", alice + b"\r" + bob + b"\r")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-bob", "bob", "read me the headlines"))
    lake.publish()
    with lake.store() as store:
        assert sorted(store.consent_events().column("customer_id").to_pylist()) == ["alice", "bob"]
        assert store.privacy_blocked_reasons() == [] and store.held_customers() == set()
    assert lake.live_ids() == {"u-base"}  # bob opted out


def test_a_broken_line_naming_one_customer_twice_holds_that_customer_only(lake):
    twice = json.loads(consent("alice"))
    lake.storage.write_bytes(
        "landing/consent/a.jsonl", f"{json.dumps(twice)}\r{json.dumps(twice)}\n".encode()
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-alice", "alice", "read me the headlines"))
    lake.publish()
    assert lake.live_ids() == {"u-base"}
    assert lake.storage.list_files("quarantine/held", (".parquet",))


def test_an_opt_out_naming_its_customer_as_a_number_holds_that_customer(lake):
    numeric = json.loads(consent("12345"))
    numeric["customer_id"] = 12345
    lake.storage.write_bytes("landing/consent/a.jsonl", json.dumps(numeric).encode() + b"\n")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "12345", "what is on my calendar today"))
    lake.publish()
    assert lake.live_ids() == {"u-base"}


@pytest.mark.parametrize("form", ["json_number", "parquet_int64"])
def test_a_delete_all_reaches_an_utterance_whose_customer_id_came_as_a_number(lake, form):
    """The row is malformed (wrong type) and never published, but its words are the customer's:
    the landing file and the quarantine must not keep them after a delete-all."""
    if form == "json_number":
        row = json.loads(line("u1", "x", "my door code is the year I was born"))
        row["customer_id"] = 12345
        rel = f"{DT}/n.jsonl"
        lake.storage.write_bytes(rel, json.dumps(row).encode() + b"\n")
    else:
        rel = f"{DT}/n.parquet"
        lake.storage.write_parquet(rel, pa.table({
            "utterance_id": ["u1"], "customer_id": pa.array([12345], pa.int64()),
            "captured_at": pa.array([datetime(2026, 11, 20, 10, tzinfo=UTC)], pa.timestamp("us", "UTC")),
            "locale": ["en-US"], "transcript": ["my door code is the year I was born"], "response": ["Done."],
            "asr_confidence": [0.9]}))  # fmt: skip
    lake.publish()
    [quarantined] = lake.storage.list_files("quarantine/utterances", (".parquet",))
    assert lake.storage.read_parquet(quarantined.path).num_rows == 1
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("12345"))
    result = lake.privacy()
    assert result["copies"]["rows_removed"]["landing"] == 1
    assert lake.storage.read_parquet(quarantined.path).num_rows == 0
    if form == "json_number":
        assert b"door code" not in lake.storage.read_bytes(rel)
    else:
        assert lake.storage.read_parquet(rel).num_rows == 0


def test_a_landing_file_whose_lines_end_in_carriage_returns_loses_only_the_deleted_customers_line(lake):
    """Its lines are numbered as the reader numbers them when a deletion rewrites it: split on line
    feeds only, the rewrite would drop another line than the deleted customer's, or none."""
    rel = f"{DT}/cr.jsonl"
    lake.storage.write_bytes(rel, line("u1", "alice", "alice asks for rain").rstrip(b"\n") + b"\r"
                             + line("u2", "bob", "bob's locker code is seven seven")[:-1] + b"\r")  # fmt: skip
    lake.publish()
    assert {"u1", "u2"} <= lake.live_ids()
    lake.storage.write_bytes("landing/deletions/a.jsonl", deletion("bob"))
    lake.privacy()
    kept = lake.storage.read_bytes(rel)
    assert (
        b"locker code" not in kept
        and kept == line("u1", "alice", "alice asks for rain").rstrip(b"\n") + b"\r"
    )
    assert "u2" not in lake.live_ids() and "u1" in lake.live_ids()


def test_a_deletion_file_starting_with_a_byte_order_mark_is_carried_out(lake):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "remind me to water the ferns"))
    lake.publish()
    assert "u1" in lake.live_ids()
    lake.storage.write_bytes("landing/deletions/a.jsonl", b"\xef\xbb\xbf" + deletion("c1"))
    lake.privacy()
    assert lake.live_ids() == {"u-base"}
    receipt = json.loads(lake.storage.read_bytes(receipt_path(json.loads(deletion("c1"))["request_id"])))
    assert receipt["status"] == "completed"


@pytest.mark.parametrize(
    "name", ["optouts.json", "a.JSONL", "part-0.ndjson", "a.jsonl.gzip", "_part-0.jsonl"]
)
def test_an_opt_out_file_with_a_name_the_reader_does_not_take_blocks_publishing(lake, name):
    """It was left out of the listing without a trace, and the customer's utterance went live."""
    from utterance_governance.jobs.publish import PublishingBlocked

    lake.storage.write_bytes(f"landing/consent/{name}", consent("c1"))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the living room"))
    with pytest.raises(PublishingBlocked, match="unsupported_name"):
        lake.publish()
    assert lake.live_ids() == set()


def test_an_empty_marker_file_beside_the_privacy_files_blocks_nothing(lake):
    lake.storage.write_bytes("landing/consent/_SUCCESS", b"")
    lake.storage.write_bytes("landing/consent/a.jsonl", consent("c1"))
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u1", "c1", "play some jazz in the living room"))
    lake.publish()
    assert lake.live_ids() == {"u-base"}


def test_an_event_id_sent_again_for_another_customer_holds_both(lake):
    """e1 arrives as ann's opt-in (de-DE: opt-in regime), then again, same id, as bob's opt-out: whose
    word e1 is is in doubt, so ann's consent by it is too."""
    given = {"event_id": "e1", "customer_id": "ann", "purpose": "model_training", "status": "opted_in",
             "effective_at": "2026-11-01T00:00:00Z", "recorded_at": "2026-11-01T00:00:00Z", "source": "app"}  # fmt: skip
    lake.storage.write_bytes("landing/consent/c1.jsonl", json.dumps(given).encode() + b"\n")
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-ann", "ann", "spiel etwas jazz").replace(b"en-US", b"de-DE")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert {"u-ann", "u-bob"} <= lake.live_ids()
    again = {**given, "customer_id": "bob", "status": "opted_out"}
    lake.storage.write_bytes("landing/consent/c2.jsonl", json.dumps(again).encode() + b"\n")
    lake.privacy()
    with lake.store() as store:
        assert store.held_customers() == {"ann", "bob"}
    assert not {"u-ann", "u-bob"} & lake.live_ids()
