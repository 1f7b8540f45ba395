"""Two e-mail forms a review published end to end: a mailbox or domain written with a dot that only looks
like one (the middle dot U+00B7, the hyphenation point U+2027, bullets, the katakana middle dot), which
both sides read as a separator between digits only; and a spoken mailbox with plus-addressing, which
redaction cut at the "+" and left the part before it ("jsmith+[EMAIL]"), a part the detector did not read
as what is left of an address."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import flagged, kept, redacted_unflagged


@pytest.mark.parametrize("dot", ["\u00b7", "\u2027", "\u2219", "\u22c5", "\u2022", "\u30fb", "\uff65"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jsmith@example{dot}com today", "write to [EMAIL] today"),
        ("write to j{dot}smith@example.com today", "write to [EMAIL] today"),
        ("write to jdoe@mail{dot}example{dot}org", "write to [EMAIL]"),
    ],
)
def test_a_lookalike_dot_in_an_email_address(text: str, expected: str, dot: str) -> None:
    written = text.format(dot=dot)
    assert flagged(written)
    assert redacted_unflagged(written, "en-US") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's jsmith+promo at gmail dot com", "it's [EMAIL]"),
        ("it's jsmith plus promo at gmail dot com", "it's [EMAIL]"),
        ("mail jo dot smith+news at yahoo dot co dot uk", "mail [EMAIL]"),
        ("it's jsmith+promo@gmail.com", "it's [EMAIL]"),
    ],
)
def test_a_spoken_mailbox_with_plus_addressing(text: str, expected: str) -> None:
    assert flagged(text)
    assert redacted_unflagged(text, "en-US") == expected


@pytest.mark.parametrize("text", ["jsmith+[EMAIL]", "send it to jo.[EMAIL] please", "mail jsmith[EMAIL]"])
def test_the_detector_reads_a_mailbox_left_beside_its_placeholder(text: str) -> None:
    assert flagged(text), "what is left of a mailbox beside [EMAIL] was not read"


@pytest.mark.parametrize(
    "text",
    [
        "soup · salad · bread",
        "salt\u00b7pepper\u2027mix at 5",
        "score 3 · 2 at home",
        "two plus two at school",
        "mail it to [EMAIL] and call [PHONE]",
        "email: [EMAIL], phone: [PHONE]",
    ],
)
def test_lookalike_dots_and_plus_elsewhere_keep_their_bytes(text: str) -> None:
    kept(text)
