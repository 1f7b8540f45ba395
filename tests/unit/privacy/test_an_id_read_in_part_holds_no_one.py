"""A broken consent or deletion line whose customer_id value is followed by more than the end of the value
(an unescaped quote inside the id, an unquoted id with a hyphen) was read by the salvage as the prefix it could
parse (before): it held a customer who is not the one the record names, and the real customer's words keep being
published. SPEC §4: if the customer_id cannot be read, publishing is blocked (fail closed); anything in doubt
must not publish. Now a value read only in part names no one (``readers._CUSTOMER_VALUE``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from utterance_governance.jobs.publish import PublishingBlocked

DT1 = "landing/utterances/dt=2026-11-20"
DT2 = "landing/utterances/dt=2026-11-22"


def utterance(uid: str, customer: str, captured: str) -> bytes:
    return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": "en-US",
                       "transcript": f"tell me a long story about the river {uid}", "response": "Here is one.",
                       "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip


BROKEN = {
    # an id holding a quote its writer did not escape: the salvage reads "4417"
    "unescaped-quote-deletion": ("deletions", '4417"zed',
        '{"request_id": "r-1", "customer_id": "4417"zed", "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}'),
    "unescaped-quote-opt-out": ("consent", '4417"zed',
        '{"event_id": "e-1", "customer_id": "4417"zed", "purpose": "model_training", "status": "opted_out",'
        ' "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}'),
    # an id its writer did not quote: the salvage reads the number 4417
    "unquoted-id-deletion": ("deletions", "4417-zed",
        '{"request_id": "r-1", "customer_id": 4417-zed, "scope": "all", "requested_at": "2026-11-25T00:00:00Z"}'),
    "unquoted-id-opt-out": ("consent", "4417-zed",
        '{"event_id": "e-1", "customer_id": 4417-zed, "purpose": "model_training", "status": "opted_out",'
        ' "effective_at": "2026-11-25T00:00:00Z", "recorded_at": "2026-11-25T00:00:00Z"}'),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_value_cut_short_by_the_salvage_does_not_let_the_customer_publish(lake, case):
    folder, customer, line = BROKEN[case]
    lake.storage.write_bytes(f"{DT1}/a.jsonl", utterance("u-1", customer, "2026-11-20T10:00:00Z"))
    lake.publish(now=datetime(2026, 11, 21, tzinfo=UTC))
    assert lake.live_ids() == {"u-1"}

    lake.storage.write_bytes(f"landing/{folder}/x.jsonl", line.encode() + b"\n")
    lake.privacy(now=datetime(2026, 11, 26, tzinfo=UTC), check_deadlines=False)
    with lake.store() as store:
        held = set(store.privacy_state().held_customers)
        blocked = store.privacy_blocked_reasons()
    # the record is the customer's (held: their rows withdrawn) or nobody's it can tell (publishing blocked)
    assert customer in held or blocked, (
        f"held {held}: the record's customer is neither held nor is publishing blocked"
    )

    lake.storage.write_bytes(f"{DT2}/b.jsonl", utterance("u-2", customer, "2026-11-22T10:00:00Z"))
    with pytest.raises(PublishingBlocked):  # whose record it is cannot be told
        lake.publish(now=datetime(2026, 11, 26, 1, tzinfo=UTC))
    assert "u-2" not in lake.live_ids()


@pytest.mark.parametrize(
    "text, named",
    [
        ('{"customer_id": "zed-4417" "status": "opted_out"}', ["zed-4417"]),  # the comma lost: the next key
        ('{"customer_id": "zed-4417" /* crm */, "status": 1}', ["zed-4417"]),  # a comment after it
        ('{"customer_id": "zed-4417"\r\n', ["zed-4417"]),  # the line cut right after it
        ('{"customer_id": "4417"zed", "status": 1}', [None]),  # an unescaped quote: read in part
        ('{"customer_id": 4417-zed, "status": 1}', [None]),  # unquoted: read in part
    ],
)
def test_a_value_whole_before_the_next_key_or_a_comment_still_names_its_customer(text, named):
    """A whole value followed by what a broken writer puts after it names its customer (held, not
    everyone blocked); one read only in part names no one."""
    from utterance_governance.io.readers import customers_in_raw

    assert customers_in_raw(text) == named
