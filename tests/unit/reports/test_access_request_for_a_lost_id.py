"""An access request for a writer's word for a lost id ("null", the nil UUID, Hive's null partition) is refused:
every record whose id was lost carries it, and a report of them would show other customers' words."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import DT, line

WEATHER = "what is the weather in Lisbon"
LATER = "2026-11-20T11:00:00Z"


def _report_text(lake: Lake, customer_id: str) -> str:
    return Path(lake.access_report(customer_id)["json"].removeprefix("file://")).read_text()


@pytest.mark.parametrize(
    "placeholder", ["null", "00000000-0000-0000-0000-000000000000", "__HIVE_DEFAULT_PARTITION__"]
)
def test_an_access_request_for_a_lost_id_placeholder_shows_no_one_elses_words(lake, placeholder):
    """Expected: an access request for a serialiser's word for "no id" (``null``, the nil UUID, Hive's null
    partition) is refused, or its report holds none of the rows whose id was lost upstream: the pipeline itself
    says such rows are malformed because every customer whose id was lost shares that value (docs/notes.md, "Status and
    notes"), so they are nobody's identifiable data. Before, ``ug access request --customer-id null`` was accepted
    and the report showed the words of every device whose customer id was lost (two different customers here)."""
    from utterance_governance.jobs.context import InvalidParams

    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-1", placeholder, "first lost customer secret words", device_id="dev-a")
        + line("u-2", placeholder, "second lost customer secret words", device_id="dev-b")
        + line("u-3", "bob-1111", "what is the weather"),
    )
    lake.publish()
    with pytest.raises(InvalidParams, match="word for a lost id"):
        _report_text(lake, placeholder)


def test_an_account_id_holding_such_a_word_is_an_id(lake):
    """Only the word itself is refused: an account id that holds one is a customer's."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-1", "null-4417", "set a timer for ten minutes"))
    lake.publish()
    assert "set a timer" in _report_text(lake, "null-4417")
