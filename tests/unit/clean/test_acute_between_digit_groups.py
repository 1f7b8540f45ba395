"""The acute accent (U+00B4) between digit groups: the gate's detector reads it, after NFKC, as a space
and a mark it removes, and found the phone number redaction had kept (the night was blocked)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows


@pytest.mark.parametrize("text", ["my number is 415´555´0123", "my number is 415 ´ 555 ´ 0123"])
def test_an_acute_accent_between_the_groups_of_a_phone_number(text: str) -> None:
    assert both(text, "en-US") == "my number is [PHONE]"
    assert flag_rows([text], ["en-US"], sample_rate=0).tolist() == [True]  # what the gate read


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("das kostet 1´000´000 Franken", "de-DE"),
        ("es kostet 1´250 Franken", "de-DE"),
        ("don´t call me at 5", "en-US"),
        ("the score was 3´2", "en-US"),
    ],
)
def test_amounts_scores_and_apostrophes_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
