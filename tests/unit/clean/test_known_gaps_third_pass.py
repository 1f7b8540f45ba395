"""Known gaps read in the third pass over the leftovers (2026-12-05): lower-case names after "talk
with/to", "speak with/to", "messages from", "add … to my contacts" (redaction read them capitalised
only; the gate's detector read none); a German street name after its number, glued or hyphenated ("12
Goethe-Straße", "12 Goethestraße"; neither side). Look-alikes keep their bytes and are not flagged."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "expected", "full_name"),
    [
        ("talk with sarah", "talk with [NAME]", False),
        ("i want to talk with sarah connor", "i want to talk with [NAME]", True),
        ("talk to sarah about the trip", "talk to [NAME] about the trip", False),
        ("can i speak with sarah connor", "can i speak with [NAME]", True),
        ("read my messages from sarah", "read my messages from [NAME]", False),
        ("read my texts from sarah connor", "read my texts from [NAME]", True),
        ("add sarah jones to my contacts", "add [NAME] to my contacts", True),
        ("add Sarah Jones to my contacts", "add [NAME] to my contacts", True),
        ("add sarah to my contacts", "add [NAME] to my contacts", False),
    ],
)
def test_a_lower_case_name_after_more_phrasings(text: str, expected: str, full_name: bool) -> None:
    if full_name:  # the gate's detector reads a given name and a surname
        assert "name" in {kind for kind, _ in find_in_text(text, "en-US")}
    assert redacted_unflagged(text, "en-US") == expected


@pytest.mark.parametrize(
    "text",
    [
        "talk with the team",
        "talk to will about it",
        "talk with grace and ease",
        "read my messages from work",
        "read my messages from today",
        "add milk to my list",
        "add will to my contacts",
        "add rosemary to the recipe",
        "add a contact",
        "speak to me",
    ],
)
def test_look_alikes_of_the_names_keep_their_bytes(text: str) -> None:
    assert both(text, "en-US") == text
    assert flag_rows([text], ["en-US"], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ich wohne in der 12 Goethe-Straße", "ich wohne in der [ADDRESS]"),
        ("12 Goethe-Straße, 10115 Berlin", "[ADDRESS]"),
        ("liefere an 5 Karl-Marx-Allee", "liefere an [ADDRESS]"),
        ("ich wohne in der 12 Goethestraße", "ich wohne in der [ADDRESS]"),
        ("bring mich zur 7 Lindengasse", "bring mich zur [ADDRESS]"),
    ],
)
def test_a_german_street_after_its_number(text: str, expected: str) -> None:
    assert "address" in {kind for kind, _ in find_in_text(text, "de-DE")}
    assert redacted_unflagged(text, "de-DE") == expected


@pytest.mark.parametrize(
    "text",
    [
        "es gibt 2 Hauptstraßen",
        "nach 3 Straßen links",
        "die 2 Seitengassen sind eng",
        "in 5 Minuten an der Hauptstraße",
        "Bus 12 Richtung Goethestraße",
    ],
)
def test_look_alikes_of_the_streets_keep_their_bytes(text: str) -> None:
    assert both(text, "de-DE") == text
    assert flag_rows([text], ["de-DE"], sample_rate=0).tolist() == [False]
