"""A lost customer id, as the UUID and JavaScript worlds and Hive write it (review 14a, F03).

``identity.PLACEHOLDERS`` refused a serialiser's word for a lost id on a new utterance ("null", "None",
"<NA>", "0" ...): every customer whose id was lost would share it, one identity no opt-out or deletion of
the real id reaches. Not refused were the nil UUID (RFC 4122's "all bits zero": .NET ``Guid.Empty``, Go
``uuid.Nil``, Java ``new UUID(0, 0)``) in any notation, JavaScript's ``String({})`` "[object Object]", a
placeholder serialised twice ('"null"'), and Hive's null partition ``customer_id=__HIVE_DEFAULT_PARTITION__``
(its rows took the folder's value as their customer; a deletion there was a valid request of a customer
nobody is, and its receipt completed)."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.io.readers import customer_of_path, read_landing_file
from utterance_governance.io.storage import Storage
from utterance_governance.jobs.publish import PublishingBlocked

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
NIL = "00000000-0000-0000-0000-000000000000"


def utterance(uid: str, customer: str | None, text: str = "play some jazz") -> dict:
    row = {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
           "locale": "en-US", "transcript": text, "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    if customer is None:
        del row["customer_id"]  # in the path, not in the rows
    return row


def jsonl(*rows: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


@pytest.mark.parametrize(
    "placeholder",
    [NIL, f"{{{NIL}}}", NIL.replace("-", ""), f"urn:uuid:{NIL}", f"URN:UUID:{NIL}",
     "\uff10" * 32,  # the 32 digits typed full-width
     "[object Object]", '"null"', "'None'", '"undefined"', f'"{NIL}"', " \"N/A\" "],
)  # fmt: skip
def test_a_lost_id_is_no_customer_of_a_new_utterance(tmp_path, placeholder):
    storage = Storage(str(tmp_path))
    storage.write_bytes(
        f"{DT}/x.jsonl", jsonl(utterance("u-1", placeholder), utterance("u-2", "c-2", "dim the lights"))
    )
    read = read_landing_file(storage, f"{DT}/x.jsonl", "utterances")
    assert read.records.column("customer_id").to_pylist() == ["c-2"], f"{placeholder!r} read as a customer"
    assert read.quarantine.column("detail").to_pylist() == ["invalid_id:customer_id"]


@pytest.mark.parametrize("customer", ["00000000-0000-0000-0000-000000000001", '"zed-4417', "'0'x", "object"])
def test_an_id_near_a_placeholder_is_a_customer(tmp_path, customer):
    storage = Storage(str(tmp_path))
    storage.write_bytes(f"{DT}/x.jsonl", jsonl(utterance("u-1", customer)))
    read = read_landing_file(storage, f"{DT}/x.jsonl", "utterances")
    assert read.records.column("customer_id").to_pylist() == [customer]


def test_a_lost_id_stays_an_id_in_a_deletion(tmp_path):
    """Rows published under the nil UUID before the rule stay reachable by a deletion naming it."""
    storage = Storage(str(tmp_path))
    storage.write_bytes("landing/deletions/x.jsonl", jsonl(
        {"request_id": "d1", "customer_id": NIL, "scope": "all", "requested_at": "2026-11-26T00:00:00Z"},
        {"request_id": "d2", "customer_id": "[object Object]", "scope": "all", "requested_at": "2026-11-26T00:00:00Z"}))  # fmt: skip
    read = read_landing_file(storage, "landing/deletions/x.jsonl", "deletions")
    assert read.records.column("customer_id").to_pylist() == [NIL, "[object Object]"]


@pytest.mark.parametrize("segment", [f"customer_id={HIVE_NULL}", "Customer-ID=__hive_default_partition__"])
def test_hives_null_partition_names_no_customer(segment):
    assert customer_of_path(f"{DT}/{segment}/part-0.jsonl") is None
    assert customer_of_path(f"{DT}/customer_id=zed-4417/part-0.jsonl") == "zed-4417"


def test_the_rows_of_hives_null_partition_are_no_customers(tmp_path):
    """Spark and Hive write a row whose partition column is null under ``customer_id=__HIVE_DEFAULT_PARTITION__``
    and drop the column: read as the folder's customer, every lost id shared one published identity."""
    storage = Storage(str(tmp_path))
    path = f"{DT}/customer_id={HIVE_NULL}/part-0.jsonl"
    storage.write_bytes(path, jsonl(utterance("u-1", None)))
    read = read_landing_file(storage, path, "utterances")
    assert read.records.num_rows == 0, "rows of Hive's null partition read as one customer's"
    assert read.quarantine.column("customer_id").to_pylist() == [None]


def test_a_deletion_in_hives_null_partition_names_nobody(tmp_path):
    storage = Storage(str(tmp_path))
    path = f"landing/deletions/customer_id={HIVE_NULL}/part-0.jsonl"
    storage.write_bytes(
        path, jsonl({"request_id": "d1", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"})
    )
    read = read_landing_file(storage, path, "deletions")
    assert read.records.num_rows == 0, "a request whose customer was lost read as a valid request"
    assert read.quarantine.column("customer_id").to_pylist() == [None]


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def test_a_deletion_in_hives_null_partition_blocks_publishing(lake):
    """Whose deletion it is was lost: nobody's rows may be published until it is acknowledged (SPEC §4)."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", "zed-4417", "play some jazz"))
    lake.storage.write_bytes(
        f"landing/deletions/customer_id={HIVE_NULL}/part-0.jsonl",
        jsonl({"request_id": "d1", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}),
    )
    with pytest.raises(PublishingBlocked):
        lake.publish()
    assert "u-1" not in lake.live_ids()
