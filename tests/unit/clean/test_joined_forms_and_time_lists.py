"""Forms the review of 2026-12-07 found redaction leaving or changing wrongly: Japanese phone numbers joined by
"の" or mixing kanji and written digits, a spelled mailbox's hyphen said "minus" (and its other names), a postcode
or a unit after a lower-case address, and Spanish and Portuguese lists of clock times. Each with look-alikes that
keep their bytes and that the gate's detector leaves alone."""

from __future__ import annotations

import pytest
from tests.unit.clean.agree import both, kept, redacted_unflagged

# --- Japanese phone numbers: "の" between written groups, kanji and written digits mixed -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電話番号は090の1234の5678です", "電話番号は[PHONE]です"),
        ("090の1234の5678に電話して", "[PHONE]に電話して"),
        ("電話番号は〇九〇の１２３４の５６７８です", "電話番号は[PHONE]です"),
        ("〇九〇ー１２３４ー五六七八", "[PHONE]"),
        ("〇九〇ー1234ー五六七八に電話", "[PHONE]に電話"),
        ("〇三の1234の5678までどうぞ", "[PHONE]までどうぞ"),
        ("0120の123の456にかけて", "[PHONE]にかけて"),
        ("０９０の１２３４の５６７８", "[PHONE]"),
    ],
)
def test_japanese_phone_joined_by_no_or_mixing_numerals_is_redacted(text: str, expected: str) -> None:
    assert redacted_unflagged(text, "ja-JP") == expected


@pytest.mark.parametrize(
    "text",
    [
        "西新宿2の8の1のカフェ",  # an address's block and lot
        "3の倍数と5の倍数",
        "1の2の3で始めます",
        "1000の2000の3000人",  # a count: no trunk 0
        "二十の1234の5678",  # a kanji numeral with a place is no digit group
        "10の3乗は1000です",
        "第1の5の問題",
        "0の1の2",
    ],
)
def test_japanese_digits_joined_by_no_that_are_no_phone_keep_their_bytes(text: str) -> None:
    kept(text, "ja-JP")


# --- a spelled mailbox's hyphen said "minus", "strich", "moins", "menos", "raya", "meno", "lineetta" … -------


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("hans strich peter at web punkt de", "de-DE"),
        ("hans minus peter at gmx punkt de", "de-DE"),
        ("jean moins dupont arobase orange point fr", "fr-FR"),
        ("juan menos perez arroba gmail punto com", "es-ES"),
        ("juan raya perez arroba gmail punto com", "es-ES"),
        ("mario meno rossi chiocciola libero punto it", "it-IT"),
        ("mario lineetta rossi chiocciola libero punto it", "it-IT"),
        ("jan koppelteken jansen apenstaartje ziggo punt nl", "nl-NL"),
        ("joao menos silva arroba gmail ponto com", "pt-BR"),
        ("john minus smith at gmail dot com", "en-US"),
    ],
)
def test_a_mailbox_hyphen_word_keeps_the_mailbox_whole(text: str, locale: str) -> None:
    assert redacted_unflagged(text, locale) == "[EMAIL]"


def test_a_mailbox_hyphen_word_inside_a_sentence() -> None:
    assert redacted_unflagged("schreib an hans strich peter at web punkt de bitte", "de-DE") == (
        "schreib an [EMAIL] bitte"
    )


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("five minus two", "en-US"),
        ("what is ten minus three", "en-US"),
        ("zehn minus drei", "de-DE"),
        ("was ist zehn minus drei", "de-DE"),
        ("dix moins trois", "fr-FR"),
        ("son las cinco menos cuarto", "es-ES"),
        ("más o menos a las ocho", "es-ES"),
        ("dieci meno tre fa sette", "it-IT"),
        ("a meno che non piova", "it-IT"),
        ("set the temperature to minus two", "en-US"),
        ("zeichne einen strich unter die summe", "de-DE"),
        ("la raya de la camiseta", "es-ES"),
    ],
)
def test_minus_and_the_dash_words_outside_a_mailbox_keep_their_bytes(text: str, locale: str) -> None:
    kept(text, locale)


