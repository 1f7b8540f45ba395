"""US street types of the USPS suffix list (as ``usaddress`` reads them) that redaction or the gate's
detector did not read: "5 Maple Cove", "8 Deer Run", "3 Fox Hollow", "12 Oak Bend" (neither side), "33
elm loop", "12 oak trail", "14 cedar ridge" in lower case ending a clause (neither side), "40 Willow
Circle", "2000 Pacific Coast Highway", "33 Elm Loop" (redaction only: a leak the detector missed).
Their look-alikes ("a 5 minute walk", "page 5 trail", "a 5 km run") keep their bytes on both sides."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live at 5 Maple Cove", "I live at [ADDRESS]"),
        ("ship it to 8 Deer Run, Austin TX 78701", "ship it to [ADDRESS]"),
        ("we moved to 3 Fox Hollow", "we moved to [ADDRESS]"),
        ("12 Oak Bend is the house", "[ADDRESS] is the house"),
        ("40 Willow Circle", "[ADDRESS]"),
        ("40 willow circle", "[ADDRESS]"),
        ("drive to 2000 Pacific Coast Highway", "drive to [ADDRESS]"),
        ("33 Elm Loop please", "[ADDRESS] please"),
        ("my address is 33 elm loop", "my address is [ADDRESS]"),
        ("send it to 12 oak trail", "send it to [ADDRESS]"),
        ("I'm at 14 cedar ridge, come over", "I'm at [ADDRESS], come over"),
        ("we live at 8 deer run", "we live at [ADDRESS]"),
        ("5 maple cove", "[ADDRESS]"),
        ("12 Sunset Terrace", "[ADDRESS]"),
        ("7 Kings Crescent", "[ADDRESS]"),
        ("100 Ocean Parkway", "[ADDRESS]"),
    ],
)
def test_a_us_street_type(text: str, expected: str) -> None:
    assert "address" in {kind for kind, _ in find_in_text(text, "en-US")}
    assert redacted_unflagged(text, "en-US") == expected


@pytest.mark.parametrize(
    "text",
    [
        "a 5 minute walk",
        "page 5 trail",
        "take a 5 minute run",
        "a 5 km run",
        "a 5k fun run",
        "the 2 mile loop",
        "run 5 loop",
        "3 laps of the loop",
        "turn left after 2 circles",
        "5 day trail ride",
        "drive 5 highway miles",
        "my 2 kids run",
        "we did 3 trail runs",
        "play the 8 bar loop",
        "do a 3 day hike on the trail",
        "it takes 10 minutes to run",
        "season 2 episode 3 dry run",
        "the 5 best trail shoes",
        "I have 2 dogs that run",
        "set a 20 minute loop",
    ],
)
def test_look_alikes_keep_their_bytes(text: str) -> None:
    assert both(text, "en-US") == text
    assert flag_rows([text], ["en-US"], sample_rate=0).tolist() == [False]
