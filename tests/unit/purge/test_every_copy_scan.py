"""Several nights (re-runs, held rows, quarantined rows, duplicates across customers, a compaction), then a
delete-all: every file under the lake root (decoded) and every table of the store is scanned for the
customer's id, their utterance ids and their distinctive words."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from tests.pipeline import Lake
from tests.unit.audit.copies_scan import files_holding, tables_holding
from tests.unit.purge.test_every_copy_edges import deletion, line, opt_out, receipt

from utterance_governance.jobs import publish as publish_mod

ZED = "zed-4417"
# tables that keep the privacy records themselves (SPEC: the store keeps the requests)
RECORD_TABLES = {"deletion_requests", "consent_events"}


def at(t: str) -> datetime:
    return datetime.fromisoformat(t).replace(tzinfo=UTC)


def bad_consent(event_id: str, customer: str) -> bytes:
    return (
        json.dumps(
            {
                "event_id": event_id,
                "customer_id": customer,
                "purpose": "model_training",
                "status": "perhaps",
                "effective_at": "2026-11-01T00:00:00Z",
                "recorded_at": "2026-11-21T00:00:00Z",
                "source": "app",
            }
        ).encode()
        + b"\n"
    )


WORDS = {
    "u-zed-1": "please remember zebracornflakes alpha",
    "u-zed-2": "quarantined xylophonequokka bravo",
    "u-zed-3": "lowconf wombatmarmalade charlie",
    "u-zed-4": "brokenline pumpernickelyak",
    "u-zed-5": "night two kumquatzeppelin delta",
    "u-zed-6": "held words gazpachonarwhal echo",
    "u-zed-7": "dupe within zed quinoaflamingo",
    "u-zed-8": "dupe within zed quinoaflamingo",
}


def scenario(lake: Lake, mode: str = "hold", request: bytes | None = None) -> None:
    s = lake.storage
    d1 = "landing/utterances/dt=2026-11-20"
    s.write_bytes(
        f"{d1}/a.jsonl",
        line("u-zed-1", ZED, WORDS["u-zed-1"], captured_at="2026-11-20T09:00:00Z")
        + line("u-zed-2", ZED, WORDS["u-zed-2"], captured_at="2026-11-20T09:00:00")
        + line("u-zed-3", ZED, WORDS["u-zed-3"], asr_confidence=0.05)
        + b'{"utterance_id": "u-zed-4", "customer_id": "zed-4417", "transcript": "brokenline pumpernickelyak\n'
        + line("u-zed-7", ZED, WORDS["u-zed-7"], captured_at="2026-11-20T08:00:00Z")
        + line("u-zed-8", ZED, WORDS["u-zed-8"], captured_at="2026-11-20T08:30:00Z")
        + line("u-bob-1", "bob", WORDS["u-zed-1"], captured_at="2026-11-20T11:00:00Z")
        + line("u-bob-2", "bob", "what is the weather today"),
    )
    lake.publish(now=at("2026-11-21T01:00:00"))
    # a re-run of the night
    lake.publish(
        {"dt_from": "2026-11-20", "dt_to": "2026-11-20", "reprocess": True}, now=at("2026-11-21T02:00:00")
    )
    d2 = "landing/utterances/dt=2026-11-21"
    s.write_bytes(
        f"{d2}/a.jsonl",
        line("u-zed-5", ZED, WORDS["u-zed-5"], captured_at="2026-11-21T09:00:00Z")
        + line("u-amy-1", "amy", WORDS["u-zed-5"], captured_at="2026-11-21T10:00:00Z")
        + line("u-bob-3", "bob", "set a timer please", captured_at="2026-11-21T10:00:00Z"),
    )
    lake.publish(now=at("2026-11-22T01:00:00"))
    with lake._environment():
        publish_mod.compact(lake.context("utterances_publish", None, at("2026-11-22T02:00:00")))
    if mode == "hold":  # an unreadable consent record of zed's: zed's next rows are held back
        s.write_bytes("landing/consent/c.jsonl", bad_consent("e1", ZED))
    elif mode == "opt_out":
        s.write_bytes("landing/consent/c.jsonl", opt_out("e1", ZED))
    d3 = "landing/utterances/dt=2026-11-22"
    s.write_bytes(
        f"{d3}/a.jsonl",
        line("u-zed-6", ZED, WORDS["u-zed-6"], captured_at="2026-11-22T09:00:00Z")
        + line("u-bob-4", "bob", "play some jazz", captured_at="2026-11-22T09:00:00Z"),
    )
    lake.publish(now=at("2026-11-23T01:00:00"))
    lake.privacy(now=at("2026-11-23T02:00:00"), check_deadlines=False)
    # the delete-all
    s.write_bytes("landing/deletions/d.jsonl", request or deletion("d1", ZED))
    lake.privacy(now=at("2026-11-25T01:00:00"), check_deadlines=False)
    lake.privacy(now=at("2026-11-25T02:00:00"), check_deadlines=False)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"compaction_fanout": 2, "compaction_grace_hours": 48}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))


NEEDLES = [
    ZED,
    *WORDS,
    *sorted(set(WORDS.values())),
    "zebracornflakes",
    "xylophonequokka",
    "wombatmarmalade",
    "pumpernickelyak",
    "kumquatzeppelin",
    "gazpachonarwhal",
    "quinoaflamingo",
]


PRIVACY_FILES = ("landing/deletions/", "landing/consent/")


@pytest.mark.parametrize("mode", ["none", "hold", "opt_out"])
def test_a_delete_all_leaves_no_copy_in_any_file_or_table(lake, mode):
    scenario(lake, mode)
    assert receipt(lake, "d1")["status"] == "completed"
    assert {"u-bob-2", "u-bob-3", "u-bob-4"} <= lake.live_ids()
    left = {}
    for needle in NEEDLES:
        # other customers' own landing lines say the same words (duplicates across customers): theirs
        files = [
            p
            for p in files_holding(lake.root, needle)
            if not p.startswith(PRIVACY_FILES)
            and not (
                p.startswith("landing/utterances/")
                and needle
                in (
                    "please remember zebracornflakes alpha",
                    "zebracornflakes",
                    "night two kumquatzeppelin delta",
                    "kumquatzeppelin",
                )
            )
        ]
        tables = tables_holding(lake.database_url, needle, RECORD_TABLES | {"privacy_quarantine"})
        if files or tables:
            left[needle] = (files, tables)
    assert left == {}
    lake.audit(now=at("2026-11-25T03:00:00"))
