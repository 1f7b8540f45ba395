"""The Dutch BSN: nine digits (its 11-test over nine). ``stdnum`` pads a shorter number with zeros,
so the gate's detector read any eight digits in a Dutch row as a BSN one time in eleven ("bestelnummer
1234 5672", an amount "12.345.672"). Decided: a BSN is nine digits on both sides; eight are a BSN whose
leading zero was dropped (older ones, from the sofinummer, begin with 0) only where the row names it
("bsn", "burgerservicenummer", "sofinummer"): redaction calls it ``[NATIONAL_ID]`` then (without the
cue eight digits are a ``[PHONE]``, as every seven or eight are), and the detector reads it so. Dates
are no number to either side."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mijn bsn is 123456782", "mijn bsn is [NATIONAL_ID]"),
        ("mijn BSN is 1234.56.782", "mijn BSN is [NATIONAL_ID]"),
        ("noteer 123456782 voor de belasting", "noteer [NATIONAL_ID] voor de belasting"),
        ("mijn bsn is 012345672", "mijn bsn is [NATIONAL_ID]"),
        # eight digits, the leading zero dropped, where the row names a BSN
        ("mijn bsn is 12345672", "mijn bsn is [NATIONAL_ID]"),
        ("burgerservicenummer 1234.56.72", "burgerservicenummer [NATIONAL_ID]"),
        ("mijn sofinummer is 1234 5672", "mijn sofinummer is [NATIONAL_ID]"),
        ("BSN: 12345672, graag", "BSN: [NATIONAL_ID], graag"),
    ],
)
def test_a_bsn_is_redacted_and_found(text: str, expected: str) -> None:
    assert ("national_id", "stdnum_nl.bsn") in find_in_text(text, "nl-NL")
    assert redacted_unflagged(text, "nl-NL") == expected


@pytest.mark.parametrize(
    "text",
    [
        "bestelnummer 1234 5672",
        "de score was 1234 5672",
        "het kost 12.345.672 euro",
        "ordernummer 12 34 56 72",
        "pasnummer 1234/5672",
    ],
)
def test_eight_digits_without_the_cue_are_no_bsn_to_the_detector(text: str) -> None:
    assert ("national_id", "stdnum_nl.bsn") not in find_in_text(text, "nl-NL")
    redacted_unflagged(text, "nl-NL")  # seven or eight digits are a [PHONE] to redaction


@pytest.mark.parametrize(
    "text",
    [
        "afspraak op 2025-01-01 om 10:30",
        "afspraak op 01.01.2025",
        "mijn bsn is nog niet bekend",
        "de bsn van 2024 is 12",
        "om 10:30 en 11:45",
    ],
)
def test_look_alikes_keep_their_bytes(text: str) -> None:
    assert both(text, "nl-NL") == text
    assert flag_rows([text], ["nl-NL"], sample_rate=0).tolist() == [False]
