"""A privacy record that sends a zero-padded account id as a JSON number.

Account ids like ``0088231907`` are strings in the data; a support tool or a spreadsheet that turned the id
into a number writes ``88231907`` (the leading zeros are gone: no JSON number can keep them). The record is
of the wrong type (SPEC §3.3: a string), so it is unreadable, and SPEC §4 holds "its customer" back; the
reader reads the number as the id ``88231907`` (notes.md) and holds that id, which names nobody. The
customer ``0088231907`` is neither held nor is publishing blocked: their row stays live (and is published
when the record came first), and the audit passes. The number cannot tell which zero-padded id it was; a
record that can only be read as matching nothing must fail closed (SPEC §4.1: a privacy record is never
accepted as valid while it matches nothing). Now an id of digits only withdraws as the number it writes,
whatever zeros lead it (``identity.key_of_canonical``).
"""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

pytestmark = pytest.mark.backend_cases  # ids reach SQL: every case on both backends

DT = "landing/utterances/dt=2026-11-20"
PADDED = "0088231907"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _files(lake: Lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", PADDED, "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip


def _deletion() -> bytes:
    return json.dumps({"request_id": "d1", "customer_id": 88231907, "scope": "all",
                       "requested_at": "2026-11-25T00:00:00Z"}).encode() + b"\n"  # fmt: skip


def _opt_out() -> bytes:
    return json.dumps({"event_id": "e1", "customer_id": 88231907, "purpose": "model_training",
                       "status": "opted_out", "effective_at": "2026-11-24T00:00:00Z",
                       "recorded_at": "2026-11-24T00:00:00Z", "source": "crm"}).encode() + b"\n"  # fmt: skip


def test_a_numeric_deletion_of_a_zero_padded_customer_withdraws_the_live_row(lake):
    _files(lake)
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion())
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


def test_a_numeric_opt_out_of_a_zero_padded_customer_withdraws_the_live_row(lake):
    _files(lake)
    lake.publish()
    lake.storage.write_bytes("landing/consent/c.jsonl", _opt_out())
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


def test_a_numeric_deletion_of_a_zero_padded_customer_keeps_the_row_unpublished(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion())
    _files(lake)
    lake.publish()  # the hold reaches the padded id: nothing blocked
    assert "u-zed" not in lake.live_ids()


def test_only_the_digit_zero_is_a_lost_value_not_other_runs_of_zeros():
    """The fold reads ``00`` as the number 0; a writer's word for a lost value is ``0`` as written: an
    account ``00`` or ``000`` is an id (it became malformed as a placeholder once the fold read digits)."""
    import pyarrow as pa

    from utterance_governance.privacy.identity import is_placeholder, key_of_canonical

    assert is_placeholder(pa.array(["0", "00", "000", '"0"', "7"])).tolist() == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert key_of_canonical(pa.array(["0088231907", "00", "abc007"])).to_pylist() == [
        "88231907",
        "0",
        "abc007",
    ]
