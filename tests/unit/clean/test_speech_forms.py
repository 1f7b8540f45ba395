"""Numbers as speech recognition writes them: hesitations inside a run, line breaks, marks and
commas between groups, written digits beside number words in any language, Japanese commas and
bidirectional marks (``clean.normalise``, read in context). Each case was published before."""

from __future__ import annotations

import pyarrow as pa
import pytest
from tests.unit.clean.test_multilingual import both

from utterance_governance.clean.normalise import normalise_array_for_detection, normalise_for_detection
from utterance_governance.clean.redact import redact_array, redact_text

HESITATIONS = [
    ("en-US", "call five five five uh one two three four", "call [PHONE]"),
    ("en-US", "my number is five five five. uh. one two three four", "my number is [PHONE]"),
    ("en-US", "it's four one five, uhm, five five five, hmm, zero one hundred", "it's [PHONE]"),
    ("en-GB", "ring oh two oh, erm, seven nine four six, oh nine five eight", "ring [PHONE]"),
    ("de-DE", "null eins sieben äh zwei drei vier fünf sechs", "[PHONE]"),
    ("de-DE", "meine nummer ist null eins sieben ähm zwei drei vier öhm fünf sechs", "meine nummer ist [PHONE]"),
    ("fr-FR", "zéro six euh douze trente-quatre cinquante-six", "[PHONE]"),
    ("es-ES", "mi número es seis uno dos, eh, tres cuatro cinco seis siete", "mi número es [PHONE]"),
    ("it-IT", "chiama tre tre tre ehm uno due tre quattro", "chiama [PHONE]"),
    ("nl-NL", "bel nul zes uh een twee drie vier vijf zes", "bel [PHONE]"),
    ("pt-BR", "liga para onze hã nove nove oito sete meia cinco", "liga para [PHONE]"),
    ("ja-JP", "〇九〇えーと一二三四の五六七八に電話して", "[PHONE]に電話して"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), HESITATIONS)
