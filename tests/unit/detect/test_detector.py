"""The independent detector: what each rule finds, what it leaves, which rows it reads, and that
it catches what redaction leaves behind on the outside corpus without flagging redacted text."""

from __future__ import annotations

import pyarrow as pa
import pytest
from tests.unit.clean import survival

from utterance_governance.clean.redact import redact_array
from utterance_governance.detect import Finding, find_identifiers, find_in_text, flag_rows, scope_rows

FOUND = [
    ("mail jo.smith+x@example.co.uk", "en-US", "email", "email_written"),
    ("mail kim＠example.com", "en-US", "email", "email_written"),
    ("jo arroba gmail punto com", "es-ES", "email", "email_spelled"),
    ("jo (at) example (dot) com", "en-US", "email", "email_spelled"),
    ("my email is xk42 at the rate gmail dot com", "en-IN", "email", "email_spelled"),
    ("ring naught two naught seven nine four six naught", "en-GB", "spoken_number", "digit_words"),
    ("call +44 20 7946 0958", "en-GB", "phone", "phonenumbers_matcher"),
    ("ruf 030 12345678 an", "de-DE", "phone", "phonenumbers_matcher"),
    ("call (415) 555-0132", "en-US", "phone", "phonenumbers_matcher"),
    ("card 4111 1111 1111 1111", "en-US", "card", "luhn_digits"),
    ("ssn 123-45-6789", "en-US", "ssn", "stdnum_ssn"),
    ("ping 192.168.1.20", "en-US", "ip", "ipaddress"),
    ("my ip is 192.168.001.020", "en-US", "ip", "ipaddress"),  # zero-padded: Python's ipaddress refuses it
    ("ping 2001:db8::ff00:42:8329", "en-US", "ip", "ipaddress"),
    ("iban DE89 3704 0044 0532 0130 00", "de-DE", "iban", "stdnum_iban"),
    ("mi dni es 12345678Z", "es-ES", "national_id", "stdnum_es.dni"),
    ("mijn bsn is 111222333", "nl-NL", "national_id", "stdnum_nl.bsn"),
    ("five five five one two three four", "en-US", "spoken_number", "digit_words"),
    ("zéro six un deux trois quatre cinq", "fr-FR", "spoken_number", "digit_words"),
    ("〇九〇一二三四五六七八", "ja-JP", "spoken_number", "digit_words"),
    ("my name is Ornella", "en-US", "name", "name_statement"),
    ("call Sarah Kowalski", "en-US", "name", "called_full_name"),
    ("navigate to 12 Main Street", "en-US", "address", "street_number"),
    ("Hauptstraße 12 bitte", "de-DE", "address", "street_number"),
    ("ich wohne in der Karl-Marx-Allee 5", "de-DE", "address", "street_number"),
    ("fahr mich zur goethe-straße 12", "de-DE", "address", "street_number"),
    ("send it to P.O. Box 1234", "en-US", "address", "po_box"),
]


@pytest.mark.parametrize(("text", "locale", "kind", "rule"), FOUND)
def test_rule_finds(text: str, locale: str, kind: str, rule: str) -> None:
    assert (kind, rule) in find_in_text(text, locale)
    assert Finding(0, kind, rule) in find_identifiers([text], [locale], sample_rate=0)


KEPT = [
    "call mom", "play Frank Sinatra", "add bread to my list", "buy it at amazon dot com",
    "set a timer for ten minutes", "count one two three four five six", "the meeting is on 2024-12-25 at 10:30",
    "version 10.0.19041", "1999 2000 2001 2002", "it costs $12.99", "room 101", "call [PHONE] now",
    "my card is [CARD]", "[NAME]'s birthday", "DE89 3704 0044 0532 0130 01", "wake me at 6:30",
    "it was all for naught at the rate we are going",
]  # fmt: skip


@pytest.mark.parametrize("text", KEPT)
def test_rule_keeps(text: str) -> None:
    assert find_in_text(text, "en-US") == []


