"""The policy's locale lists end to end: ``allowed_locales`` read in any case, and an M.49 area holding EU
territory defaulting to no consent (review of 2026-12-07)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline import Lake

DT = "landing/utterances/dt=2026-11-20"


def utterance(uid: str, customer: str, locale: str) -> dict:
    return {"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
            "locale": locale, "transcript": f"please remind me about the garden party {uid}",
            "response": "Sure.", "asr_confidence": 0.9}  # fmt: skip


def jsonl(*rows: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def lake_with(tmp_path: Path, policy: dict) -> Lake:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    return Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}", policy_file=str(path))


def test_allowed_locales_are_matched_in_any_case(tmp_path: Path):
    """docs/notes.md: "A locale is read in BCP 47's conventional case (EN-us is en-US: case carries no
    meaning there)", and ``opt_in_regions`` are taken "in any case". A policy listing ``en-us`` is
    accepted when loaded, but its ``allowed_locales`` are compared as written against rows the reader
    has re-cased to ``en-US``: every en-US row is refused.

    Before: u1 is ``quality:locale_not_allowed`` and nothing is published."""
    lake = lake_with(tmp_path, {"allowed_locales": ["en-us"]})
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u1", "us-cust", "en-US")))
    lake.publish()
    assert lake.live_ids() == {"u1"}


def test_a_caribbean_french_locale_is_not_defaulted_to_consent(tmp_path: Path):
    """``fr-029`` (French, Caribbean: UN M.49 area 029) holds Guadeloupe, Martinique and Saint-Martin, EU
    outermost regions the built-in list makes opt-in (GP, MQ, MF). docs/notes.md: a locale whose regime
    "cannot be told" defaults to no consent (``001``/``UN`` "hold the EU and everywhere else" and are read as
    naming no region; ``fr-RE`` "defaulted to consented before" and was fixed). The policy accepts
    ``fr-029`` as an allowed locale, and a customer with no consent event is published under the opt-out
    regime.

    Before: u1 is published (``Policy.is_opt_in_locale('fr-029')`` is False)."""
    lake = lake_with(tmp_path, {"allowed_locales": ["en-US", "fr-029"]})
    lake.storage.write_bytes(f"{DT}/a.jsonl", jsonl(utterance("u1", "gp-cust", "fr-029")))
    lake.publish()
    assert lake.live_ids() == set()
