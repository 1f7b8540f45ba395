"""Calls in phrasings neither side read (the review of 2026-12-05): "call up John Smith", "ring up …",
"ruf bitte Günther Schröder an", "ruf doch mal …", "envoie un texto à …", "envoie un SMS à …", "marca a
…", "fai una chiamata a …". Redaction kept the name and the gate's detector found none (a leak), or,
for "marca a juan garcía" in lower case, the detector found one that redaction kept (a night blocked).
Calls to no one keep their bytes and are not flagged."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("call up Sarah Connor", "en-US", "call up [NAME]"),
        ("can you call up sarah connor", "en-US", "can you call up [NAME]"),
        ("ring up Sarah Connor please", "en-GB", "ring up [NAME] please"),
        ("ruf bitte Anna Schröder an", "de-DE", "ruf bitte [NAME] an"),
        ("ruf bitte anna schröder an", "de-DE", "ruf bitte [NAME] an"),
        ("ruf doch mal Lukas Schröder an", "de-DE", "ruf doch mal [NAME] an"),
        ("envoie un texto à Jean Dupont", "fr-FR", "envoie un texto à [NAME]"),
        ("envoie un texto à jean dupont", "fr-FR", "envoie un texto à [NAME]"),
        ("envoie un SMS à Marie Dubois", "fr-FR", "envoie un SMS à [NAME]"),
        ("marca a Juan García", "es-ES", "marca a [NAME]"),
        ("marca a juan garcía", "es-ES", "marca a [NAME]"),
        ("fai una chiamata a Marco Rossi", "it-IT", "fai una chiamata a [NAME]"),
        ("fai una chiamata a marco rossi", "it-IT", "fai una chiamata a [NAME]"),
    ],
)
def test_a_call_in_another_phrasing(text: str, locale: str, expected: str) -> None:
    assert "name" in {kind for kind, _ in find_in_text(text, locale)}
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # names the gate's name lists lack ("günther", "john smith": an English word) or spell as words
        # ("martin"): redaction takes them after the cue, the detector reads no full name there
        ("call up John Smith", "en-US", "call up [NAME]"),
        ("ruf bitte Günther Schröder an", "de-DE", "ruf bitte [NAME] an"),
        ("ruf doch mal Günther Schröder an", "de-DE", "ruf doch mal [NAME] an"),
        ("envoie un SMS à Marie Martin", "fr-FR", "envoie un SMS à [NAME]"),
    ],
)
def test_a_call_in_another_phrasing_redaction_reads(text: str, locale: str, expected: str) -> None:
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("call up the office", "en-US"),
        ("call up my mom", "en-US"),
        ("call up to five people", "en-US"),
        ("ring up the total", "en-US"),
        ("ruf bitte die Arbeit an", "de-DE"),
        ("ruf bitte morgen an", "de-DE"),
        ("ruf morgen an", "de-DE"),  # ("morgen" is a surname too: redaction took it)
        ("ruf doch mal Mama an", "de-DE"),
        ("envoie un texto à maman", "fr-FR"),
        ("envoie un texto à la maison", "fr-FR"),
        ("marca a casa", "es-ES"),
        ("marca a las ocho", "es-ES"),
        ("fai una chiamata a casa", "it-IT"),
        ("fai una chiamata a mia madre", "it-IT"),
    ],
)
def test_calls_to_no_one_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
