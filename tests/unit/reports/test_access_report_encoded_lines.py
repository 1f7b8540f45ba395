"""An access report showed the requester's malformed line though it held another customer's record JSON-encoded in
a string (their id and their words): a line is shown only when every id it names, encoded records included, is
the requester's."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import DT
from tests.unit.reports.test_no_customer_in_outputs import utt


def _access_json(lake, customer_id: str) -> str:
    return Path(lake.access_report(customer_id)["json"].removeprefix("file://")).read_text()


def test_access_report_does_not_show_a_line_naming_another_customer_in_an_encoded_record(lake):
    inner = json.dumps({"customer_id": "bob-0002", "transcript": "bobs secret pancake recipe"})
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        utt("a1", "alice-0001", "hello from alice")
        + utt("b1", "bob-0002", "what time is it")
        + utt("x1", "alice-0001", "forwarded", asr_confidence="high", message=inner),
    )
    lake.publish()
    from utterance_governance.io.readers import customers_in_raw

    raw = utt("x1", "alice-0001", "forwarded", asr_confidence="high", message=inner).decode()
    assert set(customers_in_raw(raw)) == {"alice-0001", "bob-0002"}  # the reader: the line names both
    alice = _access_json(lake, "alice-0001")
    assert "a1" in alice
    assert "pancake" not in alice and "bob-0002" not in alice, (
        "Bob's id and words are in Alice's access report"
    )
