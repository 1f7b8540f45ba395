"""Format characters, combining marks and dashes inside a number or an e-mail address: redaction
removes what the gate's detector removes (every Unicode format character, category Cf; the combining
marks of U+1AB0-U+1AFF, U+1DC0-U+1DFF and U+FE20-U+FE2F) and reads every dash it reads as a
separator (U+2015 and the vertical dashes too). Before, 250 such characters and U+2015 inside
"415?555?0123" left the number in the text and the gate blocked the night. A text in which nothing
is found keeps its bytes."""

from __future__ import annotations

import sys
import unicodedata

import pyarrow as pa
import pytest

from utterance_governance.clean.redact import redact_array, redact_text
from utterance_governance.detect import flag_rows

_MARK_BLOCKS = ((0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0xFE20, 0xFE2F))
HIDDEN = [chr(c) for c in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"] + [
    chr(c)
    for first, last in _MARK_BLOCKS
    for c in range(first, last + 1)
    if unicodedata.category(chr(c)) == "Mn"
]


def test_every_format_character_and_mark_the_detector_removes_inside_a_phone_number_is_removed() -> None:
    texts = [f"my number is 415{ch}555{ch}0123" for ch in HIDDEN]
    redacted = [redact_text(text, "en-US") for text in texts]
    kept = [
        f"U+{ord(ch):04X}" for ch, out in zip(HIDDEN, redacted, strict=True) if out != "my number is [PHONE]"
    ]
    assert kept == []
    assert redact_array(pa.array(texts), pa.array(["en-US"] * len(texts))).to_pylist() == redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my number is 415\u206a555\u206a0123", "my number is [PHONE]"),
        ("my email is john.smith@exa\u206ample.com", "my email is [EMAIL]"),
        ("my number is 415\U000e0020555\U000e00200123", "my number is [PHONE]"),
        ("my number is 415\u2015555\u20150123", "my number is [PHONE]"),
        ("my number is 415\ufe31555\ufe310123", "my number is [PHONE]"),
        ("my number is 415\u1ab0555\u1ab00123", "my number is [PHONE]"),
    ],
)
def test_hidden_characters_and_dashes_inside_identifiers(text: str, expected: str) -> None:
    assert redact_text(text, "en-US") == expected
    assert flag_rows([expected], ["en-US"], sample_rate=0).tolist() == [False]


KEPT = [
    "go England 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f tonight",
    "hello\u206aworld at 10:30",
    "the score was 3\u20151",
    "pages 10\u201520",
    "the years 1990\u20152000",
    "it costs 12\u206a99 dollars",
    "call mom\u2060 now",
    "\u0600123 dinar",
    "set a timer for 5\u1dc0 minutes",
]


@pytest.mark.parametrize("text", KEPT)
def test_text_without_an_identifier_keeps_its_bytes(text: str) -> None:
    assert redact_text(text, "en-US") == text
    assert redact_array(pa.array([text]), pa.array(["en-US"])).to_pylist() == [text]
