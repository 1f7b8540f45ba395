"""Run reports name landing files a run refused (``refused_inputs.json``, the publish's report, the gate
summary): an export per customer names its file after the customer, and a hidden name (``_zed-….jsonl``)
is refused. A delete-all's scrub of run reports took deleted ids and speaker keys, never the customer's id
as spelled in a file name: the reports kept it after the receipt completed."""

from __future__ import annotations

import pytest
from tests.unit.purge.test_every_copy_edges import DT, deletion, left_in_lake, line, receipt

from utterance_governance.purge.traces import Scrubber

CUSTOMER = "zqxcust-Marker7731"


def test_a_refused_file_named_after_a_deleted_customer_leaves_no_report_naming_them(lake):
    name = f"_{CUSTOMER}.jsonl"  # hidden: refused, named in the run's reports
    lake.storage.write_bytes(f"{DT}/{name}", line("utt-zqx1", CUSTOMER, "play lemurbanana songs"))
    lake.storage.write_bytes(f"{DT}/base.jsonl", line("u-kept", "bobkeeper", "what is the weather"))
    lake.publish()
    assert left_in_lake(lake, CUSTOMER)  # the reports name the refused file
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", CUSTOMER.upper()))  # in any case
    lake.privacy(check_deadlines=False)
    lake.storage.remove(f"{DT}/{name}")  # removed upstream, as the run's problems ask
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert [p for p in left_in_lake(lake, CUSTOMER) if not p.startswith("landing/deletions/")] == []
    assert lake.live_ids() == {"u-kept"}


def test_an_id_is_found_in_a_file_name_between_underscores_and_dots():
    """A token stands between ``_`` and ``.`` as between other joiners (a hidden file's name, an export's)."""
    from utterance_governance.purge.traces import Scrubber

    scrub = Scrubber({"zed-4417"})
    assert (
        scrub.json('{"refused": "landing/x/_zed-4417.jsonl"}')
        == '{\n  "refused": "landing/x/_[deleted].jsonl"\n}'
    )
    assert scrub("ZED-4417_export.JSONL") == "[deleted]_export.JSONL"
    assert scrub("zed-44170_export.JSONL") == "zed-44170_export.JSONL"  # another id: kept


@pytest.mark.parametrize("customer", ["zqx Marker7731", "o'zqxmarker-7731", "zqx&Marker7731"])
def test_an_id_holding_a_space_or_quote_is_found_between_underscores(customer):
    scrub = Scrubber({customer})
    assert customer not in scrub(f"landing/x/_{customer}.jsonl")
    assert customer not in scrub(f"{customer}_export.JSONL")


@pytest.mark.parametrize("customer", ["zqx Marker7731", "o'zqxmarker-7731"])
def test_a_refused_file_named_after_a_deleted_customer_with_a_space_leaves_no_report_naming_them(
    lake, customer
):
    name = f"_{customer}.jsonl"  # hidden: refused, named in the run's reports
    lake.storage.write_bytes(f"{DT}/{name}", line("utt-zqx1", customer, "play lemurbanana songs"))
    lake.storage.write_bytes(f"{DT}/base.jsonl", line("u-kept", "bobkeeper", "what is the weather"))
    lake.publish()
    assert left_in_lake(lake, customer)  # the reports name the refused file
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", customer))
    lake.privacy(check_deadlines=False)
    lake.storage.remove(f"{DT}/{name}")  # removed upstream, as the run's problems ask
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    left = [p for p in left_in_lake(lake, customer) if not p.startswith("landing/deletions/")]
    assert left == [], left
