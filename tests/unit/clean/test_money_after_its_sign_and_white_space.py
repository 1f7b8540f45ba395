"""Money in comma groups: redaction and the gate's detector must read the currency sign alike."""

from __future__ import annotations

import pytest

from utterance_governance.clean.redact import redact_text
from utterance_governance.detect import flag_rows


@pytest.mark.parametrize("gap", ["\r\n", " \n", " \t", "\n\n"])
def test_an_amount_after_its_dollar_sign_and_a_line_break_is_not_flagged_by_the_gate(gap):
    """Expected (ca8cdc3: "money in comma groups (a currency sign ...) is no card", kept by both sides; what
    redaction keeps the gate must not flag, a flag blocks the night): a dollar amount of fourteen digits that
    happens to pass Luhn, written after "$" and a run of whitespace (a Windows line break, a space then a line break or a tab, two
    line breaks), keeps its
    bytes and is not flagged. Actual: redaction reads it on ``normalise_for_detection`` text ("$ 34,...",
    the whitespace run folded to one space) and keeps it as money; the detector's ``_CURRENCY_BEFORE``
    (``[$€£¥₹₩] ?$``) reads the two raw characters before the run ("\\r\\n", " \\n", ...), sees no sign and flags a
    card: the night is blocked."""
    text = f"the debt is ${gap}34,586,532,107,149 today"
    redacted = redact_text(text, "en-US")
    assert redacted == text
    assert not flag_rows([redacted], ["en-US"], sample_rate=1.0)[0]
