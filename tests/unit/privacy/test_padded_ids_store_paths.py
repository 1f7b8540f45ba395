"""A delete-all naming an account's number (``88231907``) withdraws the zero-padded account
(``0088231907``: docs/privacy.md, "an id of digits only is the number it writes, whatever zeros lead it").
Its rows go, but the store's landing paths of the padded account (a Spark export partitioned by customer,
``customer_id=0088231907/``) are not sealed: ``store_paths.deleted_customer`` compares by ``caseless``,
which keeps the zeros, so the governance store keeps the customer's id (SPEC §4.1 "every copy": the
governance store) while the receipt said completed (before). Now ``caseless`` reads digits as the number
too."""

from __future__ import annotations

from tests.unit.purge.test_every_copy_edges import deletion, receipt
from tests.unit.purge.test_store_paths import BOB, DT, _inputs, _naming, _partitioned

PADDED = f"{DT}/customer_id=0088231907/part-0.jsonl"


def test_a_delete_all_of_the_number_seals_the_padded_accounts_store_paths(lake):
    _partitioned(lake, PADDED, "u-zed", "0088231907", "remind me about the zebra")
    _partitioned(lake, BOB, "u-bob", "bob-cust-11", "what is the weather")
    lake.publish()
    assert lake.live_ids() == {"u-zed", "u-bob"}
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("req-1", "88231907"))
    lake.privacy(check_deadlines=False)
    assert lake.live_ids() == {"u-bob"}  # the fold reaches the padded account's rows
    assert receipt(lake, "req-1")["status"] == "completed"
    assert _naming(lake, "0088231907") == set()
    assert not any("0088231907" in p for p in _inputs(lake))
