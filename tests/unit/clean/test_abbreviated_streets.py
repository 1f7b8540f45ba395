"""Street addresses a review published end to end: a street type abbreviated with a full stop ("Str.", "av.",
"bd.", lower-case "c.", "v.le", "r."), a German street named by a preposition and a noun with no type ("Am
Markt 3", "In den Wiesen 5"), and a US address with no street type before its city, state and ZIP code.
Each is redacted and flagged by the gate's detector; look-alikes keep their bytes."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import flagged, kept, redacted_unflagged


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("navigiere zur Mariahilfer Str. 12", "de-DE", "navigiere zur [ADDRESS]"),
        ("ich wohne in der Kieler Str. 5a, danke", "de-DE", "ich wohne in der [ADDRESS], danke"),
        ("rendez-vous au 45 av. Foch", "fr-FR", "rendez-vous au [ADDRESS]"),
        ("rendez-vous au 45 bd. Saint-Germain", "fr-FR", "rendez-vous au [ADDRESS]"),
        ("livrez au 12 r. de Rivoli", "fr-FR", "livrez au [ADDRESS]"),
        ("vivo en c. mayor 5", "es-ES", "vivo en [ADDRESS]"),
        ("vivo en la avda. de américa 12", "es-ES", "vivo en la [ADDRESS]"),
        ("abito in v.le monza 12", "it-IT", "abito in [ADDRESS]"),
        ("abito in p.za garibaldi 3", "it-IT", "abito in [ADDRESS]"),
        ("moro na r. das flores 123", "pt-BR", "moro na [ADDRESS]"),
        ("moro na av. paulista 1000", "pt-BR", "moro na [ADDRESS]"),
        ("wir treffen uns Am Markt 3 um fünf", "de-DE", "wir treffen uns [ADDRESS] um fünf"),
        ("ich wohne In den Wiesen 5", "de-DE", "ich wohne [ADDRESS]"),
        ("bring es zu am Kirchberg 14b bitte", "de-DE", "bring es zu [ADDRESS] bitte"),
        ("Paket an Auf der Höhe 7, 12345 Berlin", "de-DE", "Paket an [ADDRESS]"),
        ("ship it to 3240 Meadowbrook, Springfield IL 62704", "en-US", "ship it to [ADDRESS]"),
        ("send it to 77 Birchwood Hollow, Portland OR 97201-1234", "en-US", "send it to [ADDRESS]"),
    ],
)
def test_an_abbreviated_or_typeless_street_address(text: str, locale: str, expected: str) -> None:
    assert flagged(text, locale), "the gate's detector let the address through"
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("add 2 c. flour and 1 c. sugar", "en-US"),
        ("play r. kelly 3 songs", "en-US"),
        ("vitamin c. take 2 a day", "en-US"),
        ("am Montag 3 Termine", "de-DE"),
        ("am Bahnhof 2 Stunden warten", "de-DE"),
        ("im Park 3 Runden laufen", "de-DE"),
        ("Im Jahr 2024 war es warm", "de-DE"),
        ("am Markt um 5 treffen", "de-DE"),
        ("Kapitel 3 im Buch 5", "de-DE"),
        ("the str. 5 setting", "en-US"),
        ("we won 3 to 1, Springfield wins", "en-US"),
    ],
)
def test_look_alikes_keep_their_bytes(text: str, locale: str) -> None:
    kept(text, locale)
