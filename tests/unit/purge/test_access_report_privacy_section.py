"""An access report holds, besides ``utterances``, a ``privacy_quarantine`` section with the raw text of
the customer's unreadable lines under ``quarantine/consent`` and ``quarantine/deletions``: an utterance
export misrouted into ``landing/consent`` puts the customer's words there. A range or listed deletion
judges every section that carries a row (a raw line by the capture time read off it, as the copies purge
judges the lake's copy), and a section it does not know keeps the receipts open."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import deletion, files_holding, left_in_lake, line, receipt

WORDS = "my locker code is zebracornflakes"
KEPT = "my other code is quokkapancakes"
RANGE = {"from": "2026-11-18T00:00:00Z", "to": "2026-11-18T23:59:59Z"}


def _reported(lake) -> str:
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl", line("u-zed-2", "zed-4417", "what is the weather")
    )
    lake.storage.write_bytes(  # an utterance export written under the wrong prefix: two days' lines
        "landing/consent/export.jsonl",
        line("u-zed-1", "zed-4417", WORDS, captured_at="2026-11-18T10:00:00Z")
        + line("u-zed-3", "zed-4417", KEPT, captured_at="2026-11-19T10:00:00Z"),
    )
    lake.publish()
    lake.access_report("zed-4417")
    root = lake.access_storage.root_url.removeprefix("file://")
    assert files_holding(root, WORDS) and files_holding(
        root, KEPT
    )  # the report lists the unreadable lines' raw text
    return root


def test_a_range_deletion_takes_the_misrouted_words_out_of_the_customers_access_report(lake):
    root = _reported(lake)
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", "range", **RANGE))
    lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert left_in_lake(lake, WORDS) == []  # the lake's copies of the line are gone ...
    assert files_holding(root, WORDS) == []  # ... and the report's
    assert files_holding(root, KEPT)  # the line of another day stays
    assert receipt(lake, "d1")["removed"]["access_report_utterances"] >= 1


def test_a_listed_deletion_takes_the_misrouted_line_of_the_listed_utterance(lake):
    root = _reported(lake)
    lake.storage.write_bytes(
        "landing/deletions/d.jsonl", deletion("d1", "zed-4417", "utterances", utterance_ids=["u-zed-1"])
    )
    lake.privacy(check_deadlines=False)
    lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] == "completed"
    assert files_holding(root, WORDS) == []
    assert files_holding(root, KEPT)


def test_a_section_the_purge_does_not_know_keeps_the_receipt_open(lake):
    root = _reported(lake)
    (path,) = [p for p in files_holding(root, WORDS) if p.endswith("access.json")]
    report = json.loads(Path(path).read_text())
    report["call_recordings"] = [{"raw": "a section a later release adds"}]
    Path(path).write_text(json.dumps(report))
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed-4417", "range", **RANGE))
    result = lake.privacy(check_deadlines=False)
    assert receipt(lake, "d1")["status"] != "completed"
    assert any("call_recordings" in p for p in result["copies"]["problems"])
