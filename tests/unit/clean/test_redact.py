"""Redaction: placeholders per identifier form, precision on harmless requests, and the
vectorised path equal to the per-string reference, leaving nothing the gate would find."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.clean import vocabulary

from utterance_governance.clean.normalise import normalise_array_for_detection
from utterance_governance.clean.patterns import CANDIDATES, detect_identifiers, match_rows
from utterance_governance.clean.redact import (
    candidate_rows,
    classify_digits,
    luhn_valid,
    redact_array,
    redact_text,
)

CASES = [
    # written
    ("mail me at jo.smith+news@example.co.uk", "mail me at [EMAIL]"),
    ("it's john@example dot com", "it's [EMAIL]"),
    ("server 192.168.1.20, gateway 10.0.0.1", "server [IP], gateway [IP]"),
    ("my ip is 192.168.001.020, the gateway 010.000.000.001", "my ip is [IP], the gateway [IP]"),  # zero-padded
    ("ping 2001:db8::ff00:42:8329 and fe80::1", "ping [IP] and [IP]"),
    ("my social is 123-45-6789", "my social is [SSN]"),
    ("ssn 123 45 6789", "ssn [SSN]"),
    ("card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27"),
    ("card 4111-1111-1111-1112", "card [NUMBER]"),
    ("amex 3782 822463 10005", "amex [CARD]"),
    ("pay with 4111111111111111", "pay with [CARD]"),
    ("order 12345678901234567890123", "order [NUMBER]"),
    ("call +44 20 7946 0958", "call [PHONE]"),
    ("call +1-415-555-0100 now", "call [PHONE] now"),
    ("call (415) 555-0100", "call [PHONE]"),
    ("call 415.555.0100", "call [PHONE]"),
    ("call 4155550100", "call [PHONE]"),
    ("call 555-0100 or 555.0199", "call [PHONE] or [PHONE]"),
    ("ring 020 7946 0958", "ring [PHONE]"),
    ("appelle le 01 23 45 67 89", "appelle le [PHONE]"),
    ("dial 5 5 5 0 1 0 0", "dial [PHONE]"),
    ("id 123456789", "id [SSN]"),
    # spoken
    ("call five five five one two three four", "call [PHONE]"),
    ("call Five, Five, Five - One Two Three Four.", "call [PHONE]."),
    ("call double five five one two three four", "call [PHONE]"),
    ("call triple nine one two three four please", "call [PHONE] please"),
    ("call oh two oh seven nine four six oh nine five eight", "call [PHONE]"),
    ("my number is five five five 0100", "my number is [PHONE]"),
    ("my number is 555 one two three four", "my number is [PHONE]"),
    ("call five five five twelve thirty four", "call [PHONE]"),
    ("one eight hundred five five five one two one two", "[PHONE]"),
    ("my social is one two three, four five, six seven eight nine", "my social is [SSN]"),
    ("card four one one one one one one one one one one one one one one one", "card [CARD]"),
    ("card four one one one one one one one one one one one one one one two", "card [NUMBER]"),
    ("email john dot smith at gmail dot com", "email [EMAIL]"),
    ("write to j underscore smith at mail dot co dot uk today", "write to [EMAIL] today"),
    # several in one turn
    ("text 555-0100 or jo@example.com, then call five five five one two three four", "text [PHONE] or [EMAIL], then call [PHONE]"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert redact_array(pa.array([text])).to_pylist() == [expected]
    assert detect_identifiers(pa.array([text])).to_pylist() == [True]


@pytest.mark.parametrize("text", vocabulary.HARMLESS)
def test_harmless_text_survives(text: str) -> None:
    assert redact_text(text) == text
    assert redact_array(pa.array([text])).to_pylist() == [text]
    assert detect_identifiers(pa.array([text])).to_pylist() == [False]


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("79927398713", True),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("digits", "placeholder"),
    [
        ("5550100", "[PHONE]"),
        ("123456789", "[SSN]"),
        ("442079460958", "[PHONE]"),
        ("4111111111111111", "[CARD]"),
        ("4111111111111112", "[NUMBER]"),
        ("41111111111111111111", "[NUMBER]"),
    ],
)
def test_classify_digits(digits: str, placeholder: str) -> None:
    assert classify_digits(digits) == placeholder


def test_redact_array_keeps_type_length_and_nulls() -> None:
    texts = ["call 555-0100", None, "hello", "five five five one two three four", None]
    for type_ in (pa.string(), pa.large_string()):
        out = redact_array(pa.array(texts, type_))
        assert out.type == type_
        assert out.to_pylist() == ["call [PHONE]", None, "hello", "[PHONE]", None]
    chunked = pa.chunked_array([texts[:2], [], texts[2:]], pa.large_string())
    assert redact_array(chunked).to_pylist() == [redact_text(t) for t in texts]
    assert redact_array(pa.array([], pa.string())).to_pylist() == []
    assert redact_array(pa.chunked_array([], pa.string())).to_pylist() == []
    assert redact_array(pa.array([None, "no numbers here"])).to_pylist() == [None, "no numbers here"]


# A column is read as its distinct (text, locale) pairs, names and other languages' spoken
# numbers as texts with every digit a 0: each row still gets what its own text and locale give.
REPEATED = [
    ("mijn bsn is 111222333", "nl-NL"),
    ("mijn bsn is 111222333", "en-US"),
    ("mijn bsn is 111222333", None),
    ("Calling Sarah at 5 pm.", "en-US"),
    ("Calling Sarah at 7 pm.", "en-GB"),
    ("Calling Sarah at 5 pm.", "en-US"),
    ("yes Kapanen Yermolayev said 18", "en-US"),
    ("yes Kapanen Yermolayev said 21", "de-DE"),
    ("yes Kapanen Yermolayev said 18", ""),
    ("yes Kapanen Yermolayev said 18", "-US"),
    ("ruf null eins sieben eins, zwei drei vier, fünf sechs sieben an 5", "de-DE"),
    ("ruf null eins sieben eins, zwei drei vier, fünf sechs sieben an 9", "de-DE"),
    ("llama al seis dos cuatro nueve uno tres dos nueve", "es-ES"),
    ("llama al seis dos cuatro nueve uno tres dos nueve", "en-US"),
    ("Oh İ", None),
    (None, "en-US"),
    ("", None),
    (None, None),
]


def test_repeated_texts_and_locales() -> None:
    texts, locales = zip(*REPEATED, strict=True)
    expected = [redact_text(text, locale) for text, locale in REPEATED]
    assert redact_array(pa.array(texts), pa.array(locales, pa.string())).to_pylist() == expected
    assert expected[0] == "mijn bsn is [NATIONAL_ID]" and expected[1] != expected[0]
    assert expected[3:5] == ["Calling [NAME] at 5 pm.", "Calling [NAME] at 7 pm."]
    # a locale without a language is read as English, as redact_text reads it
    assert expected[8] == expected[9] == "yes [NAME] said 18" != expected[7]
    assert expected[10:12] == ["ruf [PHONE] an 5", "ruf [PHONE] an 9"]


def test_a_long_run_of_number_words_is_a_number() -> None:
    """Runaway ASR ("um um um ..."): a run of more than 64 words is not read by text2num."""
    texts = ["um " * 1500 + "what time is it", "cinco " * 65 + "ok", "cinco " * 64 + "ok"]
    expected = ["[NUMBER] what time is it", "[NUMBER] ok", "[NUMBER] ok"]
    assert [redact_text(text, "pt-BR") for text in texts[:1]] == expected[:1]
    assert [redact_text(text, "es-ES") for text in texts[1:]] == expected[1:]
    locales = pa.array(["pt-BR", "es-ES", "es-ES"])
    assert redact_array(pa.array(texts), locales).to_pylist() == expected


def test_text_holding_the_run_markers() -> None:
    """The control characters redaction marks runs with, in the input: no run is taken for marked
    (in a row where something is found, control characters are spaces, as they are read)."""
    texts = ["\x01call five five five one two three four\x02", "a\x02b 555-0100", "play \x01jazz\x02"]
    assert redact_array(pa.array(texts)).to_pylist() == [" call [PHONE] ", "a b [PHONE]", "play \x01jazz\x02"]


# --- generated text --------------------------------------------------------------------------

SHAPES = [
    "jo.smith@example.com", "john dot smith at gmail dot com", "4111 1111 1111 1111", "4111-1111-1111-1112",
    "4111111111111111", "123-45-6789", "+44 20 7946 0958", "(415) 555-0100", "415.555.0100", "555-0100",
    "192.168.0.1", "fe80::1", "5 5 5 0 1 0 0", "0100", "555", "12.99", "10,000", "6:30", "3.11", "72",
]  # fmt: skip
texts = vocabulary.texts(
    words=[*vocabulary.WORDS, "call", "set", "timer"],
    shapes=SHAPES,
    odd=[*vocabulary.ODD, "[PHONE]"],
    max_digits=20,
    separated_shapes=True,
    max_noise=4,
    max_fragments=24,
)
batches = st.lists(st.one_of(st.none(), texts), min_size=1, max_size=30)
# (twice the rows an example, half the examples: a ``redact_array`` call's fixed cost, its RE2 patterns
# compiled, is most of an example's; as many texts are tried)
long_batches = st.lists(st.one_of(st.none(), texts), min_size=1, max_size=60)


locales = st.sampled_from(
    [None, "", "en-US", "en-GB", "de-DE", "fr-FR", "es-MX", "it-IT", "nl-NL", "pt-BR", "ja-JP"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(st.none(), texts), locales), min_size=1, max_size=30))
def test_redact_array_equals_redact_text_with_locales(rows: list[tuple[str | None, str | None]]) -> None:
    rows = rows + rows[: len(rows) // 2]  # repeated pairs
    values, codes = zip(*rows, strict=True)
    redacted = redact_array(pa.array(values, pa.large_string()), pa.array(codes, pa.string()))
    assert redacted.to_pylist() == [redact_text(text, code) for text, code in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_batches)
def test_redact_array_equals_redact_text(batch: list[str | None]) -> None:
    assert redact_array(pa.array(batch, pa.large_string())).to_pylist() == [redact_text(t) for t in batch]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_batches)
def test_nothing_detectable_survives_redaction(batch: list[str | None]) -> None:
    values = pa.array(batch)
    redacted = redact_array(values)
    assert not any(detect_identifiers(redacted).to_pylist())
    # and redaction touches only the rows its RE2 prefilters pick (the vectorised path skips
    # the others): the prefilters are asked of the batch when redaction changed a row of it
    changed = [before != after for before, after in zip(batch, redacted.to_pylist(), strict=True)]
    if any(changed):
        text = values.cast(pa.string())
        flagged = (
            candidate_rows(normalise_array_for_detection(text)) | match_rows(text, CANDIDATES)
        ).tolist()
        for hit, change in zip(flagged, changed, strict=True):
            assert hit or not change


@settings(max_examples=100, deadline=None)
@given(texts)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


# --- realistic traffic ---------------------------------------------------------------------

REQUESTS = [
    "what's the weather like in {city} tomorrow", "play some {genre} in the kitchen",
    "set a timer for {n} minutes", "set a timer for ten minutes", "it is {n} degrees outside",
    "wake me at 6:30 tomorrow", "add two dozen eggs to my list", "play the top 40 hits from 1999",
    "set an alarm for seven thirty", "remind me in twenty five minutes", "what's {n} times {m}",
    "convert {n} dollars to euros", "book room {n} for the meeting", "turn the volume to eleven",
    "the year two thousand twenty was strange", "one two three go", "I'm at home, turn on the heating",
]  # fmt: skip
IDENTIFYING = [
    "call five five five one two three four", "my number is {phone}", "text {phone} that I'm late",
    "email it to jo.smith@example.com", "send it to john dot smith at gmail dot com",
    "my card number is {card}", "my social is 123-45-6789", "connect to the printer at 192.168.{n}.{m}",
    "dial double five five one two three four", "call oh two oh seven nine four six oh nine five eight",
    "my number is five five five 0100",
]  # fmt: skip
PHONES = ["+44 20 7946 0958", "+1-415-555-0100", "(415) 555-0100", "415.555.0100", "4155550100", "555-0100"]
CARDS = ["4111 1111 1111 1111", "4111-1111-1111-1112", "378282246310005"]


def realistic(n: int, seed: int = 7) -> list[str]:
    """Voice-assistant turns: ~5% with an identifier, ~20% with harmless numbers."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x = rng.random()
        template = rng.choice(IDENTIFYING if x < 0.05 else REQUESTS)
        out.append(
            template.format(
                city=rng.choice(["paris", "lagos", "osaka"]),
                genre=rng.choice(["jazz", "lo-fi beats", "k-pop"]),
                n=rng.randint(1, 250),
                m=rng.randint(2, 99),
                phone=rng.choice(PHONES),
                card=rng.choice(CARDS),
            )
            + rng.choice(["", " please", " thanks", ", okay?"])
        )
    return out


