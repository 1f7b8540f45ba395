"""Addresses of forms redaction did not read (the review of 2026-12-05): the Spanish abbreviation "C/"
for "calle" ("C/ Serrano 45"), a French house number with "bis", "ter" or "quater" before a street
type ("12 bis rue Lepic"), Amsterdam's "Singel" ("Singel 40") and German streets ending in "-pfad"
("Goethepfad 5"). Redaction only: the gate's detector does not read these yet (a leak it misses, no
night it blocks)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("vivo en C/ Serrano 45", "es-ES", "vivo en [ADDRESS]"),
        ("envíalo a C/ Mayor 12, por favor", "es-ES", "envíalo a [ADDRESS], por favor"),
        ("mi casa está en C/ de la Princesa 3", "es-ES", "mi casa está en [ADDRESS]"),
        ("j'habite au 12 bis rue Lepic", "fr-FR", "j'habite au [ADDRESS]"),
        ("livrez au 3 ter avenue de la République", "fr-FR", "livrez au [ADDRESS]"),
        ("c'est au 8 quater boulevard Voltaire", "fr-FR", "c'est au [ADDRESS]"),
        ("ik woon op Singel 40", "nl-NL", "ik woon op [ADDRESS]"),
        ("stuur het naar Singel 250 in Amsterdam", "nl-NL", "stuur het naar [ADDRESS] in Amsterdam"),
        ("ich wohne im Goethepfad 5", "de-DE", "ich wohne im [ADDRESS]"),
        ("Lieferung an Birkenpfad 12", "de-DE", "Lieferung an [ADDRESS]"),
    ],
)
def test_addresses_of_the_review_are_redacted(text: str, locale: str, expected: str) -> None:
    out = redacted_unflagged(text, locale)
    assert out == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("el 12 bis es mejor", "es-ES"),
        ("la page 12 bis du livre", "fr-FR"),
        ("le 12 bis de la liste", "fr-FR"),
        ("wandelen langs de Singel", "nl-NL"),
        ("we lopen de Singel 3 keer rond", "nl-NL"),
        ("de Singel is 2 km lang", "nl-NL"),
        ("der Trampelpfad ist 5 Minuten lang", "de-DE"),
        ("ein Pfad 5 Minuten", "de-DE"),
        ("calle 13 en concierto", "es-ES"),
        ("el c/ 5", "es-ES"),
    ],
)
def test_look_alikes_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
