"""The detector reads a row only where its scope (``_SCOPE``, ``_in_scope``) and its rule families' RE2 prefilters
find something, or in its random sample: they must keep every text its rules (``find_in_text``) flag, or the gate
publishes a redacted row and the audit passes a live one that holds an identifier. Named forms a review and a
comparison over the tests' strings found dropped, and the property itself over those strings in every allowed
locale (no random sample: ``sample_rate=0``).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pyarrow as pa
import pytest
from tests.unit.lakes import shard_row

from utterance_governance.audit.rows import identifier_findings
from utterance_governance.detect import find_in_text, flag_rows
from utterance_governance.policy import DEFAULT_ALLOWED_LOCALES

GLUED_DIGIT_WORDS = "call one_two_three_four_five_six_seven"


def test_a_live_message_of_digit_words_joined_by_underscores_is_found_by_the_audit_whatever_the_sample() -> (
    None
):
    """Before: ``\\bone\\b`` stands nowhere in "one_two" (RE2's ``\\b`` takes "_" for a letter), so the row was
    out of the detector's scope and the audit passed it on 20 of 20 daily samples."""
    assert find_in_text(GLUED_DIGIT_WORDS, "en-US")
    rows = shard_row("u-glued", "cus-glued", "2026-11-20T08:00:00Z", user=GLUED_DIGIT_WORDS)
    rows = rows.append_column("shard_path", pa.array(["v000001/shards/part-00000.parquet"]))
    missed = [seed for seed in range(20) if not identifier_findings(rows, seed=seed)]
    assert missed == [], f"the audit passed the row on {len(missed)} of 20 daily samples"


DROPPED = [
    # number words a digit or "_" ends, as the rules' tokens (runs of letters) end
    (GLUED_DIGIT_WORDS, "en-US"),
    ("um_dois_três_quatro_cinco_seis_sete_oito", "pt-BR"),
    ("five5five5five5one2two3three4four", "en-US"),
    # a number dialled with its trunk "0" and fewer than seven digits, the row's seven digits elsewhere
    ("Slovenia 62377\n070-820", "it-IT"),
    ("meine Nummer ist 0171 23 fünfundvierzig 67 89", "it-IT"),
    # French pairs alone, English pairs beside written digits, "triple", the other languages' pairs after one digit
    ("appelle douze treize quatorze quinze", "fr-FR"),
    ("690 oh thirty thirty 690", "en-US"),
    ("call triple five triple five one", "en-US"),
    ("ruf null zwölf vierunddreißig sechsundfünfzig achtundsiebzig an", "de-DE"),
    ("uno dodici trentaquattro cinquantasei", "it-IT"),
    ("vier\ndeux\ntwee 1877", "en-US"),  # (a run over line breaks, as redaction reads it)
    # a name with its accent whose letters without it are an English word; titles of ``_CALLED_TITLED``
    ("llama a maría de contabilidad", "nl-NL"),
    ("Termin mit Prof. Weber", "de-DE"),
    ("riunione con dott. Rossi", "it-IT"),
    ("afspraak met mevr. Jansen", "nl-NL"),
    ("reunión con doctor García", "es-ES"),
    ("TERMIN MIT HERRN WEBER", "de-DE"),
    ("bel [NAME] van de Werf", "nl-NL"),  # a surname redaction left
    ("bel\tJan de\tvries", "nl-NL"),
    # a handle named so; identity numbers in lower case and groups
    ("my twitter handle is j_smith", "en-US"),
    ("pide 250312 uno", "es-MX"),
    ("il mio codice è rss mra 85 t 10 a 562 s", "it-IT"),
    # spelled e-mail and IP forms beside "_", a digit or a line break
    ("jean.dupont_arobase_orange.fr", "fr-FR"),
    ("jsmith+[email]", "en-US"),
    ("ip 10 dot 0\ndot 0 dot 1", "en-US"),
]


@pytest.mark.parametrize(("text", "locale"), DROPPED)
def test_texts_the_rules_flag_are_in_scope_and_read_by_their_family(text: str, locale: str) -> None:
    """Before: each was flagged by ``find_in_text`` and dropped by the scope or a family's prefilter, so
    ``flag_rows`` (the gate, the audit) found nothing in it."""
    assert find_in_text(text, locale)
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [True]


@functools.cache
def _test_strings() -> list[str]:
    """Every string of three characters or more written in the redaction and detector tests (about 3,800)."""
    here = Path(__file__).parent
    strings: set[str] = set()
    for path in sorted([*here.glob("*.py"), *(here.parent / "clean").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 3:
                strings.add(node.value)
    return sorted(strings)


@pytest.mark.parametrize("locale", DEFAULT_ALLOWED_LOCALES)
def test_every_test_string_the_rules_flag_is_flagged_through_the_scope(locale: str) -> None:
    """Before: the comparison over these strings found the forms above flagged by the rules and not through the
    scope and the prefilters (in scope ⊇ flagged did not hold)."""
    texts = _test_strings()
    flags = flag_rows(texts, [locale] * len(texts), sample_rate=0).tolist()
    dropped = [
        text for text, flag in zip(texts, flags, strict=True) if not flag and find_in_text(text, locale)
    ]
    assert dropped == []
