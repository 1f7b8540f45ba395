""" "mein name ist nicht auf der Liste": a name statement of another language and a function word after
it ("nicht", "pas", "muy", "troppo", "niet", "muito" …) is no name. Redaction replaced the word
("mein name ist [NAME] auf der Liste") and the gate's detector flagged the row; both keep it now, and
still read the names stated."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both

from utterance_governance.detect import flag_rows

NO_NAME_STATED = [
    ("mein name ist nicht auf der Liste", "de-DE"),
    ("mein Name ist leider falsch geschrieben", "de-DE"),
    ("mein name ist auch auf der liste", "de-DE"),
    ("mein name ist schon registriert", "de-DE"),
    ("mein name ist noch nicht eingetragen", "de-DE"),
    ("mein name ist bereits vergeben", "de-DE"),
    ("mein name ist wirklich schwer", "de-DE"),
    ("mon nom est pas sur la liste", "fr-FR"),
    ("mon nom est trop long", "fr-FR"),
    ("mon nom est déjà enregistré", "fr-FR"),
    ("mon nom est aussi sur la liste", "fr-FR"),
    ("je m'appelle pas comme ça", "fr-FR"),
    ("mi nombre es muy largo", "es-ES"),
    ("mi nombre es demasiado largo", "es-ES"),
    ("mi nombre también está en la lista", "es-ES"),
    ("il mio nome è troppo lungo", "it-IT"),
    ("il mio nome è già registrato", "it-IT"),
    ("il mio nome è anche sulla lista", "it-IT"),
    ("mijn naam is niet bekend", "nl-NL"),
    ("mijn naam is te lang", "nl-NL"),
    ("mijn naam is ook fout", "nl-NL"),
    ("ik heet niet zo", "nl-NL"),
    ("meu nome é muito longo", "pt-BR"),
    ("meu nome também está na lista", "pt-BR"),
    ("meu nome é bem comprido", "pt-BR"),
    ("my name is not on the list", "en-US"),
]


@pytest.mark.parametrize(("text", "locale"), NO_NAME_STATED)
def test_a_function_word_after_a_name_statement_is_no_name(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]


NAMES_STATED = [
    ("mein name ist Lukas", "de-DE", "mein name ist [NAME]"),
    ("mein name ist nina", "de-DE", "mein name ist [NAME]"),
    ("mon nom est Amélie", "fr-FR", "mon nom est [NAME]"),
    ("mi nombre es Íñigo", "es-ES", "mi nombre es [NAME]"),
    ("il mio nome è giulia", "it-IT", "il mio nome è [NAME]"),
    ("mijn naam is Daan", "nl-NL", "mijn naam is [NAME]"),
    ("meu nome é ana", "pt-BR", "meu nome é [NAME]"),
    ("my name is Nur", "en-US", "my name is [NAME]"),
]


@pytest.mark.parametrize(("text", "locale", "expected"), NAMES_STATED)
def test_names_stated_are_still_redacted(text: str, locale: str, expected: str) -> None:
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [True]
    assert both(text, locale) == expected
    assert flag_rows([expected], [locale], sample_rate=0).tolist() == [False]