def test_a_hesitation_inside_a_spoken_number(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected


SEPARATORS = [
    ("en-US", "call 415\t555\t0100", "call [PHONE]"),
    ("en-US", "call 415\n555\n0100", "call [PHONE]"),
    ("en-US", "call 415\r\n555\r\n0100 now", "call [PHONE] now"),
    ("en-US", "call 415\u2028555\u20280100", "call [PHONE]"),
    # every other control character (a broken export: NUL, BEL, unit separator, DEL, C1's NEL)
    ("en-US", "call 415\x00555\x000100 now", "call [PHONE] now"),
    ("en-US", "card 4111\x071111\x071111\x071111", "card [CARD]"),
    ("en-US", "my ssn is 123\x1f45\x1f6789", "my ssn is [SSN]"),
    ("en-US", "call 415\x7f555\x7f0100", "call [PHONE]"),
    ("en-US", "call 415\x85555\x850100", "call [PHONE]"),
    ("en-US", "call 415·555·0100", "call [PHONE]"),
    ("en-US", "call 415 • 555 • 0100", "call [PHONE]"),
    ("en-US", "call 415_555_0100", "call [PHONE]"),
    ("en-US", "call 415\u200e555\u200e0100", "call [PHONE]"),  # left-to-right marks
    ("en-US", "call \u2066415-555-0100\u2069", "call [PHONE]"),  # an isolate around it
    ("en-US", "my number is 415,555,0100", "my number is [PHONE]"),
    ("en-US", "my number is 415, 555, 0100", "my number is [PHONE]"),
    ("en-US", "my number is 4, 1, 5, 5, 5, 5, 0, 1, 0, 0", "my number is [PHONE]"),
    ("fr-FR", "mon numéro est 06, 12, 34, 56, 78", "mon numéro est [PHONE]"),
    ("ja-JP", "電話は090ー1234ー5678です", "電話は[PHONE]です"),
    ("ja-JP", "電話は090・1234・5678です", "電話は[PHONE]です"),
    ("ja-JP", "電話は〇九〇、一二三四、五六七八です", "電話は[PHONE]です"),
    ("ja-JP", "電話は〇九〇，一二三四，五六七八です", "電話は[PHONE]です"),
    ("en-US", "my ssn is one two three dash four five dash six seven eight nine", "my ssn is [SSN]"),
    ("en-US", "card four one one one dash one one one one dash one one one one dash one one one one", "card [CARD]"),
    ("en-US", "call five five five hyphen one two three four", "call [PHONE]"),
    ("de-DE", "null eins sieben strich eins zwei drei vier fünf", "[PHONE]"),
    ("en-US", "one two three, dash, four five, dash, six seven eight nine", "[SSN]"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), SEPARATORS)
def test_groups_joined_by_what_speech_recognition_writes(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected


MIXED = [
    ("de-DE", "meine nummer ist 0171 eins zwei drei vier fünf sechs", "meine nummer ist [PHONE]"),
    ("fr-FR", "appelle le 06 un deux trois quatre cinq six sept", "appelle le [PHONE]"),
    ("es-ES", "llama al 612 tres cuatro cinco seis siete ocho", "llama al [PHONE]"),
    ("nl-NL", "bel 06 een twee drie vier vijf zes zeven acht", "bel [PHONE]"),
    ("en-US", "my number is 555 one two three four", "my number is [PHONE]"),
    ("fr-FR", "appelle le 0612 un deux trois à 5 heures", "appelle le [PHONE] à 5 heures"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), MIXED)
def test_written_digits_beside_number_words(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected


def test_digits_beside_a_run_are_read_row_by_row() -> None:
    # the spoken runs are read once per text with its digits as 0; a run that took written
    # digits in is read again in each row, with the digits it holds and those it leaves
    rows = [
        "appelle le 06 un deux trois quatre cinq six sept à 5 heures",
        "appelle le 07 un deux trois quatre cinq six sept à 9 heures",
        "appelle le 4111 un deux trois quatre cinq six sept huit neuf",
        "appelle le 4113 un deux trois quatre cinq six sept huit neuf",
    ]
    out = redact_array(pa.array(rows), pa.array(["fr-FR"] * 4)).to_pylist()
    assert out == [redact_text(row, "fr-FR") for row in rows]
    assert out[:2] == ["appelle le [PHONE] à 5 heures", "appelle le [PHONE] à 9 heures"]
    # thirteen digits: with zeros for digits every one would be a Luhn-valid card
    assert out[2:] == ["appelle le [NUMBER]", "appelle le [CARD]"]


SPOKEN_EMAILS = [
    ("es-ES", "escribe a jo guion bajo smith arroba gmail punto com", "escribe a [EMAIL]"),
    ("fr-FR", "écris à jo tiret du bas smith arobase gmail point com", "écris à [EMAIL]"),
    ("de-DE", "schreib an jo bindestrich smith ät gmx punkt de", "schreib an [EMAIL]"),
    ("de-DE", "schreib an jo unterstrich smith affenschwanz web punkt de", "schreib an [EMAIL]"),
    ("it-IT", "scrivi a jo trattino basso smith chiocciolina libero punto it", "scrivi a [EMAIL]"),
    ("nl-NL", "mail jo liggend streepje smith apenstaart ziggo punt nl", "mail [EMAIL]"),
    ("pt-BR", "manda para jo sublinhado smith arroba uol ponto com ponto br", "manda para [EMAIL]"),
    ("ja-JP", "メールはjoアットgmailドットcomです", "メールは[EMAIL]です"),
    ("ja-JP", "メールはjoアンダーバーsmithアットマークdocomoドットneドットjpです", "メールは[EMAIL]です"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), SPOKEN_EMAILS)
def test_spoken_email_words_of_every_language(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected


# The vectorised path (what the pipeline runs) picked none of these rows, although ``redact_text``
# redacts them: a given name that is also an English word before an unknown surname, an IBAN in
# groups of three or with its country code apart.
PICKED = [
    ("en-US", "lunch with Frank Sinatra tomorrow", "lunch with [NAME] tomorrow"),
    (None, "who is Rose Byrne", "who is [NAME]"),
    ("en-GB", "Faith Okonkwo sent a message", "[NAME] sent a message"),
    ("en-US", "my iban is DE89 370 400 440 532 013 000", "my iban is [IBAN]"),
    ("es-ES", "mi iban es GB29 NWB K60 161 331 926 819", "mi iban es [IBAN]"),
    ("nl-NL", "mijn iban is NL 91 ABNA 0417 1643 00", "mijn iban is [IBAN]"),
]  # fmt: skip


# Forms the gate's detector reads and redaction left: each blocked the night it came in.
GATE_BLOCKED = [
    ("en-GB", "my nino is AB-12-34-56-C", "my nino is [NATIONAL_ID]"),
    ("it-IT", "il mio codice fiscale è RSS MRA 85T10 A562S", "il mio codice fiscale è [NATIONAL_ID]"),
    ("en-IN", "my pan is ABCPE 1234 F", "my pan is [NATIONAL_ID]"),
    ("ja-JP", "電話は090、1234、5678です", "電話は[PHONE]です"),
    ("ja-JP", "電話は〇九〇 一二三四 五六七八です", "電話は[PHONE]です"),
    ("ja-JP", "メールはjoアットgmailドットコムです", "メールは[EMAIL]です"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), GATE_BLOCKED)
def test_forms_the_gate_reads(locale: str, text: str, expected: str) -> None:
    from utterance_governance.detect import flag_rows

    assert flag_rows([text], [locale]).tolist() == [True]
    out = both(text, locale)
    assert out == expected and flag_rows([out], [locale]).tolist() == [False]


@pytest.mark.parametrize(("locale", "text", "expected"), PICKED)
def test_rows_the_vectorised_path_missed(locale: str | None, text: str, expected: str) -> None:
    assert both(text, locale) == expected


NAMES = [
    ("es-ES", "llama a maría garcía", "llama a [NAME]"),  # accents: the gazetteer is ASCII
    ("es-ES", "llama a inés por favor", "llama a [NAME] por favor"),
    ("fr-FR", "dis à paul où tu es", "dis à [NAME] où tu es"),  # "ou" is a surname, "où" is not
    ("de-DE", "schreib anna über das treffen", "schreib [NAME] über das treffen"),
    ("de-DE", "ruf thomas müller an", "ruf [NAME] an"),
    ("nl-NL", "bel jan de vries", "bel [NAME]"),  # a particle and its word
    ("it-IT", "telefona a marco rossi", "telefona a [NAME]"),
    ("en-US", "whatsapp sarah connor", "whatsapp [NAME]"),
    ("en-US", "set up a meeting with Sarah Connor", "set up a meeting with [NAME]"),
]  # fmt: skip


@pytest.mark.parametrize(("locale", "text", "expected"), NAMES)
def test_names_after_more_requests_and_with_accents(locale: str, text: str, expected: str) -> None:
    assert both(text, locale) == expected


KEPT = [
    ("en-US", "uh, what's the weather like"),
    ("en-US", "uh-huh, play it again"),
    ("en-US", "hmm, set a timer for 25 minutes"),
    ("de-DE", "er ruft sie morgen an"),  # "er" is "he", no hesitation
    ("de-DE", "Termin am 12.04.2026 um ein Uhr"),  # a date beside "um" and "ein" (words for one)
    ("pt-BR", "é um dois três"),  # "é" is "is", "um" is one: three digits
    ("en-US", "it costs $1,234,567"),  # an amount: thousands keep their commas
    ("en-US", "add 2, 3, 4 eggs"),
    ("de-DE", "1,5 Liter Milch und 12,50 Euro"),
    ("ja-JP", "一、二、三"),
    ("ja-JP", "アットホームな雰囲気のカフェを探して"),  # "at home": no mailbox, no domain
    ("en-US", "meet me at the station at five"),
    ("en-US", "play Frank Sinatra"),
    ("en-US", "in 10 minutes please"),
    ("en-US", "add a dash of salt and two dash three drops"),
    ("ja-JP", "三月 十日に会いましょう"),
    ("es-ES", "llama a mamá"),
    ("en-US", "whatsapp mom"),
    ("en-US", "set up a meeting with the team"),
    ("de-DE", "Termin mit Zahnarzt morgen"),  # German capitalises every noun
    ("de-DE", "Erinnerung um 7 um 8 um 9 um 10"),
    ("fr-FR", "Il y a un 1, un 2, un 3, un 4"),  # articles between digits
    ("en-US", "open file_2024_05_17"),
    ("en-IN", "book table 1234 a for tonight"),  # a spaced PAN is written in capitals
]


@pytest.mark.parametrize(("locale", "text"), KEPT)
def test_kept(locale: str, text: str) -> None:
    assert both(text, locale) == text


def test_normalisation_in_context_changes_only_what_it_reads() -> None:
    text = "uh, call five five five\tone two three four, hmm"
    assert normalise_for_detection(text) == "uh, call five five five one two three four"
    plain = "what is the weather"
    assert normalise_for_detection(plain) is plain
    # the vectorised form is the same, row for row
    rows = [text, plain, "415·555·0100", None, "1,234,567", "415,555,0100"]
    assert normalise_array_for_detection(pa.array(rows)).to_pylist() == [
        None if row is None else normalise_for_detection(row) for row in rows
    ]
