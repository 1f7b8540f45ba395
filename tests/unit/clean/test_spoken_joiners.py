"""Spoken digit groups joined by a spoken "dot", "point", "slash", "comma" or "then" in any supported
language (how "415.555.0123" or "0171/1234567" is read aloud): each group alone is too short a run, and
neither redaction nor the gate's detector read the number (the review's L1)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

JOINED = [
    ("my number is four one five dot five five five dot zero one two three", "en-US", "my number is "),
    ("my number is four one five point five five five point zero one two three", "en-US", "my number is "),
    ("my number is four one five slash five five five slash zero one two three", "en-US", "my number is "),
    ("my number is four one five period five five five period zero one two three", "en-US", "my number is "),
    ("my number is four one five then five five five then zero one two three", "en-US", "my number is "),
    ("meine Nummer ist null eins sieben eins punkt eins zwei drei punkt vier fünf sechs sieben", "de-DE", "meine Nummer ist "),
    ("meine Nummer ist null eins sieben eins schrägstrich eins zwei drei schrägstrich vier fünf sechs sieben", "de-DE", "meine Nummer ist "),
    ("meine Nummer ist null eins sieben eins dann eins zwei drei dann vier fünf sechs sieben", "de-DE", "meine Nummer ist "),
    ("mon numéro est le zéro six point un deux trois point quatre cinq six sept", "fr-FR", "mon numéro est le "),
    ("mon numéro est le zéro six virgule un deux trois virgule quatre cinq six sept", "fr-FR", "mon numéro est le "),
    ("mi número es el seis uno dos punto tres cuatro cinco punto seis siete ocho", "es-ES", "mi número es el "),
    ("mi número es el seis uno dos barra tres cuatro cinco barra seis siete ocho", "es-ES", "mi número es el "),
    ("il mio numero è tre quattro sette punto uno due tre punto quattro cinque sei sette", "it-IT", "il mio numero è "),
    ("il mio numero è tre quattro sette virgola uno due tre virgola quattro cinque sei sette", "it-IT", "il mio numero è "),
    ("mijn nummer is nul zes punt een twee drie vier punt vijf zes zeven acht", "nl-NL", "mijn nummer is "),
    ("mijn nummer is nul zes schuine streep een twee drie vier schuine streep vijf zes zeven acht", "nl-NL", "mijn nummer is "),
]  # fmt: skip


@pytest.mark.parametrize(("text", "locale", "kept"), JOINED)
def test_digit_groups_joined_by_a_spoken_dot_slash_comma_or_then(text: str, locale: str, kept: str) -> None:
    out = redacted_unflagged(text, locale)
    assert out == kept + "[PHONE]"


@pytest.mark.parametrize(
    "text",
    [
        "set a timer for five point five minutes",
        "it is one point five liters",
        "version two point one point three",
        "three point one four one five nine",
        "call me then five five five",
        "chapter one dot two dot three",
        "buy one then two then three apples",
        "twenty point five",
        "i want one comma two comma three",
        "call mom",
    ],
)
def test_decimals_versions_and_short_lists_keep_their_bytes(text: str) -> None:
    assert both(text, "en-US") == text
