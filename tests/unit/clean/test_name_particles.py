"""Surnames after a particle of two words ("van der", "van den", "de la"): redaction went on over one
particle only and left "bel [NAME] van der Meer", which the gate's detector flags (a capitalised
surname after "[NAME]" and particles), and "van den Berg", which it reads with ``find_in_text``."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("bel Pieter van der Meer", "nl-NL", "bel [NAME]"),
        ("bel Jan van der Berg", "nl-NL", "bel [NAME]"),
        ("bel Sanne van den Berg", "nl-NL", "bel [NAME]"),
        ("bel Daan van den Broek", "nl-NL", "bel [NAME]"),
        ("stuur een bericht naar Sanne van den Berg", "nl-NL", "stuur een bericht naar [NAME]"),
        ("Sanne van den Berg bellen", "nl-NL", "[NAME] bellen"),
        ("bel Sanne van de Kapper", "nl-NL", "bel [NAME]"),
        ("llama a Juan de la Cruz", "es-ES", "llama a [NAME]"),
        ("ruf Anna von der Leyen an", "de-DE", "ruf [NAME] an"),
    ],
)
def test_a_surname_after_two_particles(text: str, locale: str, expected: str) -> None:
    assert both(text, locale) == expected
    assert flag_rows([expected], [locale], sample_rate=0).tolist() == [False]
    assert find_in_text(expected, locale) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bel Jan van de week", "bel [NAME] van de week"),
        ("bel Jan van de zomer", "bel [NAME] van de zomer"),
        ("bel Jan van het werk", "bel [NAME] van het werk"),
        ("bel oma van de buren", "bel oma van de buren"),
        ("bel Daan van Dijk", "bel [NAME]"),
    ],
)
def test_words_of_the_language_after_two_particles_stay(text: str, expected: str) -> None:
    assert both(text, "nl-NL") == expected
