"""A reprocess of a night whose row writing another customer's id went live before the rule knew that customer:
the row is a duplicate of itself (live), never reported withheld while it stays live."""

from __future__ import annotations

from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import line

from utterance_governance.privacy.named import TURN_NAMES_CUSTOMER

DT = "landing/utterances/dt=2026-11-21"
T2 = "2026-11-21T10:00:00Z"


def test_reprocess_does_not_report_a_live_row_as_withheld(tmp_path):
    """Alice's turn writing Carol's id is published on its night (Carol's file lands late, on the next run:
    the README's known gap). A `reprocess` of the night re-reads both files: Alice's row is live.
    Expected: the reprocess either withdraws the live row or counts/decides it as what it is (already live, a
    duplicate), never reports it withheld while it stays live.
    Before: gate_partition took it out as turn_names_customer before the live-id dedup
    (_without_rows_naming_the_nights_customers runs before `_live_keys`), so the report and its decision say
    quality:turn_names_customer while the row stays in the live dataset."""
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'g.db'}")
    lake.storage.write_bytes(
        f"{DT}/b1.jsonl", line("u-al-1", "cus-alice-0001", "invite cus-carol-7781 to dinner", captured_at=T2)
    )
    lake.publish()
    assert "u-al-1" in lake.live_ids()
    lake.storage.write_bytes(
        f"{DT}/b2.jsonl", line("u-carol-1", "cus-carol-7781", "play some jazz", captured_at=T2)
    )
    lake.publish()
    again = lake.publish({"dt_from": "2026-11-21", "dt_to": "2026-11-21", "reprocess": True})
    live = "u-al-1" in lake.live_ids()
    assert not (live and again["counts"].get(TURN_NAMES_CUSTOMER)), (again["counts"], live)
