"""IBANs in groups joined by "/", "‐" (U+2010), "-" or parentheses ("NL91/ABNA/0417/1643/00", "IBAN
(NL91) ABNA 0417 1643 00"): redaction took the digits as a phone number and left the country, check
digits and bank code ("NL91/ABNA/[PHONE]"), and the gate's detector read no IBAN in them. And "space"
said between spoken digit groups ("five five five space one two three four"; "leerzeichen", "espace",
"espacio", "spazio", "spatie", "espaço"): a joiner, as "dot" and "dash" are, on both sides. Their
look-alikes keep their bytes and are not flagged."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("mijn iban is NL91/ABNA/0417/1643/00", "nl-NL", "mijn iban is [IBAN]"),
        ("mijn iban is NL91\u2010ABNA\u20100417\u20101643\u201000", "nl-NL", "mijn iban is [IBAN]"),
        ("mijn iban is NL91-ABNA-0417-1643-00", "nl-NL", "mijn iban is [IBAN]"),
        ("IBAN (NL91) ABNA 0417 1643 00", "nl-NL", "IBAN [IBAN]"),
        ("IBAN NL91 (ABNA) 0417 1643 00", "nl-NL", "IBAN [IBAN]"),
        ("IBAN: DE89/3704/0044/0532/0130/00", "de-DE", "IBAN: [IBAN]"),
        ("IBAN: DE89-3704-0044-0532-0130-00 bitte", "de-DE", "IBAN: [IBAN] bitte"),
        ("IBAN DE89 (3704 0044) 0532 0130 00", "de-DE", "IBAN [IBAN]"),
        ("IBAN DE89 / 3704 / 0044 / 0532 / 0130 / 00", "de-DE", "IBAN [IBAN]"),
    ],
)
def test_an_iban_in_joined_groups(text: str, locale: str, expected: str) -> None:
    assert "iban" in {kind for kind, _ in find_in_text(text, locale)}
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("call five five five space one two three four", "en-US", "call [PHONE]"),
        ("four one five space five five five space zero one two three", "en-US", "[PHONE]"),
        ("my number is five five five, space, one two three four", "en-US", "my number is [PHONE]"),
        ("null eins sieben eins leerzeichen eins zwei drei vier", "de-DE", "[PHONE]"),
        ("zéro six espace un deux trois quatre cinq", "fr-FR", "[PHONE]"),
        ("seis uno dos espacio tres cuatro cinco seis", "es-ES", "[PHONE]"),
        ("tre quattro sette spazio uno due tre quattro", "it-IT", "[PHONE]"),
        ("nul zes spatie een twee drie vier vijf", "nl-NL", "[PHONE]"),
        ("nove nove espaço oito sete seis cinco quatro", "pt-BR", "[PHONE]"),
    ],
)
def test_space_said_between_spoken_digit_groups(text: str, locale: str, expected: str) -> None:
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [True]
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("press space two times", "en-US"),
        ("five space invaders and one two three", "en-US"),
        ("one space two space three", "en-US"),
        ("leave two spaces after a full stop", "en-US"),
        ("drück die Leertaste zwei mal", "de-DE"),
        ("zwei leerzeichen drei", "de-DE"),
        ("print it on A4/B5 paper", "en-US"),
        ("room AB12-34 is free", "en-US"),
        ("model XY12-34 is new", "en-US"),
        ("the (AB12) version", "en-US"),
        ("seat DE89/12 please", "de-DE"),
    ],
)
def test_look_alikes_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
