"""A nightly publish whose intake took in a deletion, an opt-out, or that runs under a policy adding an
opt-in region, purges the live version first: the version it puts live and announces to training holds
none of the rows that state withdraws (SPEC §4), as its manifest's privacy snapshot says.

Before: the publish carried the parent's shards over by reference without judging them again; the new
version, decided against a snapshot holding the deletion, still held the deleted customer's row, and its
asset event started training on it until the hourly privacy run purged it."""

from __future__ import annotations

import json

import pytest
from tests.pipeline import Lake
from tests.unit.purge.test_every_copy_edges import deletion, line, opt_out

from utterance_governance.policy import OPT_IN_REGIONS
from utterance_governance.publish.commit import read_current, read_manifest

DATASET = "assistant-sft"
DT = "landing/utterances/dt=2026-11-20"


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    lake = Lake(str(tmp_path / "lake"), store_url)
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        line("u-zed-1", "zed", "remind me to water the ferns")
        + line("u-bob-1", "bob", "play some jazz")
        + line("u-gb-1", "brit", "set a timer for tea", locale="en-GB"),
    )
    lake.publish()
    return lake


def _next_night(lake: Lake) -> dict:
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-21/b.jsonl",
        line("u-bob-2", "bob", "what is the weather", captured_at="2026-11-21T10:00:00Z"),
    )
    return lake.publish()


def _live_manifest(lake: Lake) -> dict:
    return read_manifest(lake.storage, DATASET, read_current(lake.storage, DATASET)["version"])


def test_a_publish_after_a_delete_all_was_taken_in_carries_no_deleted_row(lake):
    lake.storage.write_bytes("landing/deletions/d.jsonl", deletion("d1", "zed"))
    published = _next_night(lake)
    assert published["new_version"]
    assert _live_manifest(lake)["privacy_snapshot"]["deletion_requests"] == 1
    assert lake.live_ids() == {"u-bob-1", "u-bob-2", "u-gb-1"}
    with lake.store() as store:
        receipt = store.receipt("d1")
    # the publish counted the row it removed; the privacy run searches every other copy and completes
    assert (receipt["status"], receipt["removed_counts"]["published_rows"]) == ("in_progress", 1)
    lake.privacy()
    with lake.store() as store:
        receipt = store.receipt("d1")
    assert (receipt["status"], receipt["removed_counts"]["published_rows"]) == ("completed", 1)
    assert receipt["versions_rewritten"]  # the version the publish's purge replaced
    lake.audit()


def test_a_publish_after_an_opt_out_was_taken_in_carries_no_opted_out_row(lake):
    lake.storage.write_bytes("landing/consent/c.jsonl", opt_out("e1", "zed"))
    _next_night(lake)
    assert lake.live_ids() == {"u-bob-1", "u-bob-2", "u-gb-1"}
    lake.audit()


def test_a_publish_under_a_policy_adding_an_opt_in_region_carries_none_of_its_rows(lake, tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"opt_in_regions": [*OPT_IN_REGIONS, "GB"]}))
    lake.policy_file = str(policy)
    _next_night(lake)
    assert lake.live_ids() == {"u-zed-1", "u-bob-1", "u-bob-2"}
    lake.audit()
