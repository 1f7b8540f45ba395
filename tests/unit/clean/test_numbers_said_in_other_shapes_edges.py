"""Edges of five and three digits by region, a NINO said with its name and comma groups of thirteen digits or
more: what redaction keeps the gate's detector keeps (the same words name a NINO on both sides), money in comma
groups (a currency sign, cents, a round thousand) is kept by both, and a region outside the known ones keeps
the five and three digits."""

from __future__ import annotations

import pytest

from utterance_governance.clean.redact import redact_text
from utterance_governance.detect import flag_rows


def _flagged(text: str, locale: str | None) -> bool:
    return bool(flag_rows([text], [locale], sample_rate=1.0)[0])


@pytest.mark.parametrize(
    "text",
    [
        "my national  insurance number is ab 12 34 56 c",  # two spaces (typed text, an ASR joining segments)
        "my ni  number is ab 12 34 56 c",
        "my multinational insurance ref is ab 12 34 56 c",  # the detector reads "national insurance" inside a word
    ],
)
def test_what_redaction_keeps_of_a_named_nino_is_not_flagged_by_the_gate(text):
    """Expected (the invariant of tests/unit/clean/test_numbers_said_in_other_shapes.py: what redaction keeps,
    the gate's detector keeps; a flag blocks the whole night): the redacted text is not flagged.
    Before: the detector's ``_NINO_NAMED`` reads ``national\\s+insurance`` / ``ni\\s+number`` (any run of
    whitespace, and "national insurance" without a word boundary), redaction's ``_NINO_SAID`` one literal space
    and whole words: redaction keeps "ab 12 34 56 c", the detector flags it, and the night is blocked."""
    redacted = redact_text(text, "en-GB")
    assert not _flagged(redacted, "en-GB"), redacted


def test_an_amount_of_money_in_comma_groups_with_its_cents_keeps_its_bytes():
    """Expected (docs/redaction.md: "An amount of money is no identifier: comma-grouped thousands ... keep their
    commas"; "`$1,234,567` keeps its commas (an amount)"): a dollar amount of fourteen digits with its cents is
    kept; the detector does not flag it (not Luhn-valid). Actual: ``_COMMA_GROUPS_RE`` takes any thirteen digits
    or more not ending in 000: "the debt is $[NUMBER].72 today"."""
    text = "the debt is $34,586,532,107,143.72 today"
    assert not _flagged(text, "en-US")
    assert redact_text(text, "en-US") == text


@pytest.mark.parametrize("locale", ["pt-PT", "de-CH"])
def test_five_and_three_digits_in_a_row_of_another_region_keep_their_bytes(locale):
    """Expected (the commit: "five and three digits are a phone number where phonenumbers' matcher finds one
    *of the row's region*"; before it the shape was kept everywhere): in a Portuguese or Swiss row (a policy
    may allow these locales: their languages are read) a Brazilian CEP or an order code that is no number of
    the row's region keeps its bytes; the detector flags neither. Actual: ``_matched_phone`` tries every
    region of ``KNOWN_REGIONS`` when the row's is not one of them, and about one 5-3 number in ten is
    ``[PHONE]`` ("meu cep é [PHONE]")."""
    for text in ("meu cep é 01310-100", "Bestellnummer 80331-123"):
        assert not _flagged(text, locale)
        assert redact_text(text, locale) == text, (locale, redact_text(text, locale))


@pytest.mark.parametrize(
    "text",
    [
        "the national debt passed $34,000,000,000,000 this year",  # about the US figure of 2024
        "the debt is 18,000,000,000,000 dollars",
    ],
)
def test_a_round_amount_that_happens_to_pass_luhn_keeps_its_bytes(text):
    """Expected (docs/redaction.md, this change: "an amount that ends in a thousand (`31,000,000,000,000
    dollars`) ... keep their bytes"; before the change both sides kept every comma amount): a round amount is
    kept and not flagged. Actual: one round amount in ten passes the Luhn check; redaction makes it "[CARD]"
    (``_COMMA_GROUPS_RE``: ``_luhn(digits) or not digits.endswith("000")``) and the detector flags the raw text
    as a card (``_card_in_thousands``), whatever its currency word or sign."""
    assert not _flagged(text, "en-US")
    assert redact_text(text, "en-US") == text


def test_a_named_nino_with_two_spaces_blocks_the_night(tmp_path):
    """End to end: the row's NINO stays in its text and the gate fails the whole night (GateFailed), where
    the same row with one space publishes with ``[NATIONAL_ID]``. Expected: the night publishes (both rows)."""
    import json

    from tests.pipeline import Lake

    def line(uid: str, customer: str, text: str) -> bytes:
        return json.dumps({"utterance_id": uid, "customer_id": customer, "captured_at": "2026-11-20T10:00:00Z",
                           "locale": "en-GB", "transcript": text, "response": "Done.",
                           "asr_confidence": 0.9}).encode() + b"\n"  # fmt: skip

    lake = Lake(str(tmp_path / "lake"), f"sqlite:///{tmp_path / 'governance.db'}")
    lake.storage.write_bytes(
        "landing/utterances/dt=2026-11-20/a.jsonl",
        line("u-1", "cus-aaa-0001", "my national  insurance number is ab 12 34 56 c")
        + line("u-2", "cus-bbb-0002", "play some jazz"),
    )
    lake.publish()
    assert lake.live_ids() == {"u-1", "u-2"}
