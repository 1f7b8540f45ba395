"""German street names with the street type written apart ("Frankfurter Allee 5", "am Neuen Weg 12"):
redaction kept them and the gate's detector found an address (the night was blocked); "Kieler Ring 5"
and "Berliner Platz 5" neither side read. Their look-alikes (a way, a rank, a ring, minutes) stay."""

from __future__ import annotations

import pytest
from tests.unit.clean import agree

from utterance_governance.detect import flag_rows


def both(text: str, locale: str = "de-DE") -> str:
    return agree.both(text, locale)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ich wohne in der Frankfurter Allee 5", "ich wohne in der [ADDRESS]"),
        ("liefere an Frankfurter Allee 12, 10247 Berlin", "liefere an [ADDRESS]"),
        ("ich wohne in der Berliner Allee 4", "ich wohne in der [ADDRESS]"),
        ("ich wohne am Neuen Weg 12", "ich wohne am [ADDRESS]"),
        ("Navigation zur Alten Gasse 5", "Navigation zur [ADDRESS]"),
        ("bring mich zum Langen Damm 3", "bring mich zum [ADDRESS]"),
        ("ich wohne in der frankfurter allee 5", "ich wohne in der [ADDRESS]"),
        ("ich wohne am Kieler Ring 5", "ich wohne am [ADDRESS]"),
        ("Treffpunkt Berliner Platz 5", "Treffpunkt [ADDRESS]"),
        ("Berliner Chaussee 5 bitte", "[ADDRESS] bitte"),
    ],
)
def test_a_street_type_written_apart(text: str, expected: str) -> None:
    assert both(text) == expected
    assert flag_rows([expected], ["de-DE"], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    "text",
    [
        "ich bin auf dem Weg 5 Minuten",
        "der Weg 5",
        "Der Weg 12 ist gesperrt",
        "Bayern ist auf Platz 1",
        "erster Platz 1",
        "der Ring 3 ist toll",
        "wir sind in der Allee 5 Minuten",
        "die letzte Allee 5 Minuten entfernt",
        "Langer Weg 3 Stunden",
        "noch 3 km auf dem Weg",
        "ik ben weg 5 minuten",
    ],
)
def test_look_alikes_keep_their_bytes(text: str) -> None:
    locale = "nl-NL" if text.startswith("ik ") else "de-DE"
    assert both(text, locale) == text