# --- a postcode and a unit after a lower-case address -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("my address is 10 downing street sw1a 2aa", "en-GB", "my address is [ADDRESS]"),
        ("deliver to 22 acacia avenue, ls1 4ap", "en-GB", "deliver to [ADDRESS]"),
        ("send it to 22 acacia avenue leeds ls1 4ap", "en-GB", "send it to [ADDRESS]"),
        ("deliver to 22 acacia avenue ls14ap please", "en-GB", "deliver to [ADDRESS] please"),
        ("moro na rua das flores 123 cep 01310-100", "pt-BR", "moro na [ADDRESS]"),
        ("moro na rua das flores 123 são paulo cep 01310-100", "pt-BR", "moro na [ADDRESS]"),
        ("moro na Rua das Flores, 123, CEP 01310-100", "pt-BR", "moro na [ADDRESS]"),
        ("j'habite 12 rue de la paix appartement 34", "fr-FR", "j'habite [ADDRESS]"),
        ("j'habite 12 rue de la Paix appt 34", "fr-FR", "j'habite [ADDRESS]"),
        ("j'habite 12 rue de la Paix Appartement 34 au fond", "fr-FR", "j'habite [ADDRESS] au fond"),
        ("j'habite 12 bis rue de la paix appt 3", "fr-FR", "j'habite [ADDRESS]"),
    ],
)
def test_a_postcode_or_a_unit_after_a_lower_case_address_goes_with_it(
    text: str, locale: str, expected: str
) -> None:
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # an ordinal, a time, a road's number after the address are no postcode
        ("meet me at 12 high street b2 3rd floor", "en-GB", "meet me at [ADDRESS] b2 3rd floor"),
        ("12 main street at 5pm", "en-US", "[ADDRESS] at 5pm"),
        ("12 main street and the a1 road", "en-GB", "[ADDRESS] and the a1 road"),
        ("10 downing street is where the pm lives", "en-GB", "[ADDRESS] is where the pm lives"),
    ],
)
def test_words_after_an_address_that_are_no_postcode_stay(text: str, locale: str, expected: str) -> None:
    assert redacted_unflagged(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("the cep is 01310-100", "pt-BR"),  # a postcode alone names thousands of people
        ("meu cep é 01310-100", "pt-BR"),
        ("the postcode sw1a 2aa is westminster", "en-GB"),
        ("il cap di roma è 00184", "it-IT"),
        ("die plz ist 10115", "de-DE"),
    ],
)
def test_a_postcode_or_unit_without_an_address_keeps_its_bytes(text: str, locale: str) -> None:
    assert both(text, locale) == text


# --- Spanish and Portuguese lists of clock times --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("me acorda às seis e meia, sete e quinze e oito e meia", "pt-BR"),
        ("alarmes às nove e meia, dez e quinze, onze e meia", "pt-BR"),
        ("alarmes às seis e trinta, sete e quinze, oito e trinta", "pt-BR"),
        ("alarmas a las seis y treinta, siete y quince, ocho y treinta", "es-ES"),
        ("alarmas a las seis y treinta, siete y quince, ocho y treinta, nueve y media", "es-ES"),
        ("alarmas a las seis y cuarenta y cinco, siete y quince, ocho y veinte", "es-ES"),
        ("despertador às cinco e quarenta e cinco, seis e vinte e sete e meia", "pt-BR"),
    ],
)
def test_lists_of_clock_times_keep_their_bytes(text: str, locale: str) -> None:
    kept(text, locale)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        (
            "llama al seis uno dos, treinta y cuatro, cincuenta y seis, setenta y ocho",
            "es-ES",
            "llama al [PHONE]",
        ),
        ("liga para onze nove nove oito sete meia cinco quatro três dois", "pt-BR", "liga para [PHONE]"),
        ("liga para onze, nove nove oito sete, meia cinco quatro três", "pt-BR", "liga para [PHONE]"),
        # pairs that read as a time one by one are a number together: "vinte e cinco" is 25 (a ten is no hour)
        ("vinte e cinco, vinte e cinco, vinte e cinco, vinte e cinco", "pt-BR", "[PHONE]"),
        # a list of times that runs into a phone number is one number, whole
        ("seis e meia, sete e quinze, nove nove oito sete meia cinco quatro", "pt-BR", "[PHONE]"),
    ],
)
def test_spoken_phone_numbers_beside_the_clock_forms_still_redact(
    text: str, locale: str, expected: str
) -> None:
    assert both(text, locale) == expected
