"""Portuguese "rua" written as a capital "R." before its particle is a street with or without a preposition
before it ("entrega R. das Flores, 123" got through both sides); a person's initial before a verb or an age
is not ("o livro de R. de Souza tem 3 capítulos" was flagged by the detector and kept by redaction: a night
blocked). Both sides, each by its own rules."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import kept, redacted_unflagged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entrega R. das Flores, 123", "entrega [ADDRESS]"),
        ("R. das Flores, 123", "[ADDRESS]"),
        ("entrega na R. das Flores, 123 amanhã", "entrega na [ADDRESS] amanhã"),
        ("moro na R. do Ouvidor 45", "moro na [ADDRESS]"),
        ("a R. dos Andradas, 1200 fica perto", "a [ADDRESS] fica perto"),
    ],
)
def test_a_capital_r_before_its_particle_is_a_street(text: str, expected: str) -> None:
    assert redacted_unflagged(text, "pt-BR") == expected


@pytest.mark.parametrize(
    "text",
    [
        "o livro de R. de Souza tem 3 capítulos",
        "a casa de r. de souza tem 3 quartos",
        "Dr. R. de Castro, 5 minutos",
        "moro na r. das flores 12 anos",
    ],
)
def test_an_initial_before_a_verb_an_age_or_a_measure_is_no_street(text: str) -> None:
    kept(text, "pt-BR")


def test_a_name_after_the_initial_is_still_a_name() -> None:
    assert redacted_unflagged("R. da Silva, 12 anos", "pt-BR") == "R. da [NAME], 12 anos"
