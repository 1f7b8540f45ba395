"""``identity.without_refused`` reads a space other than U+0020 as a space, where it
dropped it before. For holds and erasure "matching more can only erase or withhold more" (its docstring),
yet the new reading replaces the old one instead of adding to it: an account id written with a locale's
digit grouping (``88 231 907`` with U+202F NARROW NO-BREAK SPACE, as fr-FR formats numbers, or U+00A0), for
the account ``88231907`` whose id has no space, held ``88231907`` before the change and now holds
``88 231 907``: nobody. The customer's live row stays live after their broken opt-out/deletion (SPEC §4:
"if its customer_id can be read, that customer's utterances are held back"; §4.1 "doubt withdraws"). Before: nobody was held. Now a space between two digits is a digit group's."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, line

GROUPED = {
    "narrow no-break space": "88\u202f231\u202f907",
    "no-break space": "88\u00a0231\u00a0907",
}


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    return Lake(str(tmp_path / "lake"), store_url)


def _deletion(customer: str) -> bytes:
    return json.dumps({"request_id": "d1", "customer_id": customer, "scope": "all",
                       "requested_at": "2026-11-25T00:00:00Z"}).encode() + b"\n"  # fmt: skip


def _opt_out(customer: str) -> bytes:
    return json.dumps({"event_id": "e1", "customer_id": customer, "purpose": "model_training",
                       "status": "opted_out", "effective_at": "2026-11-24T00:00:00Z",
                       "recorded_at": "2026-11-24T00:00:00Z", "source": "crm"}).encode() + b"\n"  # fmt: skip


def _publish(lake: Lake) -> None:
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed", "88231907", "remind me to buy tulips")
                             + line("u-kept", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-kept"}


@pytest.mark.parametrize("spelled", GROUPED.values(), ids=GROUPED.keys())
def test_a_deletion_with_digit_grouping_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", _deletion(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}


@pytest.mark.parametrize("spelled", GROUPED.values(), ids=GROUPED.keys())
def test_an_opt_out_with_digit_grouping_in_the_id_withdraws_the_live_row(lake, spelled):
    _publish(lake)
    lake.storage.write_bytes("landing/consent/c.jsonl", _opt_out(spelled))
    lake.privacy()
    assert lake.live_ids() == {"u-kept"}
