"""Identifiers written in an encoding an assistant's answer quotes them in: URL percent-encoding (a link
with a query), HTML character references (a page's text), JSON escapes written out (a payload). Neither
redaction nor the gate's detector decoded them, and each was published readable. Both now read the text
decoded; a row with an identifier is published as read (decoded, the identifier replaced), a row without
one keeps its bytes."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import flagged, kept, redacted_unflagged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # URL percent-encoding, upper or lower case hex, and "+" for a space in a query's value
        ("here: https://ex.com/u?email=jo.smith%40example.com", "here: https://ex.com/u?email=[EMAIL]"),
        ("here: https://ex.com/u?email=jo.smith%40example%2ecom", "here: https://ex.com/u?email=[EMAIL]"),
        ("dial tel=%2B1%20415%20555%200100 now", "dial tel=[PHONE] now"),
        ("card=4111%201111%201111%201111", "card=[CARD]"),
        ("ssn=123%2D45%2D6789", "ssn=[SSN]"),
        ("https://maps.example.com/?q=221+Baker+Street&z=3", "https://maps.example.com/?q=[ADDRESS]&z=3"),
        ("https://ex.com/?to=%6a%6f%40example.com", "https://ex.com/?to=[EMAIL]"),
        # HTML character references: decimal, hexadecimal, named
        ("write to jo.smith&#64;example.com", "write to [EMAIL]"),
        ("write to jo.smith&#x40;example.com", "write to [EMAIL]"),
        ("write to jo.smith&commat;example.com", "write to [EMAIL]"),
        ("card 4111&nbsp;1111&nbsp;1111&nbsp;1111", "card [CARD]"),
        ("call 415&#45;555&#45;0100", "call [PHONE]"),
        # JSON escapes written out
        ('{"email": "jo.smith\\u0040example.com"}', '{"email": "[EMAIL]"}'),
        ('{"card": "4111\\n1111\\n1111\\n1111"}', '{"card": "[CARD]"}'),
        ('{"phone": "415\\u002d555\\u002d0100"}', '{"phone": "[PHONE]"}'),
        ('{"phone": "415\\t555\\t0100"}', '{"phone": "[PHONE]"}'),
        # encodings nested once: a percent-encoded HTML reference
        ("jo.smith%26%2364%3Bexample.com", "[EMAIL]"),
    ],
)
def test_an_encoded_identifier_is_read_and_redacted(text: str, expected: str) -> None:
    assert flagged(text), "the gate's detector let the encoded identifier through"
    assert redacted_unflagged(text, "en-US") == expected


@pytest.mark.parametrize(
    "text",
    [
        "50% off today, 20%ab more tomorrow",
        "I am 100%25 sure",  # decodes to "100%": no identifier
        "salt &amp; pepper at 5 &lt;3",
        "open C:\\new\\table\\u0041 at 10",
        "https://example.com/search?q=weather+today&n=10",
        "https://example.com/search?q=2%2B2",
        "a%20b %zz %4 %%40 &#xZZ; &#xFFFFFFF; \\u12 \\uZZZZ",
        "é%C3%A9 and %E2%82 half a character",
    ],
)
def test_encoded_text_without_an_identifier_keeps_its_bytes(text: str) -> None:
    kept(text)
