"""Numbers in shapes that belong to something else elsewhere: five and three digits (a Brazilian CEP, a
German or Italian phone number), a NINO grouped in lower case, thirteen digits or more in comma groups.

Each identifier is redacted, and what redaction keeps is not flagged by the gate's detector (a flag
blocks the whole night's publish); the look-alikes keep their bytes."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from utterance_governance.clean.redact import redact_array, redact_text
from utterance_governance.detect import flag_rows


def _flagged(text: str, locale: str) -> bool:
    return bool(flag_rows([text], [locale], sample_rate=1.0)[0])


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("ruf mich unter 08161-789 an", "de-DE"),
        ("meine Nummer ist 05429-209", "de-DE"),
        ("il numero è 03466-022", "it-IT"),
        ("codice ordine 89458-727", "it-IT"),
    ],
)
def test_five_and_three_digits_that_are_a_phone_number_of_the_region_go(text, locale):
    """(review) The CEP shape was kept in every region; the detector reads these as valid numbers of the
    row's region, and the night stopped."""
    redacted = redact_text(text, locale)
    assert "[PHONE]" in redacted
    assert not _flagged(redacted, locale)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("meu cep é 01310-100", "pt-BR"),
        ("o código 01310-100 chegou", "pt-BR"),
        ("Bestellnummer 80331-123", "de-DE"),
        ("order 12345-678", "en-US"),
        ("le code 75008-123", "fr-FR"),
    ],
)
def test_five_and_three_digits_that_are_no_phone_number_of_the_region_keep_their_bytes(text, locale):
    assert redact_text(text, locale) == text
    assert not _flagged(text, locale)


@pytest.mark.parametrize(
    ("locale", "template"),
    [
        ("pt-BR", "meu cep é {}"),
        ("de-DE", "die Nummer ist {}"),
        ("it-IT", "il codice è {}"),
        ("nl-NL", "de code is {}"),
        ("es-ES", "el código {}"),
        ("en-GB", "the code is {}"),
    ],
)
def test_no_five_and_three_digit_number_redaction_keeps_is_flagged(locale, template):
    """Every number of the shape redaction keeps, the detector keeps too (300 random ones a locale)."""
    rng = random.Random(locale)
    texts = [template.format(f"{rng.randrange(100_000):05d}-{rng.randrange(1_000):03d}") for _ in range(300)]
    redacted = redact_array(pa.array(texts), pa.array([locale] * len(texts))).to_pylist()
    flagged = flag_rows(redacted, [locale] * len(texts), sample_rate=1.0)
    assert not [text for text, hit in zip(redacted, flagged, strict=True) if hit]


@pytest.mark.parametrize(
    "text",
    [
        "my national insurance number is ab 12 34 56 c",
        "my ni number is ab 123456 c",
        "my ni number is Ab 12 34 56 C",
        "ni number ab 12 34 56 c please",
        "my NINO is ab-12-34-56-c",
    ],
)
def test_a_nino_said_with_its_name_goes_in_any_case_and_grouping(text):
    """(review) The grouped NINO was read in capitals only."""
    assert "[NATIONAL_ID]" in redact_text(text, "en-GB")
    assert "ab" not in redact_text(text, "en-GB").lower().split()


@pytest.mark.parametrize(
    "text",
    [
        "call me on 12 34 56 a lot",  # no NINO named
        "my ni number is on the letter 12 34 56 a",  # no word of two letters before the groups
        "national insurance is 12 34 56 c ok",  # "is": no NINO starts with I (HMRC)
    ],
)
def test_groups_that_are_no_nino_keep_their_bytes(text):
    assert redact_text(text, "en-GB") == text


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("card 4,111,111,111,111,111", "[CARD]"),
        ("my card number is 5,555,555,555,554,444", "[CARD]"),
        ("account 12,345,678,901,234,567", "[NUMBER]"),
    ],
)
def test_thirteen_digits_or_more_in_comma_groups_are_a_number(text, placeholder):
    """(review) docs/redaction.md: thirteen digits or more are a number whatever their separators; a comma
    was none of them."""
    assert redact_text(text, "en-US").endswith(placeholder)


@pytest.mark.parametrize(
    "text",
    [
        "the debt is 31,000,000,000,000 dollars",  # ends in a thousand: an amount
        "it costs 1,234,567,890 dollars",  # ten digits
        "about 123,456,789,012 people",  # twelve
    ],
)
def test_amounts_in_comma_groups_keep_their_bytes(text):
    assert redact_text(text, "en-US") == text


@pytest.mark.parametrize(
    "text",
    [
        "my national insurance number is ab 12 34 56 c",
        "my ni number is ab 123456 c",
        "ni number Ab 12 34 56 C please",
        "card 4,111,111,111,111,111",
        "my card number is 5,555,555,555,554,444",
    ],
)
def test_the_gates_detector_reads_them_too(text):
    """The detector flags each raw (independently of redaction: a miss of redaction is caught there)."""
    assert _flagged(text, "en-GB")


@pytest.mark.parametrize(
    "text",
    [
        "call me on 12 34 56 a lot",
        "national insurance is 12 34 56 c ok",
        "the debt is 31,000,000,000,000 dollars",
        "about 123,456,789,012 people",
        "2,000,000,000,000,000 stars",
    ],
)
def test_the_gates_detector_leaves_the_look_alikes(text):
    assert not _flagged(text, "en-GB")
