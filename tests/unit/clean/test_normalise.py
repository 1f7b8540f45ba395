"""Normalisation for exact-duplicate detection: case, punctuation, spacing, Unicode form."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utterance_governance.clean.normalise import normalise_for_dedup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Set a TIMER,\tplease! ", "set a timer please"),
        ("set a timer please", "set a timer please"),
        ("What's the weather?", "whats the weather"),
        ("hello , world", "hello world"),
        ("line\nbreak\r\nand\u00a0no-break\u3000space", "line break and nobreak space"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("Ｆｕｌｌ ｗｉｄｔｈ", "full width"),
        ("cafe\u0301", "café"),
        ("[PHONE] call me", "phone call me"),
        ("5 + 3 = 8 $", "5 + 3 = 8 $"),
        ("¿Qué tal?", "qué tal"),
        ("...", ""),
        ("", ""),
    ],
)
def test_normalise_for_dedup(text: str, expected: str) -> None:
    assert normalise_for_dedup(pa.array([text])).to_pylist() == [expected]


def test_types_nulls_and_chunks() -> None:
    texts = ["Hi!", None, "  hi  "]
    for type_ in (pa.string(), pa.large_string()):
        out = normalise_for_dedup(pa.array(texts, type_))
        assert out.type == type_
        assert out.to_pylist() == ["hi", None, "hi"]
    assert normalise_for_dedup(pa.chunked_array([texts[:1], texts[1:]])).to_pylist() == ["hi", None, "hi"]
    assert normalise_for_dedup(pa.chunked_array([], pa.string())).to_pylist() == []


def test_variants_of_one_turn_collide() -> None:
    variants = [
        "Turn off the lights.",
        "turn off the lights",
        "Turn  off the  lights!!",
        " TURN OFF THE LIGHTS ",
    ]
    assert len(set(normalise_for_dedup(pa.array(variants)).to_pylist())) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="ascii")), min_size=1, max_size=20))
def test_normal_form(texts: list[str]) -> None:
    """Lower case, no punctuation, single spaces, trimmed, and normalising again changes nothing."""
    out = normalise_for_dedup(pa.array(texts)).to_pylist()
    for text in out:
        assert text == text.strip() and "  " not in text and text == text.lower()
        assert not any(c in text for c in "!\"#%&'()*,-./:;?@[\\]_{}\t\n\r\x0b\x0c")
    assert normalise_for_dedup(pa.array(out)).to_pylist() == out
