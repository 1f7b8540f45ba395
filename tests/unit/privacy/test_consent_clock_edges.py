"""The edges of consent in time: an opt-out-then-in gap widened by the devices' clock skew at both ends
(as a range deletion is), and an opt-in recorded less than a microsecond after a capture."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline import Lake

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, captured: str, locale: str = "en-US") -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": locale,
            "transcript": f"please remind me about the garden party {uid}", "response": "Sure.",
            "asr_confidence": 0.9}  # fmt: skip


def consent(event_id: str, customer: str, status: str, at: str, recorded: str | None = None) -> dict:
    return {"event_id": event_id, "customer_id": customer, "purpose": "model_training", "status": status,
            "effective_at": at, "recorded_at": recorded or at, "source": "app"}  # fmt: skip


def jsonl(*rows: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def night(lake, **captured: str) -> None:
    """cust-a's words, one utterance per id, captured when given."""
    lake.storage.write_bytes(
        f"{DT}/a.jsonl", jsonl(*(utterance(u, "cust-a", at) for u, at in captured.items()))
    )


def gap(customer: str) -> bytes:
    """An opt-out at 10:00, the customer's opt-in again at 12:00."""
    return jsonl(
        consent(f"{customer}-out", customer, "opted_out", "2026-11-20T10:00:00Z"),
        consent(f"{customer}-in", customer, "opted_in", "2026-11-20T12:00:00Z"),
    )


def test_words_stamped_within_the_clock_skew_before_an_opt_out_are_not_published(lake):
    """Said at 10:00:30, just after the opt-out, on a device whose clock runs 2.5 minutes behind: stamped
    09:58, inside the 300 s skew before it. The gap's end was widened (an opt-in counts from the skew after
    it), its start was not, and the words were published once the customer opted in again (a range
    deletion of the same gap covers them). Words stamped past the skew before it are published."""
    lake.storage.write_bytes("landing/consent/c.jsonl", gap("cust-a"))
    night(lake, **{"u-within": "2026-11-20T09:58:00Z", "u-before": "2026-11-20T09:54:59Z",
                   "u-after": "2026-11-20T12:05:01Z"})  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-before", "u-after"}
    lake.audit()


def test_a_live_row_stamped_within_the_clock_skew_before_an_opt_out_is_withdrawn(lake):
    """The same gap arriving after the words were published: the purge withdraws them with the gap's,
    and the audit, asking the same verdict, passes."""
    night(lake, **{"u-within": "2026-11-20T09:58:00Z", "u-in-gap": "2026-11-20T11:00:00Z",
                   "u-before": "2026-11-20T09:54:59Z"})  # fmt: skip
    lake.publish()
    assert lake.live_ids() == {"u-within", "u-in-gap", "u-before"}
    lake.storage.write_bytes("landing/consent/c.jsonl", gap("cust-a"))
    lake.privacy()
    assert lake.live_ids() == {"u-before"}
    lake.audit()


def test_an_opt_in_recorded_less_than_a_microsecond_after_a_capture_is_not_consent_at_it(tmp_path: Path):
    """With no clock skew allowed, an opt-in recorded at 10:00:00.000000900 does not cover words captured
    at 10:00:00.000000400 (both were floored to the same microsecond): its recorded_at is rounded up, as
    its effective_at is. Words captured a second later are published."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"capture_clock_skew_s": 0}))
    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(policy))
    lake.storage.write_bytes(
        "landing/consent/c.jsonl",
        jsonl(consent("e1", "de-cust", "opted_in", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00.000000900Z")),
    )
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        jsonl(
            utterance("u-before", "de-cust", "2026-11-20T10:00:00.000000400Z", "de-DE"),
            utterance("u-after", "de-cust", "2026-11-20T10:00:01Z", "de-DE"),
        ),
    )
    lake.publish()
    assert lake.live_ids() == {"u-after"}