def test_scope_is_digits_number_words_at_and_names_plus_a_sample() -> None:
    texts = ["call 555", "one two", "jo at x", "hi Sarah", "nothing here", None, "also nothing"]
    assert scope_rows(texts, sample_rate=0).tolist() == [True, True, True, True, False, False, False]
    assert scope_rows(texts, sample_rate=1).tolist() == [True, True, True, True, True, False, True]
    rows = [f"plain words {i}x" for i in range(2000)]  # digits: all in scope
    assert scope_rows(rows, sample_rate=0).all()
    quiet = ["plain words"] * 2000
    share = scope_rows(quiet, sample_rate=0.05, seed=3).mean()
    assert 0.03 < share < 0.07


def test_types_nulls_and_chunks() -> None:
    texts = ["mail jo@example.com", None, "hello", "call +44 20 7946 0958"]
    expected = [True, False, False, True]
    assert flag_rows(pa.array(texts, pa.large_string())).tolist() == expected
    assert flag_rows(pa.chunked_array([texts[:2], texts[2:]])).tolist() == expected
    assert flag_rows(pa.array([None, None])).tolist() == [False, False]
    assert flag_rows([]).tolist() == []


def test_a_repeated_text_is_read_once_and_each_row_gets_its_findings() -> None:
    rows = [(text, locale) for text, locale, _, _ in FOUND]
    rows += [*reversed(rows), (None, "en-US"), ("", None), ("mijn bsn is 111222333", "en-US")]
    rows += [("mijn bsn is 111222333", None), ("call Sarah Kowalski", "de-DE")]
    texts, locales = zip(*rows, strict=True)
    alone = [
        Finding(row, finding.kind, finding.rule)
        for row, (text, locale) in enumerate(rows)
        for finding in find_identifiers(pa.array([text], pa.string()), [locale], sample_rate=0)
    ]
    assert find_identifiers(pa.array(texts), pa.array(locales, pa.string()), sample_rate=0) == alone
    assert len({(f.kind, f.rule) for f in alone}) == len({(kind, rule) for *_, kind, rule in FOUND})


def test_findings_hold_no_text() -> None:
    (finding,) = find_identifiers(["mail jo@example.com"], sample_rate=0)
    assert set(vars(finding)) == {"row", "kind", "rule"}


@pytest.fixture(scope="module")
def corpus() -> tuple[list[dict], list[str | None]]:
    rows = survival.load_corpus()
    texts = pa.array([r["text"] for r in rows])
    return rows, redact_array(texts, pa.array([r["locale"] for r in rows])).to_pylist()


def test_it_finds_identifiers_in_the_raw_corpus(corpus) -> None:
    rows, _ = corpus
    findings = find_identifiers([r["text"] for r in rows], [r["locale"] for r in rows], sample_rate=0)
    kinds = {f.kind for f in findings}
    assert kinds >= {
        "email",
        "phone",
        "card",
        "ssn",
        "ip",
        "iban",
        "national_id",
        "spoken_number",
        "name",
        "address",
    }
    flagged = {f.row for f in findings}
    benign = [i for i, r in enumerate(rows) if r["benign"]]
    assert sum(i in flagged for i in benign) / len(benign) < 0.01  # precision on benign text


def test_redacted_corpus_holds_nothing_it_finds(corpus) -> None:
    rows, redacted = corpus
    findings = find_identifiers(redacted, [r["locale"] for r in rows], sample_rate=1)
    assert findings == []


def test_the_phone_matcher_is_skipped_only_below_the_shortest_valid_number() -> None:
    import phonenumbers

    from utterance_governance.clean.languages import KNOWN_REGIONS
    from utterance_governance.detect.detector import _fewest_phone_digits

    for region in KNOWN_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                national = phonenumbers.national_significant_number(example)
                assert len(national) >= _fewest_phone_digits(region), region
    assert _fewest_phone_digits("ZZ") == 5  # a country code and the shortest national number
    assert find_identifiers(["12月21日の7時25分に電話して"], ["ja-JP"], sample_rate=1) == []
    assert {f.kind for f in find_identifiers(["電話は090-1234-5678"], ["ja-JP"], sample_rate=1)} == {"phone"}