def test_realistic_traffic() -> None:
    texts = realistic(5000)
    values = pa.array(texts, pa.large_string())
    redacted = redact_array(values)
    assert redacted.to_pylist() == [redact_text(t) for t in texts]
    assert not any(detect_identifiers(redacted).to_pylist())
    changed = sum(a != b for a, b in zip(texts, redacted.to_pylist(), strict=True))
    identifying = sum(detect_identifiers(values).to_pylist())
    assert changed == identifying > 0


# --- the names prefilter ----------------------------------------------------------------------
_NAME_WORDS = ["OK", "AM", "PM", "NASA", "ANNA", "Anna", "anna", "I'll", "I", "Kapanen", "Erica", "June",
               "remind", "call", "O'NEIL", "ANNA's", "Anna's", "anna's", "birthday", "Mary-Jane",
               "MARY-Jane", "the", "you", "on", "at", "00", "İlker", "ÉMILE", "Émile", "Rozhkova", "says",
               "Mr.", "DR", "Frank", "FRANK", "Sinatra", "play", "by", "text", "my", "wife", "mia", "moglie",
               "chiama", "olivia", "mark", "will"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=8), st.sampled_from([" ", ", ", ". "]))
def test_the_names_prefilter_holds_every_row_a_name_rule_changes(words: list[str], sep: str) -> None:
    """Words in capitals ("OK", "AM") are no name to any rule, so the prefilter skips rows whose
    only capitalised words they are; a row a rule does change must still be picked."""
    from utterance_governance.clean.names import candidate_rows as name_candidates
    from utterance_governance.clean.names import redact_names

    text = sep.join(words)
    # the prefilter is asked of the rows a rule changes (RE2 compiles its patterns on each call:
    # most of the test's time, spent on the six rows in ten no rule changes)
    assert redact_names(text, "en") == text or name_candidates(pa.array([text]))[0]


def test_capitals_beside_a_time_do_not_make_a_row_a_name_candidate() -> None:
    """A reminder's answer ("OK, I'll remind you on June 5 at 7:30 AM") was read in Python for
    names in every row: 8 of 9 rows the names stage read changed nothing."""
    from utterance_governance.clean.names import candidate_rows as name_candidates

    rows = pa.array(["OK, I'll remind you on June 5 at 7:30 AM to charge the car.",
                     "OK, I'll remind you to call Erica Kapanen at 7:30 AM."])  # fmt: skip
    assert name_candidates(rows).tolist() == [False, True]
    assert redact_text(rows[1].as_py()) == "OK, I'll remind you to call [NAME] at 7:30 AM."
