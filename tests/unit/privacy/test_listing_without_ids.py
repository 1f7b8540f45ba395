"""A deletion of scope ``utterances`` whose ``utterance_ids`` is missing or null was read as a valid
request that lists nothing: it held nobody and its receipt said ``completed`` while every utterance of
the customer stayed live (review 11, F4). Arrow's ``or_`` is not Kleene's: a missing list's length is
null, null OR true was null, and a null mask flags no row. It is quarantined now, as ``[]`` was, and its
customer held."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, line

from utterance_governance.purge.receipts import receipt_path


@pytest.mark.parametrize(
    "listing", [{}, {"utterance_ids": None}, {"utterance_ids": []}], ids=["missing", "null", "empty"]
)
def test_a_listing_deletion_without_ids_holds_its_customer(lake, listing):
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed", "remind me zebracornflakes")
                             + line("u-bob", "bob", "what is the weather"))  # fmt: skip
    lake.publish()
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed", scope="utterances", **listing)
    )
    lake.privacy(check_deadlines=False)
    with lake.store() as store:
        assert store.held_customers() == {"zed"}
        (quarantined,) = store.privacy_quarantine()
        assert (quarantined["reason"], quarantined["detail"]) == ("malformed", "missing_field:utterance_ids")
    assert not lake.storage.exists(receipt_path("d1"))  # no request: no receipt that says completed
    assert lake.live_ids() == {"u-bob"}
