"""Names of the second review of 2026-12-07 (of 010738a, "Read since the review of 2026-12-07 (evening)").

1. A lower-case "mia" + surname ("chiama mia rossi") was read as a possessive and kept; the gate's detector flagged
   the row and the whole night failed. A given name "mia"/"mio" before a surname of the lists is a name now.
2. A possessive and a relation word the lists lack ("mi madrastra", "mon petit fils", "la mia ragazza"): the name
   after it was published.
3. Names next to the new cues that still survived ("recuérdale a maría", "rappelle luc", "di' a giulia", "lena bitte
   anrufen", "call my step mom linda", "reply back to jessica", "écris a julie" without its accent).
4. Benign text the change damaged: pronouns "ela"/"ella", "dann"/"dan" before "anrufen"/"bellen", a function word
   after cue + my + relation, "write to santa".

Each case says what it gave before ("Before:"); look-alikes keep their bytes on both paths and are not flagged by the
gate's detector (docs/redaction.md, "Read since the review of 2026-12-07 (evening)")."""

from __future__ import annotations

import pyarrow as pa
import pytest
from tests.unit.clean.test_names_of_the_review_2026_12_07_evening import _publish_rows

from utterance_governance.clean.redact import redact_array, redact_text
from utterance_governance.detect import flag_rows


def _both(text: str, locale: str) -> tuple[str, str]:
    return redact_text(text, locale), redact_array(pa.array([text]), pa.array([locale]))[0].as_py()


# --- 1. A lower-case "mia" + surname (ASR writes "Mia Rossi" so) was read as a possessive -------------------------
# Before: kept whole ("chiama mia rossi"), the gate's detector flagged it and the night was blocked (before 010738a:
# "chiama [NAME]").

MIA_SURNAME = [
    ("it-IT", "chiama mia rossi"),
    ("de-DE", "ruf mia schneider an"),
    ("fr-FR", "appelle mia dubois"),
    ("nl-NL", "bel mia jansen"),
    ("es-ES", "llama a mia fernández"),
    ("pt-BR", "liga pra mia souza"),
]


@pytest.mark.parametrize(("locale", "text"), MIA_SURNAME)
def test_a_lower_case_given_name_mia_before_a_surname_is_redacted(locale, text):
    single, array = _both(text, locale)
    assert "mia" not in single.split(), single
    assert array == single
    assert flag_rows([single], [locale], sample_rate=0.0).tolist() == [False]


def test_a_night_with_llama_a_mia_fernandez_publishes(tmp_path):
    """(es-MX, pt-BR: no opt-in needed.) Before: the redacted row kept "mia fernández", the gate's detector flagged
    it and the gate failed: the whole night was blocked (the other customers' rows with it)."""
    live = _publish_rows(tmp_path, [("es-MX", "llama a mia fernández"), ("pt-BR", "liga pra mia souza"),
                                    ("en-US", "what time is it")])  # fmt: skip
    assert set(live) == {"u-0", "u-1", "u-2"}
    assert "fernández" not in live["u-0"] and "souza" not in live["u-1"]


# --- 2. A possessive before a relation word the lists lack: the name after it was published ----------------------
# Before: kept whole ("llama a mi madrastra lucía"): possessive_before_noun() made "mi"/"mia"/"mon" a possessive
# before any lower-case word, but the name after that word was read only when the word was in _is_relation.

UNLISTED_RELATION = [
    ("es-ES", "llama a mi madrastra lucía", "lucía"),
    ("es-ES", "llama a mi hijastra lucía", "lucía"),
    ("it-IT", "chiama mia figliastra giulia", "giulia"),
    ("fr-FR", "appelle mon petit fils lucas", "lucas"),
    # the same family, kept before and after: the relation lists' neighbours and the article before "mia"
    ("es-ES", "llama a mi nuera lucía", "lucía"),
    ("it-IT", "chiama la mia ragazza giulia", "giulia"),
    ("pt-BR", "liga pra minha enteada ana", "ana"),
]


@pytest.mark.parametrize(("locale", "text", "name"), UNLISTED_RELATION)
def test_a_name_after_a_possessive_and_a_relation_is_redacted(locale, text, name):
    single, array = _both(text, locale)
    assert name not in single.split(), single
    assert array == single


def test_the_name_after_mi_madrastra_is_not_published(tmp_path):
    live = _publish_rows(
        tmp_path, [("es-MX", "llama a mi madrastra lucía"), ("fr-CA", "appelle mon petit fils lucas")]
    )
    assert set(live) == {"u-0", "u-1"}
    assert "lucía" not in live["u-0"], live["u-0"]
    assert "lucas" not in live["u-1"], live["u-1"]


# --- 3. Names next to the new cues that survived -------------------------------------------------------------------
# Before: each kept whole. The old cues redact these very names ("llama a maría" -> "llama a [NAME]", "appelle luc"
# -> "appelle [NAME]"); after the new cues a stricter test (a gazetteer given name that is no word) kept them. Also
# forms a voice assistant hears beside the new ones.

NEXT_TO_NEW_CUES = [
    ("es-ES", "recuérdale a maría la cita", "maría"),
    ("pt-BR", "fala pra maria que eu chego", "maria"),
    ("de-DE", "maria anrufen", "maria"),
    ("fr-FR", "rappelle luc", "luc"),
    ("it-IT", "di a nicolò che arrivo", "nicolò"),
    ("de-DE", "erinnere dieter an den termin", "dieter"),
    ("it-IT", "di ad anna che arrivo", "anna"),  # "ad" before a vowel
    ("it-IT", "di' a giulia che arrivo", "giulia"),  # the imperative's written form
    ("fr-FR", "rappelle à julie d'acheter du pain", "julie"),  # "remind julie to"
    ("de-DE", "erinnere bitte lena an den termin", "lena"),
    ("de-DE", "lena bitte anrufen", "lena"),
    ("es-ES", "avísale a lucía que llego tarde", "lucía"),
    ("pt-PT", "diz à ana que chego tarde", "ana"),
    (
        "fr-FR",
        "écris a julie",
        "julie",
    ),  # ASR drops the accent: "a" (Before: kept, the detector read "ecris")
    ("fr-FR", "ecris a julie", "julie"),
    ("en-US", "call my brother in law kevin", "kevin"),  # ASR writes no hyphens
    ("en-US", "call my step mom linda", "linda"),
    ("en-US", "call my ex wife jennifer", "jennifer"),
    ("en-US", "reply back to jessica", "jessica"),
]


@pytest.mark.parametrize(("locale", "text", "name"), NEXT_TO_NEW_CUES)
def test_a_name_next_to_the_new_cues_is_redacted(locale, text, name):
    single, array = _both(text, locale)
    assert name not in single.replace(",", " ").split(), single
    assert array == single


def test_names_next_to_the_new_cues_are_not_published(tmp_path):
    rows = [
        ("es-MX", "recuérdale a maría la cita"),
        ("fr-CA", "rappelle luc"),
        ("pt-BR", "fala pra maria que eu chego"),
    ]
    live = _publish_rows(tmp_path, rows)
    assert set(live) == {"u-0", "u-1", "u-2"}
    leaked = {
        uid: live[uid]
        for uid, (_, text) in zip(("u-0", "u-1", "u-2"), rows, strict=True)
        if live[uid] == text
    }
    assert not leaked, leaked


# --- 4. Benign text the change damaged (it must keep its bytes) ---------------------------------------------------
# Before: "fala pra [NAME] que …", "ich werde [NAME] anrufen", "di a mia madre [NAME] arrivo", "write to [NAME]".

BENIGN = [
    # a pronoun after the new cues ("she": Ela, Ella are gazetteer names)
    ("pt-BR", "fala pra ela que eu chego tarde"),
    ("pt-BR", "manda mensagem pra ela"),
    ("es-ES", "avisa a ella que llego tarde"),
    ("es-ES", "mensaje para ella"),
    # "then" before the new "anrufen"/"bellen" rule (Dann, Dan are gazetteer names)
    ("de-DE", "ich werde dann anrufen"),
    ("de-DE", "soll ich dann anrufen"),
    ("nl-NL", "ik ga dan bellen"),
    ("nl-NL", "kun je dan bellen"),
    # a function word after a new cue, "my" and a relation ("che", "chi", "dass", "pero" became [NAME])
    ("it-IT", "di a mia madre che arrivo"),
    ("it-IT", "di a mia sorella chi viene"),
    ("it-IT", "ricorda a mia madre che domani"),
    ("de-DE", "erinnere meine mutter dass ich komme"),
    ("es-ES", "manda un whatsapp a mi hermana pero no"),
    # Santa
    ("en-US", "help me write to santa"),
    # look-alikes of the fixes above: a possessive before a noun or relation the lists hold as a surname (the
    # detector read "mio amico" as a full name and blocked the night), pronouns and words after the new cues
    ("it-IT", "chiama mia casa"),
    ("es-ES", "llama a mi casa"),
    ("it-IT", "chiama mio amico"),
    ("it-IT", "chiama mio amore"),
    ("it-IT", "chiama mio tesoro"),
    ("it-IT", "chiama la mia amica"),
    ("es-ES", "manda un whatsapp a mi grupo de amigos"),
    ("es-ES", "recuérdale a ella la cita"),
    ("pt-BR", "diz a ele que chego"),
    ("it-IT", "di' a tutti che arrivo"),
    ("de-DE", "erinnere bitte mama an den termin"),
    ("de-DE", "oma bitte anrufen"),
    ("de-DE", "jetzt bitte anrufen"),
    ("fr-FR", "rappelle ce numéro"),
    ("fr-FR", "écris a ma mère"),
    ("en-US", "call my step mom will be late"),
    ("en-US", "call my brother in law now"),
    ("en-US", "reply back to the email"),
]


@pytest.mark.parametrize(("locale", "text"), BENIGN)
def test_benign_text_with_the_new_cue_words_keeps_its_bytes(locale, text):
    single, array = _both(text, locale)
    assert single == text
    assert array == text
    assert flag_rows([text], [locale], sample_rate=0.0).tolist() == [False]


def test_benign_rows_are_published_byte_for_byte(tmp_path):
    rows = [("pt-BR", "fala pra ela que eu chego tarde"), ("es-MX", "avisa a ella que llego tarde"),
            ("en-US", "help me write to santa")]  # fmt: skip
    live = _publish_rows(tmp_path, rows)
    assert set(live) == {"u-0", "u-1", "u-2"}
    assert [live[f"u-{i}"] for i in range(len(rows))] == [text for _, text in rows]
