"""Two copies a delete-all once left behind while its receipt said ``completed`` (review 15b): an
utterance export saved as Parquet under ``landing/consent/`` or ``landing/deletions/`` (a JSON Lines one
had its unreadable lines emptied, a Parquet one was skipped), and a file under ``quarantine/`` or
``staging/`` the purge does not recognise (counted, never searched)."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.purge.test_every_copy_edges import DT, T, deletion, left_in_lake, line, receipt

CUSTOMER = "canary-cust-7Q4Z"
WORDS = "zebrafish-marmalade"


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _export(customers: list[str], transcripts: list[str], **columns) -> pa.Table:
    """An utterance export (the landing reader's columns) with one row per customer."""
    n = len(customers)
    return pa.table({"utterance_id": [f"u-export-{i}" for i in range(n)], "customer_id": customers,
                     "captured_at": [T] * n, "locale": ["en-US"] * n, "transcript": transcripts,
                     "response": ["ok"] * n, "asr_confidence": [0.9] * n, **columns})  # fmt: skip


def _published(lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-can-1", CUSTOMER, f"remind me about {WORDS}")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()


@pytest.mark.parametrize("folder", ["consent", "deletions"])
def test_an_utterance_export_in_parquet_under_a_privacy_prefix_loses_the_deleted_words(lake, folder):
    """F05: its rows naming the deleted customer are emptied, as a JSON Lines export's lines are; the
    others keep their values and every row its position (the store knows a privacy record by its row)."""
    _published(lake)
    lake.storage.write_bytes(f"landing/{folder}/export.parquet", _parquet(
        _export([CUSTOMER, "bob"], [f"{WORDS} misplaced", "marigold misplaced"])))  # fmt: skip
    lake.privacy(check_deadlines=False)  # taken in: unreadable records naming their customers (held back)
    with lake.store() as store:
        before = {(q["line"], q["customer_id"]) for q in store.privacy_quarantine()}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CUSTOMER))
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "dall")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []
    rows = pq.read_table(lake.storage.full(f"landing/{folder}/export.parquet")).to_pylist()
    assert len(rows) == 2 and set(rows[0].values()) == {None}
    assert rows[1]["customer_id"] == "bob" and rows[1]["transcript"] == "marigold misplaced"
    with lake.store() as store:
        assert {(q["line"], q["customer_id"]) for q in store.privacy_quarantine()} == before


def test_a_parquet_privacy_file_keeps_its_records_and_loses_a_row_naming_the_customer_in_another_spelling(
    lake,
):
    """A valid deletion record of the deleted customer is the request itself: kept. A row that is no
    record and names them in upper case (how the JSON Lines branch reads ``customer_id``) is emptied."""
    _published(lake)
    table = pa.table({"request_id": ["d-own", None], "customer_id": [CUSTOMER, CUSTOMER.upper()],
                      "scope": ["all", None], "requested_at": ["2026-11-25T00:00:00Z", None],
                      "transcript": [None, f"{WORDS} in upper case"]})  # fmt: skip
    lake.storage.write_bytes("landing/deletions/mixed.parquet", _parquet(table))
    lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d-own")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []
    rows = pq.read_table(lake.storage.full("landing/deletions/mixed.parquet")).to_pylist()
    assert rows[0]["request_id"] == "d-own" and rows[0]["customer_id"] == CUSTOMER
    assert len(rows) == 2 and set(rows[1].values()) == {None}


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("export.parquet", f"PAR1 {CUSTOMER} {WORDS}".encode()),  # no Parquet footer
        ("export.jsonl", line("u-can-9", CUSTOMER, WORDS).decode().encode("utf-16")),  # another encoding
    ],
    ids=["parquet_without_footer", "jsonl_in_utf16"],
)
def test_a_privacy_file_that_cannot_be_read_keeps_the_receipt_open(lake, name, body):
    """A file no reader can read cannot be shown free of the deleted customer: a problem, never searched."""
    _published(lake)
    lake.storage.write_bytes(f"landing/consent/{name}", body)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CUSTOMER))
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "dall")["status"] != "completed"
    assert f"landing/consent/{name}" in out["copies"]["unsearchable"]
    lake.storage.remove(f"landing/consent/{name}")
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "dall")["status"] == "completed"


def test_an_unrecognised_file_under_quarantine_or_staging_keeps_the_receipt_open(lake):
    """F07: an operator's copy beside the quarantine, a debugging sample in staging: no shape the purge
    knows, so they cannot be shown free of the deleted customer. Named as problems, left in place."""
    _published(lake)
    lake.storage.write_bytes(
        "quarantine/utterances/manual-export.jsonl", line("u-can-1", CUSTOMER, f"remind me about {WORDS}")
    )
    lake.storage.write_parquet("staging/debug/sample.parquet", pa.table({"who": [CUSTOMER], "text": [WORDS]}))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("dall", CUSTOMER))
    out = lake.privacy(check_deadlines=False)
    assert receipt(lake, "dall")["status"] != "completed"
    named = " ".join(out["copies"]["problems"])
    assert "quarantine/utterances/manual-export.jsonl" in named and "staging/debug/sample.parquet" in named
    assert set(out["copies"]["unsearchable"]) >= {
        "quarantine/utterances/manual-export.jsonl",
        "staging/debug/sample.parquet",
    }
    assert lake.storage.exists("quarantine/utterances/manual-export.jsonl")  # an operator's file: theirs
    lake.storage.remove("quarantine/utterances/manual-export.jsonl")
    lake.storage.remove("staging/debug/sample.parquet")
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "dall")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []
