"""The identifier detectors: what they find, and that RE2 and Python ``re`` agree on it."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.clean import vocabulary

from utterance_governance.clean import patterns as P

# Identifier forms the detectors must find (each is redacted by ``clean.redact``).
IDENTIFIERS = [
    "mail me at jo.smith+news@example.co.uk",
    "it's john@example dot com",
    "email john dot smith at gmail dot com",
    "j underscore smith at mail dot co dot uk",
    "jsmith42 at outlook.com",
    "the printer is at 192.168.1.20",
    "ping 2001:db8::ff00:42:8329 now",
    "my social is 123-45-6789",
    "ssn 123 45 6789",
    "card 4111 1111 1111 1111 expires soon",
    "card 4111-1111-1111-1112",
    "amex 3782 822463 10005",
    "4111111111111111",
    "call +44 20 7946 0958",
    "call +1-415-555-0100",
    "call (415) 555-0100",
    "call 415.555.0100",
    "call 4155550100",
    "call 555-0100",
    "ring 020 7946 0958",
    "appelle le 01 23 45 67 89",
    "5 5 5 0 1 0 0",
    "call five five five one two three four",
    "call Five, Five, Five - One Two Three Four",
    "call double five five one two three four",
    "call triple nine one two three four",
    "call oh two oh seven nine four six oh nine five eight",
    "my number is five five five 0100",
    "my number is 555 one two three four",
    "call five five five twelve thirty four",
    "one eight hundred five five five one two one two",
    "one two three four five six seven eight nine",
    "four one one one one one one one one one one one one one one one",
    "call five \u017feven one zero 6494",  # a long s RE2 folds: no word boundary before it
]


def re2_matches(pattern: str, texts: list[str]) -> list[bool]:
    return pc.match_substring_regex(pa.array(texts, pa.string()), pattern).to_pylist()


def all_patterns() -> dict[str, str]:
    patterns = {kind: pattern for kind, (_, pattern) in P.DETECTORS.items()}
    patterns |= {"SPOKEN_RUN": P.SPOKEN_RUN, "CANDIDATES": P.CANDIDATES, "WRITTEN": P.WRITTEN}
    return patterns


@pytest.mark.parametrize(("kind", "pattern"), list(all_patterns().items()))
def test_pattern_compiles_in_python_and_re2(kind: str, pattern: str) -> None:
    assert not re.search(r"\(\?<?[=!]|\\[1-9]", pattern), f"{kind}: look-around or back-reference"
    P.compile_python(pattern)
    re2_matches(pattern, ["x"])  # raises ArrowInvalid if RE2 rejects it


def test_spoken_digit_run_keeps_its_name() -> None:
    assert P.DETECTORS["spoken_number"][1] == P.SPOKEN_DIGIT_RUN


@pytest.mark.parametrize("text", IDENTIFIERS)
def test_identifier_is_detected(text: str) -> None:
    assert P.detect_identifiers(pa.array([text])).to_pylist() == [True]
    assert P.has_identifier(text)


@pytest.mark.parametrize("text", vocabulary.HARMLESS)
def test_harmless_text_is_not_detected(text: str) -> None:
    assert P.detect_identifiers(pa.array([text])).to_pylist() == [False]
    assert not P.has_identifier(text)


def test_detect_identifiers_types_nulls_and_chunks() -> None:
    texts = ["call 555-0100", None, "hello", "five five five one two three four"]
    expected = [True, False, False, True]
    assert P.detect_identifiers(pa.array(texts, pa.large_string())).to_pylist() == expected
    chunked = pa.chunked_array([texts[:2], texts[2:]], pa.string())
    assert P.detect_identifiers(chunked).to_pylist() == expected
    assert P.detect_identifiers(pa.chunked_array([], pa.string())).to_pylist() == []
    assert P.detect_identifiers(pa.array([], pa.string())).to_pylist() == []


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("five five five one two three four", ("5551234", 7, True)),
        ("double five", ("55", 2, True)),
        ("Triple-Nine", ("999", 3, True)),
        ("twenty five", ("25", 3, True)),
        ("twenty oh", ("200", 3, True)),
        ("eight hundred", ("800", 3, True)),
        ("five five five 0100", ("5550100", 7, True)),
        ("12.99", ("1299", 4, False)),
        ("\u017fix \u017feven", ("67", 2, True)),
    ],
)
def test_read_run(run: str, expected: tuple[str, int, bool]) -> None:
    assert P.read_run(run) == expected


# Generated text (``vocabulary``), with written identifier shapes.
SHAPES = [
    "jo.smith@example.com",
    "4111 1111 1111 1111",
    "123-45-6789",
    "+44 20 7946 0958",
    "(415) 555-0100",
    "192.168.0.1",
    "fe80::1",
    "555-0100",
    "0100",
    "12.99",
]
texts = vocabulary.texts(
    words=[*vocabulary.WORDS, "gmail", "uk"], shapes=SHAPES, max_digits=8, max_noise=3, max_fragments=20
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=40))
def test_re2_and_python_agree(batch: list[str]) -> None:
    for kind, pattern in all_patterns().items():
        python = P.compile_python(pattern)
        assert re2_matches(pattern, batch) == [python.search(t) is not None for t in batch], kind


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=40))
def test_candidates_cover_every_spoken_number(batch: list[str]) -> None:
    """``SPOKEN_DIGIT_RUN`` is a superset of what the exact count accepts."""
    for text, candidate in zip(batch, re2_matches(P.SPOKEN_DIGIT_RUN, batch), strict=True):
        if P.has_spoken_number(text):
            assert candidate, text
    assert P.detect_identifiers(pa.array(batch)).to_pylist() == [P.has_identifier(t) for t in batch]


def test_long_columns_are_matched_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [None, "call 555-0100", "hello", "five five five one two three four", "room 101"] * 7
    expected = P.detect_identifiers(pa.array(texts)).to_pylist()
    monkeypatch.setattr(P, "_ROWS_PER_THREAD", 4)
    assert P.detect_identifiers(pa.array(texts)).to_pylist() == expected
    assert P.match_rows(pa.array(texts), "[0-9]").tolist() == [
        t is not None and any(c.isdigit() for c in t) for t in texts
    ]
