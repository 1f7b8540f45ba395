"""Variation selectors of the supplement (U+E0100-U+E01EF) inside a number or an e-mail address: neither
redaction nor the gate's detector removed them, and the identifier was published. A text holding none
keeps its bytes (Japanese writes kanji variants with them: 葛󠄀飾区)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my number is 415\U000e0100555\U000e01000123", "my number is [PHONE]"),
        ("my number is 415\U000e01ef555\U000e01ef0123", "my number is [PHONE]"),
        ("my email is jo@exa\U000e0101mple.com", "my email is [EMAIL]"),
    ],
)
def test_a_variation_selector_inside_an_identifier(text: str, expected: str) -> None:
    assert both(text, "en-US") == expected


@pytest.mark.parametrize(
    ("text", "locale"), [("葛\U000e0100飾区に行く", "ja-JP"), ("hello \U000e0100 world at 5", "en-US")]
)
def test_text_without_an_identifier_keeps_its_variation_selectors(text: str, locale: str) -> None:
    assert both(text, locale) == text
