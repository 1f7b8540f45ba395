"""Review finding 10, end to end: an utterance id holding its customer's id in another notation (a UUID
account id without its hyphens, the separator changed or dropped) is not published. SPEC §3.1: a
customer id never appears in published output, and the utterance id is published as it is."""

from __future__ import annotations

import json

import pytest

DT = "landing/utterances/dt=2026-11-20"
ACCOUNT = "6f1c2b7e-90aa-4d1e-b0c4-2f9d1e7a55c3"
NOTATIONS = {
    "uuid-hex": (ACCOUNT, ACCOUNT.replace("-", "") + ":0001"),
    "uuid-hex-upper": (ACCOUNT, ACCOUNT.replace("-", "").upper() + "-0001"),
    "acct-underscore": ("acct-88231907", "acct_88231907:0001"),
    "acct-nosep": ("acct-88231907", "ACCT88231907-0001"),
    "as-written": ("acct-88231907", "acct-88231907:0001"),  # found before the fix too
}


def line(uid: str, customer: str) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                       "locale": "en-US", "transcript": f"what is the weather tomorrow {uid}", "response": "Sunny.",
                       "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


@pytest.mark.parametrize("notation", list(NOTATIONS))
def test_an_utterance_id_holding_the_customer_id_in_another_notation_is_not_published(lake, notation):
    customer, uid = NOTATIONS[notation]
    lake.storage.write_bytes(f"{DT}/a.jsonl", line(uid, customer))
    lake.publish()
    assert uid not in lake.live_ids(), f"published utterance_id {uid!r} carries customer id {customer!r}"


def test_an_utterance_id_sharing_only_part_of_the_customer_id_is_published(lake):
    """The look-alikes: a UUID's first group, half of an account number."""
    kept = {"6f1c2b7e:0001": ACCOUNT, "acct-8823:0001": "acct-88231907", "acct-1907-0002": "acct-88231907"}
    lake.storage.write_bytes(f"{DT}/a.jsonl", b"".join(line(u, c) for u, c in kept.items()))
    lake.publish()
    assert lake.live_ids() == set(kept)
