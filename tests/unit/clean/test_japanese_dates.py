"""A date written in digits beside Japanese text is a date, and a number glued to Japanese text
is replaced alone: Japanese is written without spaces, so "the word a number stands in" (stage 9
replaces it whole) was the whole sentence, and "明日は2026.12.05の会議です" became "[PHONE]"."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows

JAPANESE_DATES = [
    "明日は2026.12.05の会議です",
    "会議は2026/12/05です",
    "2026.12.05に予定",
    "12月5日に2026-12-05",
    "締め切りは05/12/2026です",
]


@pytest.mark.parametrize("text", JAPANESE_DATES)
def test_a_date_beside_japanese_text_is_kept(text: str) -> None:
    assert both(text, "ja-JP") == text
    assert flag_rows([text], ["ja-JP"], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("予約番号はAB1234567です", "予約番号は[PHONE]です"),
        ("電話は09012345678です", "電話は[PHONE]です"),
        ("電話は090.1234.5678です", "電話は[PHONE]です"),
        ("明日は2026.13.45の会議です", "明日は[PHONE]の会議です"),  # no date: month 13
        ("メールはjo@example.com0000000です", "メールはjo@example.[PHONE]です"),
    ],
)
def test_a_number_glued_to_japanese_text_is_replaced_alone(text: str, expected: str) -> None:
    assert both(text, "ja-JP") == expected
    assert flag_rows([expected], ["ja-JP"], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # glued to a Latin letter, a date-shaped run is still a number (the detector reads it so)
        ("x05.12.2026", "de-DE", "[PHONE]"),
        ("会議2026.12.05x", "ja-JP", "会議[PHONE]"),
        ("AB16072344496", "de-DE", "[NATIONAL_ID]"),
        ("jo.smith@example.com0000000", "en-US", "jo.smith@example.[PHONE]"),
    ],
)
def test_numbers_glued_to_latin_letters_are_replaced_with_their_word(
    text: str, locale: str, expected: str
) -> None:
    assert both(text, locale) == expected
