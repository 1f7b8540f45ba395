"""A row whose id is live already (a file sent again, its transcript corrected) and whose turns write the id of a
customer of another file of the night: in its id partition it is a duplicate (its id is live), never counted withheld
while the live row of its id stays.

Before: ``gate_partition`` took it out as ``quality:turn_names_customer`` ahead of the live-id dedup, so the report
and its decision said withheld while the row stayed in the live dataset. (When the store already knows the customer,
the file's own decision counts such a row by the rule: docs/notes.md "Known gaps".)"""

from __future__ import annotations

from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

DT = "landing/utterances/dt=2026-11-21"
T2 = "2026-11-21T10:00:00Z"


def test_a_row_whose_id_is_live_naming_a_customer_of_the_night_is_a_duplicate(tmp_path, store_url):
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/b1.jsonl", line("u-al-1", "cus-alice-0001", "invite cus-carol-7781 to dinner", captured_at=T2)
    )
    lake.publish()
    assert "u-al-1" in lake.live_ids()
    # the file sent again, the same id transcribed otherwise; Carol's only row, in another file of the night, is
    # too short: nothing of hers is published, so only the night's own files know her
    lake.storage.write_bytes(
        f"{DT}/b1.jsonl", line("u-al-1", "cus-alice-0001", "invite cus-carol-7781 to lunch", captured_at=T2)
    )
    lake.storage.write_bytes(f"{DT}/b2.jsonl", line("u-carol-1", "cus-carol-7781", "", captured_at=T2))
    again = lake.publish()
    assert "u-al-1" in lake.live_ids()
    assert TURN_NAMES_CUSTOMER not in again["counts"], again["counts"]
    assert again["counts"].get("duplicate") == 1, again["counts"]
