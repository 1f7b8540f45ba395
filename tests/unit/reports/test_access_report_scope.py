"""What an access report shows: the customer's rows wherever the pipeline keeps them, a published file of any
name included; never another customer's words. The reader attributes a malformed line generously, for
erasure (a line naming bob in zed's Hive folder is quarantined as zed's; an id read out of JSON quoted in a
transcript); the report shows a malformed line to the customer its own line names, or, naming none, to the
customer of its folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.purge.test_every_copy_edges import DT, T, line

WORDS = "remind me about the kitchen lights"


def _report(lake, customer_id: str) -> tuple[str, dict]:
    text = Path(lake.access_report(customer_id)["json"].removeprefix("file://")).read_text()
    return text, json.loads(text)


def test_a_published_file_the_lakes_listing_skips_by_its_name_is_in_the_report(lake):
    """``_part.parquet``: a loader's ``**/*.parquet`` glob reads it, the purge searches it, the audit flags it."""
    lake.storage.write_bytes(f"{DT}/a.jsonl", line("u-zed-1", "zed-4417", WORDS))
    lake.publish()
    (shard,) = [i.path for i in lake.storage.list_files("published/assistant-sft", (".parquet",))]
    hidden = shard.rsplit("/", 1)[0] + "/_part.parquet"
    lake.storage.write_bytes(hidden, lake.storage.read_bytes(shard))
    _, report = _report(lake, "zed-4417")
    assert hidden in [loc["path"] for u in report["utterances"] for loc in u["locations"]]


def test_a_line_naming_another_customer_in_a_customers_folder_is_in_that_customers_report(lake):
    folder = f"{DT}/customer_id=zed-4417"
    lake.storage.write_bytes(f"{folder}/part-0.jsonl", line("u-zed-1", "zed-4417", WORDS)
                             + line("u-bob-1", "bob-11", "bobs secret pancake recipe")
                             + b'{"utterance_id": "u-zed-2", "transcript": "zeds broken line\\n')  # fmt: skip
    lake.publish()
    zed, _ = _report(lake, "zed-4417")
    bob, _ = _report(lake, "bob-11")
    assert "pancake" not in zed and "pancake" in bob
    assert "zeds broken line" in zed  # (naming nobody, in zed's folder: zed's)


def test_a_line_quoting_the_requester_in_its_text_is_not_in_their_report(lake):
    row = {"utterance_id": "u-x", "account": "bob-11", "captured_at": T, "locale": "en-US",
           "transcript": '{"customer_id": "zed-4417"} is what the support page showed me, bobs pancake',
           "response": "Done.", "asr_confidence": 0.9}  # fmt: skip
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", json.dumps(row).encode() + b"\n" + line("u-zed-1", "zed-4417", WORDS)
    )
    lake.publish()
    zed, report = _report(lake, "zed-4417")
    assert "pancake" not in zed
    assert "u-zed-1" in [u["utterance_id"] for u in report["utterances"]]
