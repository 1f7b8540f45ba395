"""Identifiers other than names that a review found redaction keeping, each in a form it read in others: a Spanish
DNI in dotted thousands with its letter apart, the half-width katakana middle dot between digit groups, a number
glued to a word by "_" and grouped by "_", Japanese digit groups joined by a spaced "の", a written e-mail address
with letters beyond Latin (a Cyrillic look-alike, an IDN), an Eircode after a Dublin postal district, and the
at-words "apestaartje" and "(ät)". Each is redacted on both paths, and what is left flags nothing; the look-alikes
keep their bytes.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from tests.unit.clean.agree import both, flagged, kept, redacted_unflagged


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in text if unicodedata.category(c) == "Nd")


@pytest.mark.parametrize("locale", ["es-ES", "es-MX", "en-US"])
@pytest.mark.parametrize(
    "text", ["mi DNI es 12.345.678 Z", "mi DNI es 12.345.678-Z", "mi DNI es 12.345678 Z"]
)
def test_dni_in_dotted_thousands_with_its_letter_apart_is_a_national_id(text: str, locale: str) -> None:
    """Before: "12.345.678 Z" was kept whole (dotted thousands are an amount to the phone formats, and the
    DNI shape read eight digits together only); the gate's detector read a DNI and blocked the night."""
    assert flagged(text, locale)
    out = redacted_unflagged(text, locale)
    assert out == "mi DNI es [NATIONAL_ID]"
    assert "12345678" not in _digits(out)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Berlin hat 3.850.809 Einwohner", "de-DE"),
        ("cuesta 12.345.678 y algo más", "es-ES"),  # a letter in lower case after an amount: "y"
        ("mi DNI es 12.345.678 A", "es-ES"),  # a wrong check letter
    ],
)
def test_dotted_amounts_and_a_wrong_letter_keep_their_bytes(text: str, locale: str) -> None:
    """Before: the same (kept); the DNI read in dotted groups takes no amount."""
    kept(text, locale)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("電話番号は090･1234･5678です", "ja-JP", "電話番号は[PHONE]です"),
        ("電話番号は０９０･１２３４･５６７８です", "ja-JP", "電話番号は[PHONE]です"),
        ("call 415･555･0100", "en-US", "call [PHONE]"),
        ("card 4111･1111･1111･1111", "en-US", "card [CARD]"),
    ],
)
def test_halfwidth_katakana_middle_dot_joins_digit_groups(text: str, locale: str, expected: str) -> None:
    """Before: the full-width "・" joined digit groups and the half-width "･" (U+FF65) did not: the phone and the
    card were kept whole, and the gate's detector, which reads both, blocked the night."""
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("card_4111_1111_1111_1111", "en-US", "[CARD]"),
        ("card_5500_0000_0000_0004", "en-GB", "[CARD]"),
        ("my_number_is_0412_345_678", "en-AU", "[PHONE]"),
        ("my_number_is_0412_345_678", "en-US", "[PHONE]"),  # (the detector reads other regions' numbers)
        ("x_415_555_0100", "en-GB", "[PHONE]"),
        ("steuer_id_65_929_970_489", "de-DE", "[NATIONAL_ID]"),
    ],
)
def test_number_glued_by_an_underscore_and_grouped_by_underscores(
    text: str, locale: str, expected: str
) -> None:
    """Before: each form was read alone ("x_123-45-6789" glued, "415_555_0100" grouped) and the two together were
    kept whole: no glued run of five digits, and the groups joined by "-" only when they stand alone."""
    assert flagged(text, locale)
    out = redacted_unflagged(text, locale)
    assert out == expected
    assert len(_digits(out)) < 7


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("open file_2024_05_17", "en-US"),
        ("open file_2024_05_17", "de-DE"),
        ("report_2024_05_17.pdf", "de-DE"),
    ],
)
def test_a_date_joined_by_underscores_keeps_its_bytes(text: str, locale: str) -> None:
    """Before: the same (kept); a date joined by underscores is a file's name, glued or not."""
    kept(text, locale)


