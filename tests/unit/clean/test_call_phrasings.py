"""Calls the gate's detector reads and redaction did not: "téléphone à Jean Dupont", "pode ligar para
Luíza Oliveira" (the infinitive, and a given name the lists hold only without its accent) were kept,
and the gate blocked the night."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("téléphone à Jean Dupont", "fr-FR", "téléphone à [NAME]"),
        ("téléphone à Jean-Pierre Dubois", "fr-FR", "téléphone à [NAME]"),
        ("téléphone à Chloé Moreau", "fr-FR", "téléphone à [NAME]"),
        ("pode ligar para Luíza Oliveira", "pt-BR", "pode ligar para [NAME]"),
        ("ligar para Luíza Oliveira", "pt-BR", "ligar para [NAME]"),
        ("telefona para Luíza Oliveira", "pt-BR", "telefona para [NAME]"),
    ],
)
def test_more_call_phrasings(text: str, locale: str, expected: str) -> None:
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [True]  # the gate read a name
    assert both(text, locale) == expected
    assert flag_rows([expected], [locale], sample_rate=0).tolist() == [False]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("téléphone à la maison", "fr-FR"),
        ("téléphone à maman", "fr-FR"),
        ("téléphone à 18h", "fr-FR"),
        ("ligar para casa", "pt-BR"),
        ("ligar para o trabalho", "pt-BR"),
    ],
)
def test_calls_to_no_one_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
