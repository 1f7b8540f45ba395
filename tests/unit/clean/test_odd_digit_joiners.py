"""Written digit groups joined by "'", "’", ":", "~", "|" or ";" ("415'555'0123"), and the letter O
typed for a zero inside a digit group ("415-555-O123"): redaction kept both (the review of 2026-12-05).
Times, scores, ratios, dates, Swiss thousands ("1'000'000" is a number, not a phone number), lists of
short numbers and words keep their bytes."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import flag_rows

JOINED = [
    ("call 415'555'0123", "en-US", "call [PHONE]"),
    ("call 415’555’0123 please", "en-US", "call [PHONE] please"),
    ("call 415:555:0123", "en-US", "call [PHONE]"),
    ("call 415~555~0123", "en-US", "call [PHONE]"),
    ("call 415|555|0123", "en-US", "call [PHONE]"),
    ("call 415;555;0123", "en-US", "call [PHONE]"),
    ("call 415'555-0123", "en-US", "call [PHONE]"),
    ("call 555'0123", "en-US", "call [PHONE]"),
    ("ruf 079'123'45'67 an", "de-CH", "ruf [PHONE] an"),
    ("my ssn is 123'45'6789", "en-US", "my ssn is [SSN]"),
    ("card 4111'1111'1111'1111", "en-US", "card [CARD]"),
    ("call 415-555-O123", "en-US", "call [PHONE]"),
    ("call 415 555 O123", "en-US", "call [PHONE]"),
    ("call 555-O1OO", "en-US", "call [PHONE]"),
    ("call O2O 7946 O958", "en-GB", "call [PHONE]"),
    ("call 4O5-555-0123 now", "en-US", "call [PHONE] now"),
    ("call 415.555.o123", "en-US", "call [PHONE]"),
]


@pytest.mark.parametrize(("text", "locale", "expected"), JOINED)
def test_digit_groups_joined_oddly_or_with_an_o_for_zero(text: str, locale: str, expected: str) -> None:
    out = redacted_unflagged(text, locale)
    assert out == expected


KEPT = [
    ("wake me at 10:30", "en-US"),
    ("at 10:30:15 exactly", "en-US"),
    ("from 10:30-11:45", "en-US"),
    ("the meeting is 9:30-10:15 and 14:00-15:30", "en-US"),
    ("When: 1995-04-16 04:19:03.797485", "en-US"),
    ("logged at 2024-02-14 12:03:13.798438 by the server", "en-US"),
    ("at 12:03:13.798438", "en-US"),
    ("lap 1:23:456", "en-US"),
    ("the score was 3:2", "en-US"),
    ("the score was 103:98", "en-US"),
    ("a ratio of 16:9", "en-US"),
    ("a map at 1:25000", "en-US"),
    ("a map at 1:100000", "en-US"),
    ("John 3:16", "en-US"),
    ("it costs 1'000'000 francs", "de-CH"),
    ("Zürich hat 1'234'567 Einwohner", "de-CH"),
    ("es kostet CHF 1'299.50", "de-CH"),
    ("es kostet 12'345'678 Franken", "de-CH"),
    ("on 2024:01:15", "en-US"),
    ("1|2|3|4|5|6|7", "en-US"),
    ("12;34;56;78", "en-US"),
    ("pick 1;2;3;4;5;6;7", "en-US"),
    ("the 80's and 90's", "en-US"),
    ("rock'n'roll 45", "en-US"),
    ("Room 4O1", "en-US"),
    ("the 4O5 freeway", "en-US"),
    ("H2O and CO2", "en-US"),
    ("call O2 about 10 GB", "en-GB"),
    ("10oz of water", "en-US"),
    ("the year 2O23", "en-US"),
    ("set it to 5~10 minutes", "en-US"),
    ("100~200 grams", "en-US"),
    ("the fan at 1200|1500 rpm", "en-US"),
]


@pytest.mark.parametrize(("text", "locale"), KEPT)
def test_times_scores_ratios_thousands_and_words_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
