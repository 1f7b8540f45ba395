"""Written e-mail addresses with a stray space around the full stop or the "@", and in enclosed or
mathematical letters: the gate's detector reads them (its spelled-out grammar takes a literal "."
with spaces around it; it reads text after NFKC), redaction kept them, and the night was blocked."""

from __future__ import annotations

import pytest
from tests.unit.clean import agree

from utterance_governance.detect import flag_rows


def both(text: str, locale: str = "en-US") -> str:
    return agree.both(text, locale)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my email is john.smith@example. com", "my email is [EMAIL]"),
        ("email me at john.smith@gmail .com", "email me at [EMAIL]"),
        ("my email is john.smith@gmail . com", "my email is [EMAIL]"),
        ("my email is john.smith @example .com", "my email is [EMAIL]"),
        ("my email is john.smith @example.com", "my email is [EMAIL]"),
        ("my email is john.smith@example.com", "my email is [EMAIL]"),
    ],
)
def test_a_stray_space_around_the_dot_or_the_at_sign(text: str, expected: str) -> None:
    assert both(text) == expected
    assert flag_rows([expected], ["en-US"], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    "text", ["my email is 𝐣𝐨𝐡𝐧@𝐠𝐦𝐚𝐢𝐥.𝐜𝐨𝐦", "my email is ⓙⓞⓗⓝ@ⓔⓧⓐⓜⓟⓛⓔ.ⓒⓞⓜ", "mail 𝒋𝒐@𝒆𝒙𝒂𝒎𝒑𝒍𝒆.𝒐𝒓𝒈"]
)
def test_enclosed_and_mathematical_letters(text: str) -> None:
    assert both(text).endswith("[EMAIL]")


@pytest.mark.parametrize(
    "text",
    [
        "jo@example. Thanks for calling",  # no top-level domain after the space
        "send it to the team. com is short for company",
        "it costs 5.99. com",
        "𝐜𝐚𝐥𝐥 𝐦𝐨𝐦 at 5",
        "ⓗⓔⓛⓛⓞ world 2024",
        "wake me at 6:30",
    ],
)
def test_look_alikes_keep_their_bytes(text: str) -> None:
    assert both(text) == text
