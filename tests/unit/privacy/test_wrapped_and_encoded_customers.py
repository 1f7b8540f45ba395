"""A broken record names its customer in shapes the reader does not take as a customer id: wrapped in a
list or an object (``["zed-4417"]``, ``{"id": "zed-4417"}``: an array-typed export column, a nested
serialiser), or inside a record a log shipper or a queue sink wrote as a JSON string in its envelope. An
opt-out so shaped holds its customer (their live rows are withdrawn), not only blocks publishing; a
delete-all reaches such a line in landing and quarantine (review 10, F17 and F12)."""

from __future__ import annotations

import json

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.io.readers import customers_in_raw

OPT_OUT = {"event_id": "e1", "customer_id": "zed-4417", "purpose": "model_training", "status": "opted_out",
           "effective_at": "2026-11-21T00:00:00Z", "recorded_at": "2026-11-21T00:00:00Z", "source": "app"}  # fmt: skip


def _published_then(lake, consent_line: bytes) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", "remind me about tulips")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert "u-zed-1" in lake.live_ids()
    lake.storage.write_bytes("landing/consent/c.jsonl", consent_line + b"\n")
    lake.privacy(check_deadlines=False)


@pytest.mark.parametrize(
    "cid", [["zed-4417"], {"id": "zed-4417"}, [4417.0]], ids=["list", "object", "number"]
)
def test_a_wrapped_customer_id_in_an_opt_out_withdraws_the_customers_rows(lake, cid):
    customer = "4417" if cid == [4417.0] else "zed-4417"
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", customer, "remind me about tulips")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", json.dumps({**OPT_OUT, "customer_id": cid}).encode() + b"\n"
    )
    lake.privacy(check_deadlines=False)
    assert "u-zed-1" not in lake.live_ids()
    assert "u-bob" in lake.live_ids()  # held: the one customer, not everyone


def test_a_double_encoded_opt_out_withdraws_the_customers_rows(lake):
    _published_then(lake, json.dumps({"type": "consent", "data": json.dumps(OPT_OUT)}).encode())
    assert "u-zed-1" not in lake.live_ids()
    assert "u-bob" in lake.live_ids()


@pytest.mark.parametrize(
    "words", ["remind me zebracornflakes", "remind me zebracornflakes " + "and then " * 60]
)
def test_a_delete_all_reaches_a_double_encoded_record(lake, words):
    inner = line("u-1", "zed-4417", words).decode().strip()
    envelope = (
        json.dumps({"topic": "utterances", "partition": 3, "offset": 1041, "message": inner}).encode() + b"\n"
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", envelope + line("u-3", "bob", "what is the weather"))
    lake.publish()
    assert left_in_lake(lake, "zebracornflakes")  # the landing file and its quarantine copy
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert "u-3" in lake.live_ids()


def test_what_a_raw_line_names():
    assert customers_in_raw(json.dumps({"customer_id": ["zed-4417"]})) == ["zed-4417"]
    assert customers_in_raw(json.dumps({"customer_id": {"id": "zed-4417"}})) == ["zed-4417"]
    assert customers_in_raw(json.dumps({"customer_id": [12345.0]})) == ["12345"]
    # a wrapper of more than one value, or one not closed: whose it is cannot be told
    assert customers_in_raw(json.dumps({"customer_id": ["a-1", "b-2"]})) == [None]
    assert customers_in_raw(json.dumps({"customer_id": {"id": "a-1", "alt": "b-2"}})) == [None]
    assert customers_in_raw('{"customer_id": ["zed-4417"') == [None]
    assert customers_in_raw('{"customer_id": ["zed-4417"}') == [None]  # a list closed as an object
    record = json.dumps({"customer_id": "zed-4417", "event_id": "e1"})
    assert customers_in_raw(json.dumps({"data": record})) == ["zed-4417"]
    assert set(customers_in_raw(json.dumps({"data": json.dumps({"m": record})}))) == {"zed-4417"}
    assert customers_in_raw(json.dumps({"data": "{not json"})) == []


def _resource_named(uid: str, customer: str, text: str) -> bytes:
    row = json.loads(line(uid, customer, text))
    row.pop("customer_id")
    row["name"] = f"customers/{customer}/utterances/{uid}"
    return json.dumps(row).encode()


@pytest.mark.parametrize(
    "shape",
    [
        lambda: str(
            json.loads(line("u-1", "zed-4417", "remind me zebracornflakes"))
        ).encode(),  # Python's repr
        lambda: _resource_named("u-1", "zed-4417", "remind me zebracornflakes"),
    ],
    ids=["python_repr", "resource_name"],
)
def test_a_delete_all_reaches_a_broken_line_naming_the_customer_as_a_word(lake, shape):
    lake.storage.write_bytes(f"{DT}/a.jsonl", shape() + b"\n" + line("u-3", "bob", "what is the weather"))
    lake.publish()
    assert left_in_lake(lake, "zebracornflakes")
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417"))
    lake.privacy()
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, "zebracornflakes") == []
    assert b"u-3" in lake.storage.read_bytes(f"{DT}/a.jsonl")  # the other customer's line kept


@pytest.mark.parametrize("cid", ["zed-4417\u200b", "\ufeffzed-4417", "zed-4417\u0000", "zed-\u20604417"])
def test_an_opt_out_whose_id_holds_an_invisible_character_holds_the_customer_it_prints_as(lake, cid):
    _published_then(lake, json.dumps({**OPT_OUT, "customer_id": cid}).encode())
    assert "u-zed-1" not in lake.live_ids()
    assert "u-bob" in lake.live_ids()