@pytest.mark.parametrize(
    "text",
    [
        "電話番号は〇九〇 の 一二三四 の 五六七八です",
        "電話番号は〇九〇\u3000の\u3000一二三四\u3000の\u3000五六七八です",
        "電話番号はぜろきゅうぜろ の いちにさんよん の ごろくななはちです",
        "電話番号は090 の 1234 の 5678です",
        "電話番号は〇九〇 の 1234 の 5678です",
    ],
)
def test_japanese_digit_groups_joined_by_a_spaced_no(text: str) -> None:
    """Before: a joiner was read alone ("〇九〇の一二三四…", "〇八〇 一二三四 …"); with spaces around "の" each group
    stood apart and the number was kept whole (the detector flags the kanji form)."""
    assert redacted_unflagged(text, "ja-JP") == "電話番号は[PHONE]です"


@pytest.mark.parametrize(
    "text", ["1000 の 2000 の 3000人", "2 の 8 の 1", "三月 十日に会いましょう", "一、二、三"]
)
def test_japanese_counts_addresses_and_dates_with_a_spaced_no_keep_their_bytes(text: str) -> None:
    """Before: the same (kept); no trunk "0", or too few digits, is no phone number."""
    kept(text, "ja-JP")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jsmith@ex\u0430mple.com", "write to [EMAIL]"),  # a Cyrillic "а" in the domain
        ("write to jsmith@example.c\u043em", "write to [EMAIL]"),  # ... "о" in the top-level domain
        ("write иван@example.com", "write [EMAIL]"),
        ("write jsmith@пример.рф ok", "write [EMAIL] ok"),
        ("γιάννης@παράδειγμα.ελ ok", "[EMAIL] ok"),
        ("write jsmith@例え.jp", "write [EMAIL]"),
    ],
)
def test_written_email_with_letters_beyond_latin(text: str, expected: str) -> None:
    """Before: the written address read Latin letters only, so a Cyrillic look-alike letter in its domain, or an
    IDN address, kept the whole address (mailbox and all), and the gate's detector (Unicode letters) blocked the
    night."""
    assert flagged(text)
    assert redacted_unflagged(text, "en-US") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "メールはtanaka@example.comです",
            "メールは[EMAIL]です",
        ),  # the words before a mailbox written without spaces
        ("write jsmith@example.comfoo1", "write jsmith@example.comfoo1"),  # no top-level domain that ends
        ("see jo@example. Thanks", "see jo@example. Thanks"),
    ],
)
def test_a_japanese_sentence_before_a_mailbox_and_addresses_without_a_domain(
    text: str, expected: str
) -> None:
    """Before: the same; a Japanese sentence glued to the mailbox stays (its kanji and kana are no mailbox's)."""
    assert both(text, "en-US") == expected


@pytest.mark.parametrize(
    "text",
    [
        "send it to 12 Main Street, Dublin 2 D02 X285",
        "send it to 12 O'Connell Street, Dublin 1, D01 F5P2",
        "send it to 12 Main Street, Dublin 6W D6W Y2K1",
        "send it to 12 main street dublin 2 d02 x285",
    ],
)
def test_eircode_after_a_dublin_postal_district(text: str) -> None:
    """Before: the address's tail took postcodes of the allowed countries but stopped at "Dublin 2": the Eircode
    after it (one dwelling's code) was published ("send it to [ADDRESS] 2 D02 X285")."""
    out = both(text, "en-IE")
    assert out == "send it to [ADDRESS]"
    assert not re.search(r"(?i)d0[126] ?[a-z0-9]{4}", out)


def test_a_dublin_district_ends_an_address_and_keeps_what_follows() -> None:
    """Before: "send it to [ADDRESS] 2 please" (the district's number left)."""
    assert both("send it to 12 Main Street, Dublin 2 please", "en-IE") == "send it to [ADDRESS] please"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("mijn email is jan punt jansen apestaartje ziggo punt nl", "nl-NL", "mijn email is [EMAIL]"),
        ("schreib an anna.schmidt (ät) posteo.de", "de-DE", "schreib an [EMAIL]"),
        ("schreib an anna.schmidt [ät] posteo punkt de", "de-DE", "schreib an [EMAIL]"),
    ],
)
def test_spelled_at_apestaartje_and_bracketed_ae_t(text: str, locale: str, expected: str) -> None:
    """Before: "apestaart" and "apenstaartje" were read, not "apestaartje"; "(at)" and "ät", not "(ät)": the
    address was kept whole."""
    assert both(text, locale) == expected
