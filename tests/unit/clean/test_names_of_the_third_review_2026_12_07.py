"""Third review of 2026-12-07 (evening) of the two redaction commits of that day (010738a and 6ff79b6).

Each case was redacted before those commits, then kept, whole or in part ("Before:" the third review's fix); the
night-blocking ones were also flagged by the gate's detector on the redacted text, so the whole night failed with
GateFailed.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from tests.unit.clean.test_names_of_the_review_2026_12_07_evening import _publish_rows

from utterance_governance.clean.redact import redact_array, redact_text
from utterance_governance.detect import flag_rows


def _both(text: str, locale: str) -> tuple[str, str]:
    return redact_text(text, locale), redact_array(pa.array([text]), pa.array([locale]))[0].as_py()


def _words(text: str) -> list[str]:
    return text.lower().replace(",", " ").split()


# --- 1. "Mia"/"Mio" (given names) before any lower-case word in non-English text are read as a possessive -------
# names.py possessive_before_noun: outside English text, "mia"/"mio" (and "ma", "mi", "mon") before a lower-case
# word that is no function word is "my", even when the word is a verb and "Mia" is capitalised.
# Before: "Mia" published (6d4c949: "[NAME]" in every case below).
@pytest.mark.parametrize(
    ("locale", "text", "name"),
    [
        ("de-DE", "Meine Tochter Mia hat Geburtstag", "Mia"),
        ("de-DE", "sag meiner tochter mia bescheid", "mia"),
        ("de-DE", "Mio schläft schon", "Mio"),
        ("it-IT", "Mia arriva domani", "Mia"),
        ("it-IT", "la mia amica Mia arriva domani", "Mia"),
        ("es-ES", "mi amiga Mia viene hoy", "Mia"),
        ("fr-FR", "ma copine Mia arrive demain", "Mia"),
        ("nl-NL", "mijn dochter Mia komt morgen", "Mia"),
        ("pt-BR", "minha filha Mia chega amanhã", "Mia"),
    ],
)
def test_given_name_mia_before_a_verb_is_redacted(locale: str, text: str, name: str) -> None:
    for out in _both(text, locale):
        assert name not in out.split(), out  # the name as written ("la mia amica": the possessive stays)
        assert "[NAME]" in out, out


# --- 2. A surname that starts with a kinship prefix is read as a relation ---------------------------------------
# names.py _is_relation: "grossmann" = "gross" + "mann", "großmann" = "groß" + "mann", "bisson" = "bis" + "son",
# "godson": so "Mia Großmann" is "my husband" and kept whole, and the gate's detector (which reads "Mia" + a surname
# of the lists after a call) flagged the redacted row: one such row blocked the night. 6d4c949: "ruf [NAME] an".
@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("de-DE", "ruf Mia Großmann an"),
        ("de-DE", "ruf mia grossmann an"),
        ("de-DE", "Erinnere Mia Grossmann an den Termin"),
        ("it-IT", "chiama Mia Grossmann"),
        ("fr-FR", "appelle mia bisson"),
        ("es-ES", "llama a mia grossmann"),
    ],
)
def test_surname_with_kinship_prefix_is_redacted_and_not_flagged(locale: str, text: str) -> None:
    for out in _both(text, locale):
        assert not {"mia", "grossmann", "großmann", "bisson"} & set(_words(out)), out
        assert not flag_rows([out], [locale], sample_rate=1.0)[0], f"the gate flags the redacted row: {out!r}"


def test_english_mia_grossmann_is_redacted_whole() -> None:
    """Before: "call Mia [NAME]" (the given name published; 6d4c949: "call [NAME]")."""
    for out in _both("call Mia Grossmann", "en-US"):
        assert "mia" not in _words(out), out


# --- 3. The Spanish/Portuguese pronouns "ella"/"ela" are no name in German, Dutch, Italian text either ------------
# names.py starts_after_cue (before: ``self.english is None and low in _PRONOUNS``): in any non-English row
# "ella" after a call was a pronoun, although Ella is a common given name (German, Dutch, Italian); the detector
# reads "ella schmidt" after "ruf" as a full name. Before: kept and flagged, the night failed (6d4c949: "ruf [NAME] an", "bel [NAME]").
@pytest.mark.parametrize(
    ("locale", "text", "kept"),
    [
        ("de-DE", "ruf ella schmidt an", {"ella", "schmidt"}),
        ("nl-NL", "bel ella jansen", {"ella", "jansen"}),
        ("nl-NL", "bel ella de vries", {"ella", "vries"}),
        ("it-IT", "chiama ella rossi", {"ella", "rossi"}),
        ("pt-BR", "liga pra ela souza", {"ela", "souza"}),
    ],
)
def test_ella_full_name_after_a_call_is_redacted_and_not_flagged(
    locale: str, text: str, kept: set[str]
) -> None:
    for out in _both(text, locale):
        assert not kept & set(_words(out)), out
        assert not flag_rows([out], [locale], sample_rate=1.0)[0], f"the gate flags the redacted row: {out!r}"


def test_ella_alone_after_a_german_call_is_redacted() -> None:
    """Before: kept (6d4c949: "ruf [NAME] an"); German has no pronoun "ella"."""
    for out in _both("ruf ella an", "de-DE"):
        assert "ella" not in _words(out), out


# --- 4. A given name the English dictionary lists ("maria", "victoria") after "mi" + a noun the lists lack ------
# names.py relation_noun (second review: "llama a mi madrastra lucía") asks for a given name that is no word, while
# after a listed relation the name is read ("llama a mi hermana maría" → "[NAME]"). Before: "maría" and the full name
# "maría garcía" published (6d4c949: "dile a [NAME] que ya voy", "llama a [NAME]").
@pytest.mark.parametrize(
    ("locale", "text", "kept"),
    [
        ("es-ES", "dile a mi madrastra maría que ya voy", {"maría"}),
        ("es-ES", "llama a mi madrastra maría garcía", {"maría", "garcía"}),
    ],
)
def test_maria_after_my_and_an_unlisted_relation_is_redacted(locale: str, text: str, kept: set[str]) -> None:
    for out in _both(text, locale):
        assert not kept & set(_words(out)), out


# --- End to end: one such row failed the whole night ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "text", "name"),
    [
        ("pt-BR", "liga pra ela souza", "souza"),
        ("en-US", "call mia grossmann", "grossmann"),
        ("fr-CA", "appelle mia bisson", "bisson"),
    ],
)
def test_night_with_one_such_row_publishes_without_the_name(
    tmp_path, locale: str, text: str, name: str
) -> None:
    """(Locales outside the EU: no opt-in needed.) Before: GateFailed, nothing of the night was published."""
    rows = [("en-US", "what time is it"), ("es-MX", "qué tiempo hace mañana"), (locale, text)]
    texts = list(_publish_rows(tmp_path, rows).values())  # raised GateFailed before
    assert len(texts) == 3 and any("[NAME]" in t for t in texts), texts
    assert not any(name in _words(t) for t in texts), texts


# --- The words skipped after a request, before a surname: the detector reads a full name ---------------------------
# Before: "rappelle mamie dupont", "liga pra nana souza", "erinnere le schmidt an den termin" kept whole, and the
# gate's detector flagged them (a night blocker): a word skipped after a request (a pronoun, a function word, "santa",
# "nana", "mamie", "dan") and a surname of the lists are taken together.
@pytest.mark.parametrize(
    ("locale", "text", "kept"),
    [
        ("fr-FR", "rappelle mamie dupont", {"mamie", "dupont"}),
        ("fr-FR", "appelle nana dupont", {"nana", "dupont"}),
        ("pt-BR", "liga pra nana souza", {"nana", "souza"}),
        ("pt-BR", "fala pra santa souza que já vou", {"santa", "souza"}),
        ("de-DE", "erinnere le schmidt an den termin", {"le", "schmidt"}),
        ("de-DE", "schick dann schmidt eine whatsapp", {"dann", "schmidt"}),
        ("it-IT", "di a dan rossi che arrivo", {"dan", "rossi"}),
        ("nl-NL", "herinner santa jansen aan de afspraak", {"santa", "jansen"}),
        ("es-ES", "recuérdale a mamie garcía", {"mamie", "garcía"}),
        ("es-ES", "llama a ella garcía", {"ella", "garcía"}),
    ],
)
def test_skipped_word_before_a_surname_is_redacted_and_not_flagged(
    locale: str, text: str, kept: set[str]
) -> None:
    for out in _both(text, locale):
        assert not kept & set(_words(out)), out
        assert not flag_rows([out], [locale], sample_rate=1.0)[0], f"the gate flags the redacted row: {out!r}"


# --- ... and what stays as it was -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("es-ES", "llama a ella"),  # a pronoun in Spanish
        ("pt-BR", "fala pra ela que já vou"),
        ("pt-BR", "liga pra ela"),
        ("it-IT", "di a lei che arrivo"),
        ("it-IT", "chiama mia sorella"),  # "my" before a relation
        ("it-IT", "chiama mia casa"),
        ("it-IT", "chiama mio cognato"),
        ("it-IT", "Mia madre arriva domani"),
        ("fr-FR", "appelle ma banque"),
        ("fr-FR", "appelle mon médecin"),
        ("fr-FR", "appelle Monsieur le Président"),
        ("en-US", "write to santa claus"),
        ("en-US", "call my grandmother"),
        ("de-DE", "ruf meine schwiegermutter an"),
        ("de-DE", "erinnere mich an den termin"),
        ("de-DE", "ruf mich morgen an"),
        ("es-ES", "llama a mi coche rojo"),
    ],
)
def test_pronouns_possessives_and_relations_are_kept(locale: str, text: str) -> None:
    for out in _both(text, locale):
        assert out == text, out


@pytest.mark.parametrize(
    ("low", "relation"),
    [("grossmann", False), ("großmann", False), ("bisson", False), ("grandson", True), ("stepmom", True),
     ("great-grandmother", True), ("schwiegermutter", True), ("grand-mère", True), ("ex-wife", True)],
)  # fmt: skip
def test_a_surname_with_a_kinship_prefix_is_no_relation(low: str, relation: bool) -> None:
    from utterance_governance.clean.names import _is_relation

    assert _is_relation(low) is relation


@pytest.mark.parametrize(
    ("locale", "text", "out"),
    [
        ("es-ES", "llama a mi madrastra victoria", "llama a mi madrastra [NAME]"),
        ("it-IT", "chiama mia rossi", "chiama [NAME]"),
        ("de-DE", "ella anrufen", "[NAME] anrufen"),
        ("it-IT", "Mia arriva domani", "[NAME] arriva domani"),
    ],
)
def test_names_next_to_possessives_and_pronouns(locale: str, text: str, out: str) -> None:
    assert _both(text, locale) == (out, out)
