"""Portuguese digit groups joined by "traço", "hífen" or "ponto", and French pairs of digits ("douze",
"trente-quatre") joined by "tiret": redaction kept the last digits ("[PHONE] traço quatro três dois
um") or the whole number. "quatro" was no word for a digit to redaction (the gate's detector knew it),
and the French tens and teens were no number token beside a spoken dash."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import flag_rows

JOINED = [
    ("o número é um um nove oito sete seis cinco traço quatro três dois um", "pt-BR", "o número é "),
    ("liga para nove nove oito sete seis traço quatro três dois um", "pt-BR", "liga para "),
    ("meu número é nove nove oito sete seis hífen quatro três dois um", "pt-BR", "meu número é "),
    ("liga para nove nove oito sete seis ponto quatro três dois um", "pt-BR", "liga para "),
    ("liga para um um, nove oito sete seis, quatro três dois um", "pt-BR", "liga para "),
    ("appelle le zéro six tiret douze tiret trente-quatre tiret cinquante-six tiret soixante-dix-huit", "fr-FR", "appelle le "),
    ("mon numéro est zéro six tiret quinze tiret vingt et un tiret quarante tiret quatre-vingt-dix-neuf", "fr-FR", "mon numéro est "),
    ("appelle le zéro un tiret onze tiret seize tiret dix-sept tiret treize", "fr-FR", "appelle le "),
]  # fmt: skip


@pytest.mark.parametrize(("text", "locale", "kept"), JOINED)
def test_the_whole_run_joined_by_a_spoken_dash_goes(text: str, locale: str, kept: str) -> None:
    out = redacted_unflagged(text, locale)
    assert out == kept + "[PHONE]"


def test_quatro_is_a_word_for_a_digit_in_a_run_joined_by_anything() -> None:
    out = both("um_dois_três_quatro_cinco_seis_sete_oito", "pt-BR")
    assert out == "[PHONE]"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("quatro traço dois no placar", "pt-BR"),
        ("compre quatro ovos e três maçãs", "pt-BR"),
        ("o jogo terminou quatro a dois", "pt-BR"),
        ("são quatro horas e quinze minutos", "pt-BR"),
        ("la page douze tiret treize", "fr-FR"),
        ("le score est de douze tiret quinze", "fr-FR"),
        ("il est seize heures trente", "fr-FR"),
        ("de vingt tiret trente degrés", "fr-FR"),
        ("les années quatre-vingt-dix", "fr-FR"),
    ],
)
def test_short_runs_scores_and_ranges_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
