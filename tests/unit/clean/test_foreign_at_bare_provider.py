"""A single word before an "at" of another language and a well-known provider without its top-level
domain: "juan arroba gmail", "escríbeme a juan arroba hotmail", "pierre arobase yahoo", "marco chiocciola
gmail", "hans klammeraffe gmx" (a known gap: redaction asked for a mailbox of joined parts or with a digit
there, and the gate's detector too). "arroba", "arobase", "chiocciola", "klammeraffe" mean nothing but "@",
and the provider's name is no word; a function word or a verb of typing before them is no mailbox
("escribe arroba gmail punto com" is spelled with its domain and read by the rule before)."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, redacted_unflagged

from utterance_governance.detect import find_in_text, flag_rows


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("juan arroba gmail", "es-ES", "[EMAIL]"),
        ("escríbeme a juan arroba hotmail", "es-ES", "escríbeme a [EMAIL]"),
        ("mi correo es lucía arroba gmail", "es-ES", "mi correo es [EMAIL]"),
        ("pierre arobase yahoo", "fr-FR", "[EMAIL]"),
        ("marco chiocciola gmail", "it-IT", "[EMAIL]"),
        ("hans klammeraffe gmx", "de-DE", "[EMAIL]"),
    ],
)
def test_a_word_before_a_foreign_at_and_a_provider(text: str, locale: str, expected: str) -> None:
    assert "email" in {kind for kind, _ in find_in_text(text, locale)}
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("cómo se escribe la arroba en el teclado", "es-ES"),
        ("pon la arroba gmail", "es-ES"),
        ("escribe arroba gmail", "es-ES"),
        ("comment taper arobase sur le clavier", "fr-FR"),
        ("tape arobase yahoo", "fr-FR"),
        ("digite a arroba no teclado", "pt-BR"),
        ("il simbolo chiocciola gmail", "it-IT"),
        ("die klammeraffe gmx", "de-DE"),
        ("juan arroba en el teclado", "es-ES"),
    ],
)
def test_look_alikes_keep_their_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text
    assert flag_rows([text], [locale], sample_rate=0).tolist() == [False]
