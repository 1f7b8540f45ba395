"""An unreadable opt-out whose recorded_at cannot be read counts, once its hold is released, from the earliest
capture: an opt-out is in force from the earlier of its effective_at and recorded_at, and the one is unknown.

Before: it counted only from the effective_at it states (the unknown recorded time taken as the intake's)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from tests.pipeline import Lake


def utterance(uid: str, customer: str, captured: str) -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": "en-US",
            "transcript": f"please remind me about the garden party {uid}", "response": "Sure.",
            "asr_confidence": 0.9}  # fmt: skip


def consent(event_id: str, customer: str, status: str, effective: str, recorded: str) -> dict:
    return {"event_id": event_id, "customer_id": customer, "purpose": "model_training", "status": status,
            "effective_at": effective, "recorded_at": recorded, "source": "app"}  # fmt: skip


def jsonl(*rows: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


@pytest.fixture
def lake(tmp_path, store_url) -> Lake:
    # no clock skew allowed (a valid policy): the re-opt-in below may be recorded seconds after the intake
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"capture_clock_skew_s": 0}))
    return Lake(str(tmp_path / "lake"), store_url, policy_file=str(policy))


@pytest.mark.parametrize("recorded", ["1970-01-01T00:00:00Z", "2026-11-02T10:00:00", None],
                         ids=["zero_time", "no_offset", "missing"])  # fmt: skip
def test_an_unreadable_opt_outs_unknown_recorded_time_does_not_postpone_it_to_its_effective_date(
    lake, recorded
):
    """An opt-out effective 2026-11-15 whose recorded_at cannot be read (a zero time, no offset, missing) holds
    cust-a; a later valid opt-in releases the hold; then words cust-a said on 2026-11-06 arrive.

    The record may be an opt-out recorded any time before it was taken in, and an opt-out is in force from
    the earliest of its effective_at and recorded_at (``privacy.rules.consent_status``): it may have been in
    force on 11-06, and doubt withdraws (SPEC §4.1). The same record with a readable recorded_at of 11-02
    (unreadable for its status instead) does withhold the 11-06 words.
    Expected: u-a withheld (opted_out: the doubt opt-out counts from the earliest capture when its recorded
    time is unknown, as it does when its effective time is unknown).
    Before: u-a was published: ``PrivacyStore.doubt_opt_outs`` gives the doubt opt-out recorded_at = the
    intake time, so its start is min(effective 11-15, intake) = 11-15, after the capture."""
    bad = consent("e-bad", "cust-a", "opted_out", "2026-11-15T00:00:00Z", recorded or "")
    if recorded is None:
        del bad["recorded_at"]
    lake.storage.write_bytes("landing/consent/c1.jsonl", jsonl(bad))
    lake.privacy()
    time.sleep(1.5)  # the opt-in is recorded after the unreadable record was taken in: it releases the hold
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    lake.storage.write_bytes("landing/consent/c2.jsonl",
                             jsonl(consent("e-in", "cust-a", "opted_in", "2026-11-01T00:00:00Z", now)))  # fmt: skip
    time.sleep(0.5)
    lake.privacy()
    with lake.store() as store:
        assert store.held_customers() == set()  # released, as designed
    lake.storage.write_bytes("landing/utterances/dt=2026-11-06/a.jsonl",
                             jsonl(utterance("u-a", "cust-a", "2026-11-06T10:00:00Z")))  # fmt: skip
    lake.publish()
    assert "u-a" not in lake.live_ids()


def test_the_same_record_with_a_readable_recorded_time_withholds_the_words(lake):
    """Control (passes): unreadable for its status only, recorded 2026-11-02: the 11-06 words are withheld."""
    bad = consent("e-bad", "cust-a", "opted-out", "2026-11-15T00:00:00Z", "2026-11-02T10:00:00Z")
    lake.storage.write_bytes("landing/consent/c1.jsonl", jsonl(bad))
    lake.privacy()
    time.sleep(1.5)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    lake.storage.write_bytes("landing/consent/c2.jsonl",
                             jsonl(consent("e-in", "cust-a", "opted_in", "2026-11-01T00:00:00Z", now)))  # fmt: skip
    time.sleep(0.5)
    lake.privacy()
    lake.storage.write_bytes("landing/utterances/dt=2026-11-06/a.jsonl",
                             jsonl(utterance("u-a", "cust-a", "2026-11-06T10:00:00Z")))  # fmt: skip
    lake.publish()
    assert "u-a" not in lake.live_ids()
