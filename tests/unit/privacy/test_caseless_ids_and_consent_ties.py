"""Two decision rules a review broke, each publishing what it must not:

- ids fold to Unicode's compatibility caseless form: Python's ``casefold`` left ``ΐ`` (U+0390) decomposed and
  its upper-case spelling ``Ϊ́`` half composed, so an opt-out or a listing naming one spelling missed the
  other's recordings;
- an opt-out outranks an opt-in recorded within a microsecond of it even with no clock skew allowed: times
  finer than a microsecond are floored for an opt-out and rounded up for an opt-in, and the opt-in won."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from tests.pipeline import Lake

from utterance_governance.privacy.identity import listed_key

DT = "landing/utterances/dt=2026-11-20"
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def utterance(uid: str, customer: str, captured: str) -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": captured, "locale": "en-US",
            "transcript": f"please remind me about the garden party {uid}", "response": "Sure.",
            "asr_confidence": 0.9}  # fmt: skip


def consent(event: str, customer: str, status: str, at: str) -> dict:
    return {"event_id": event, "customer_id": customer, "purpose": "model_training", "status": status,
            "effective_at": at, "recorded_at": at, "source": "app"}  # fmt: skip


def jsonl(*rows: dict) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def test_every_case_and_form_of_a_letter_folds_alike() -> None:
    """Each letter's upper, lower and title case, decomposed or composed, in an id: one key (the Turkish
    dotless ``ı`` too, which Unicode's folding keeps apart from ``I``: the fold makes both an ``i``)."""
    n = unicodedata.normalize
    letters, ids = [], []
    for code in range(0x80, 0x30000):
        letter = chr(code)
        if not unicodedata.category(letter).startswith("L"):
            continue
        spellings = {letter, letter.upper(), letter.lower(), letter.title(), n("NFD", letter),
                     n("NFD", letter.upper()), n("NFC", letter.upper()), n("NFD", letter.lower())}  # fmt: skip
        letters += [code] * len(spellings)
        ids += [f"cust-{s}-7" for s in spellings]
    keys = listed_key(pa.array(ids)).to_pylist()  # (one call: the vectorised path, as the pipeline reads ids)
    folds: dict[int, set] = {}
    for code, key in zip(letters, keys, strict=True):
        folds.setdefault(code, set()).add(key)
    assert [hex(code) for code, found in folds.items() if len(found) > 1] == []
    assert len(folds) > 100_000
    # (the Hangul fillers are blank: an id of one is refused, whatever its case)
    assert {code for code, found in folds.items() if None in found} == {0x115F, 0x1160, 0x3164, 0xFFA0}


def test_an_opt_out_naming_a_greek_id_upper_cased_reaches_its_recordings(lake) -> None:
    customer = "Ταΐζω-7"
    lake.storage.write_bytes(
        "landing/consent/c.jsonl", jsonl(consent("e1", customer.upper(), "opted_out", "2026-11-19T10:00:00Z"))
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u1", customer, "2026-11-20T10:00:00Z")))
    lake.publish(now=NOW)
    assert lake.live_ids() == set()


def test_a_listing_of_a_greek_recording_id_upper_cased_deletes_it(lake) -> None:
    uid = "ταΐζω-7"
    lake.storage.write_bytes(
        f"{DT}/a.jsonl",
        jsonl(
            utterance(uid, "cust-a", "2026-11-20T10:00:00Z"),
            utterance("u2", "cust-a", "2026-11-20T10:00:01Z"),
        ),
    )
    lake.publish(now=NOW)
    assert lake.live_ids() == {uid, "u2"}
    request = {"request_id": "r1", "customer_id": "cust-a", "scope": "utterances", "utterance_ids": [uid.upper()],
               "requested_at": "2026-11-21T01:00:00Z"}  # fmt: skip
    lake.storage.write_bytes("landing/deletions/d.jsonl", jsonl(request))
    lake.privacy(now=NOW)
    assert lake.live_ids() == {"u2"}


def _lake_allowing_no_skew(tmp_path: Path) -> Lake:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"capture_clock_skew_s": 0}))
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(policy))


@pytest.mark.parametrize(
    ("opt_in", "opt_out"),
    [
        ("2026-11-20T12:00:00.000000500Z", "2026-11-20T12:00:00.000000500Z"),  # the same nanosecond
        ("2026-11-20T12:00:00.000000300Z", "2026-11-20T12:00:00.000000700Z"),  # the opt-out 400 ns later
        ("2026-11-20T12:00:00.000001Z", "2026-11-20T12:00:00.000001Z"),  # the same microsecond
    ],
)
def test_with_no_clock_skew_an_opt_out_outranks_an_opt_in_of_the_same_microsecond(
    tmp_path: Path, opt_in: str, opt_out: str
) -> None:
    lake = _lake_allowing_no_skew(tmp_path)
    lake.storage.write_bytes(
        "landing/consent/c.jsonl",
        jsonl(
            consent("e-in", "cust-a", "opted_in", opt_in), consent("e-out", "cust-a", "opted_out", opt_out)
        ),
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u1", "cust-a", "2026-11-20T10:00:00Z")))
    lake.publish(now=NOW)
    assert lake.live_ids() == set()


def test_with_no_clock_skew_an_opt_in_two_microseconds_later_decides(tmp_path: Path) -> None:
    """The tie-break is a microsecond wide, no wider: a later opt-in still counts."""
    lake = _lake_allowing_no_skew(tmp_path)
    lake.storage.write_bytes(
        "landing/consent/c.jsonl",
        jsonl(
            consent("e-out", "cust-a", "opted_out", "2026-11-20T08:00:00.000001Z"),
            consent("e-in", "cust-a", "opted_in", "2026-11-20T08:00:00.000003Z"),
        ),
    )
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u1", "cust-a", "2026-11-20T10:00:00Z")))
    lake.publish(now=NOW)
    assert lake.live_ids() == {"u1"}
